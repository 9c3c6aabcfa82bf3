package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.Arrays;

import static io.slotkv.stress.ByteStoreFixture.key;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: forEach hands out every key that has a value for the whole iteration exactly once, with a value it had,
 * while another thread inserts a new key (which replaces the table: the fixture is at its threshold) and rewrites a
 * filler key (which frees its entry for reuse). Each filler key's value is always its own bytes.
 *
 * Results: r1 = filler keys handed out exactly once with their own bytes (12), r2 = whether the new key was handed
 * out (either is fine: it was inserted during the iteration), r3 = 1 if the fillers are intact and the table grew.
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreForEachTest
 */
@JCStressTest
@Outcome(id = "12, 0, 1", expect = ACCEPTABLE, desc = "Every filler once; the new key not yet.")
@Outcome(id = "12, 1, 1", expect = ACCEPTABLE, desc = "Every filler once; the new key too.")
@Outcome(expect = FORBIDDEN, desc = "A filler missed, handed out twice or with a foreign value; or a lost key.")
@State
public class ByteStoreForEachTest
{
    static final byte[] NEW = key("new");
    static final byte[] FILLER_0 = key("filler-0");

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    @Actor
    public void iterate(final III_Result r)
    {
        final int[] seen = new int[ByteStoreFixture.FILLER_COUNT];
        final boolean[] foreign = new boolean[1];
        final boolean[] sawNew = new boolean[1];
        fixture.store.forEach((key, value) ->
        {
            final byte[] k = new byte[key.capacity()];
            key.getBytes(0, k);
            final byte[] v = new byte[value.capacity()];
            value.getBytes(0, v);
            if (Arrays.equals(NEW, k))
            {
                sawNew[0] = true;
                foreign[0] |= !Arrays.equals(NEW, v);
                return;
            }
            final String text = new String(k);
            final int i = text.startsWith("filler-") ? Integer.parseInt(text.substring(7)) : -1;
            if (i < 0 || !Arrays.equals(k, v))
            {
                foreign[0] = true;
                return;
            }
            seen[i]++;
        });
        int once = 0;
        for (final int count : seen)
        {
            once += 1 == count ? 1 : 0;
        }
        r.r1 = foreign[0] ? -1 : once;
        r.r2 = sawNew[0] ? 1 : 0;
    }

    @Actor
    public void write()
    {
        fixture.store.put(NEW, NEW);
        fixture.store.put(FILLER_0, FILLER_0);
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        r.r3 = fixture.intact() && fixture.resized() && 1 + ByteStoreFixture.FILLER_COUNT == fixture.store.size() ? 1 : 0;
        fixture.close();
    }
}
