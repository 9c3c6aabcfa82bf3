package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: an increment racing its key's expiry either happens before it, on the old value and keeping its deadline
 * (so the key is gone once the clock reaches it), or after it, on an absent key (0), storing a value without a
 * deadline. K holds "5" until D; the clock is at D - 1. One actor moves the clock to D (the key expires), the
 * other increments K.
 *
 * Results: r1 = incrBy's result, r2 = K's value after both, with the clock at D (0 = none, 1 = "6", 2 = "1").
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreExpiryIncrTest
 */
@JCStressTest
@Outcome(id = "6, 0", expect = ACCEPTABLE, desc = "incremented before the expiry, kept the deadline, then expired.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "expired first: a new counter without a deadline.")
@Outcome(id = "6, 1", expect = FORBIDDEN, desc = "the increment dropped the deadline: an expired value lives on.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the new counter took the old value's deadline.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreExpiryIncrTest
{
    static final byte[] K = key("counter");
    static final long D = ManualClock.START + 1_000;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.putUntil(K, key("5"), D);
        fixture.clock.set(D - 1);
    }

    @Actor
    public void expire()
    {
        fixture.clock.set(D);
    }

    @Actor
    public void increment(final JI_Result r)
    {
        r.r1 = fixture.store.incrBy(K, 1);
    }

    @Arbiter
    public void arbiter(final JI_Result r)
    {
        r.r2 = which(fixture.store.get(K), key("6"), key("1"));
        fixture.close();
    }
}
