package io.slotkv.stress;

import io.slotkv.map.ManualClock;
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
 * Claim: the sweeper never removes a key whose current entry it did not see expire. K holds A, expired (its
 * deadline is the clock's time). One actor sweeps every slot; the other puts C and then B (A's size class, so B
 * can take A's freed block back: the same position as the word the sweeper read, with a new generation), each with
 * a deadline in the future. A sweep whose CAS matched a recycled block, or that judged the old entry and removed the
 * new one, would leave K without a value.
 *
 * Results: r1 = keys the sweep expired, r2 = K's value after both (0 = none, 1 = A, 2 = B, 3 = C, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreExpirySweepTest
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the sweep removed expired A first, then C and B were put.")
@Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "the puts came first: the sweep saw only live values.")
@Outcome(id = "[01], 0", expect = FORBIDDEN, desc = "the sweep removed a live value.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreExpirySweepTest
{
    static final byte[] K = key("k");
    static final byte[] A = bytes(30, 'a');
    static final byte[] B = bytes(30, 'b');
    static final byte[] C = bytes(500, 'c');
    static final long NOW = ManualClock.START;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.putUntil(K, A, NOW);
    }

    @Actor
    public void sweep(final II_Result r)
    {
        r.r1 = fixture.store.sweepExpired(ByteStoreFixture.INITIAL_CAPACITY);
    }

    @Actor
    public void put()
    {
        fixture.store.put(K, C, 60_000);
        fixture.store.put(K, B, 60_000);
    }

    @Arbiter
    public void arbiter(final II_Result r)
    {
        r.r2 = which(fixture.store.get(K), A, B, C);
        fixture.close();
    }
}
