package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a put and a remove of one key are linearizable: the remove's tombstone keeps the key's slot, so the put
 * either replaces the value before the remove (which then removes the put's value) or inserts after it.
 *
 * Results: r1 = put's result (true: the key had a value), r2 = remove's result, r3 = the final value (0 absent,
 * 1 = old, 2 = the put's).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStorePutRemoveTest
 */
@JCStressTest
@Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "put, then remove.")
@Outcome(id = "false, true, 2", expect = ACCEPTABLE, desc = "remove, then put (an insert).")
@Outcome(expect = FORBIDDEN, desc = "Not a sequential order of the two.")
@State
public class ByteStorePutRemoveTest
{
    static final byte[] K = key("k");
    static final byte[] OLD = bytes(20, 'o');
    static final byte[] NEW = bytes(70, 'n');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    {
        fixture.store.put(K, OLD);
    }

    @Actor
    public void put(final ZZI_Result r)
    {
        r.r1 = fixture.store.put(K, NEW);
    }

    @Actor
    public void remove(final ZZI_Result r)
    {
        r.r2 = fixture.store.remove(K);
    }

    @Arbiter
    public void arbiter(final ZZI_Result r)
    {
        r.r3 = which(fixture.store.get(K), OLD, NEW);
        if (!fixture.intact())
        {
            r.r3 = 9;
        }
        fixture.close();
    }
}
