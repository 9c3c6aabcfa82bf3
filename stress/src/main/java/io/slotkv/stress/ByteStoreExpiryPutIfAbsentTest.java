package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZI_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a putIfAbsent racing the key's expiry (SET NX on a lease that is running out) decides by the value as it
 * is at one instant: if it stores, the old value had expired; if it refuses, the old value was live, and it is gone
 * once the clock reaches its deadline. K holds A until D; the clock is at D - 1; one actor moves it to D, the other
 * puts B if K has no value.
 *
 * Results: r1 = putIfAbsent's result, r2 = K's value after both, clock at D (0 = none, 1 = A, 2 = B, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreExpiryPutIfAbsentTest
 */
@JCStressTest
@Outcome(id = "true, 2", expect = ACCEPTABLE, desc = "expired first: B stored.")
@Outcome(id = "false, 0", expect = ACCEPTABLE, desc = "A was live for putIfAbsent, then expired.")
@Outcome(id = "false, 1", expect = FORBIDDEN, desc = "A is readable after its deadline.")
@Outcome(id = "true, 0", expect = FORBIDDEN, desc = "B was stored and then lost, or stored with A's deadline.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreExpiryPutIfAbsentTest
{
    static final byte[] K = key("lease");
    static final byte[] A = bytes(40, 'a');
    static final byte[] B = bytes(40, 'b');
    static final long D = ManualClock.START + 1_000;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.putUntil(K, A, D);
        fixture.clock.set(D - 1);
    }

    @Actor
    public void expire()
    {
        fixture.clock.set(D);
    }

    @Actor
    public void acquire(final ZI_Result r)
    {
        r.r1 = fixture.store.putIfAbsent(K, B);
    }

    @Arbiter
    public void arbiter(final ZI_Result r)
    {
        r.r2 = which(fixture.store.get(K), A, B);
        fixture.close();
    }
}
