package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import io.slotkv.map.StoreExport;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: an export (and so a backup, which copies with the same cursor) racing a put of a new value with a new
 * deadline writes the key's old value with the old deadline or the new value with the new deadline: the deadline is
 * read validated against the same slot word as the value's copy, so the two are of one entry.
 *
 * Results: r1 = the exported value (1 = "old", 2 = "new", 9 = other, 0 = not exported), r2 = its deadline
 * (1 = D1, 2 = D2, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreExportTest
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Exported before the put: the old value and deadline.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "Exported after the put: the new value and deadline.")
@Outcome(id = "1, 2", expect = FORBIDDEN,  desc = "The old value with the new deadline: a torn record.")
@Outcome(id = "2, 1", expect = FORBIDDEN,  desc = "The new value with the old deadline: a torn record.")
@Outcome(             expect = FORBIDDEN,  desc = "Lost, or a value never written.")
@State
public class ByteStoreExportTest
{
    static final byte[] K = key("k");
    static final byte[] OLD = key("old");
    static final byte[] NEW = key("new");
    static final long D1 = ManualClock.START + 1_000_000;
    static final long D2 = ManualClock.START + 2_000_000;

    /** Offsets of the first record's fields in an export (docs/spec/export.md). */
    static final int VALUE_LENGTH = 32 + 5;
    static final int DEADLINE = 32 + 9;
    static final int KEY = 32 + 17;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();
    byte[] exported;

    {
        fixture.store.putUntil(K, OLD, D1);
    }

    @Actor
    public void put()
    {
        fixture.store.putUntil(K, NEW, D2);
    }

    @Actor
    public void export()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoreExport.export(fixture.store, out);
        exported = out.toByteArray();
    }

    @Arbiter
    public void arbiter(final II_Result r)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(exported);
        if (exported.length < KEY || 'E' != bytes.get(32))
        {
            r.r1 = 0;
        }
        else
        {
            final int valueLength = bytes.getInt(VALUE_LENGTH);
            final long deadline = bytes.getLong(DEADLINE);
            final int valueAt = KEY + K.length;
            r.r1 = which(Arrays.copyOfRange(exported, valueAt, valueAt + valueLength), OLD, NEW);
            r.r2 = D1 == deadline ? 1 : D2 == deadline ? 2 : 9;
        }
        fixture.close();
    }
}
