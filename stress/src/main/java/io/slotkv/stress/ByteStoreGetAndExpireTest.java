package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.SetCondition;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: getAndExpire (Redis GETEX ... PXAT) gives its deadline to the value it returns, atomically: racing a SET
 * of B (no deadline), either it read A and A got the deadline (then B replaced A, without one), or it read B and B
 * got it. It never returns A and puts the deadline on B. K holds A without a deadline; the arbiter moves the clock
 * to the deadline D, then reads K.
 *
 * Results: r1 = what getAndExpire returned, r2 = K's value at D (0 = none, 1 = A, 2 = B, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreGetAndExpireTest
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "GETEX first (A with D), then SET B without a deadline.")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "SET B first, then GETEX gave B the deadline.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "GETEX returned A but put its deadline on B.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreGetAndExpireTest
{
    static final byte[] K = key("getex");
    static final byte[] A = bytes(24, 'a');
    static final byte[] B = bytes(40, 'b');
    static final long D = ManualClock.START + 1_000;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.put(K, A);
    }

    @Actor
    public void getex(final II_Result r)
    {
        r.r1 = which(fixture.store.getAndExpire(K, D), A, B);
    }

    @Actor
    public void set()
    {
        fixture.store.set(K, B, SetCondition.ALWAYS, OffHeapByteStore.NO_TTL);
    }

    @Arbiter
    public void arbiter(final II_Result r)
    {
        fixture.clock.set(D);
        r.r2 = which(fixture.store.get(K), A, B);
        fixture.close();
    }
}
