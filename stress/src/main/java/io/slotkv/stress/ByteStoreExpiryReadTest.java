package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.slotkv.stress.ByteStoreFixture.filler;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a key is absent to every read from the instant its deadline passes, also while an insert replaces the
 * table (which drops an entry it finds expired on the way, deciding by its own read of the clock). The table is at
 * its threshold ({@link ByteStoreFixture#fill()}); filler 0 gets the deadline D, the clock is at D - 1. One actor
 * inserts a new key (the table is replaced); the other reads filler 0, moves the clock to D and reads it again.
 *
 * Results: r1, r2 = the two reads (0 = none, 1 = filler 0's value, 9 = other); r3 = 1 if after both filler 0
 * has no value, the other fillers and the new key have theirs, and the table was replaced.
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreExpiryReadTest
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "live before the deadline, absent from it on.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "read after its deadline: a replacement kept it readable.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreExpiryReadTest
{
    static final byte[] K = filler(0);
    static final byte[] NEW = ByteStoreFixture.key("new");
    static final long D = ManualClock.START + 1_000;

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    {
        fixture.store.putUntil(K, K, D);
        fixture.clock.set(D - 1);
    }

    @Actor
    public void insert()
    {
        fixture.store.put(NEW, NEW);
    }

    @Actor
    public void readAcrossTheDeadline(final III_Result r)
    {
        r.r1 = which(fixture.store.get(K), K);
        fixture.clock.set(D);
        r.r2 = which(fixture.store.get(K), K);
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        boolean ok = null == fixture.store.get(K) && fixture.resized() && 1 == which(fixture.store.get(NEW), NEW);
        for (int i = 1; i < ByteStoreFixture.FILLER_COUNT; i++)
        {
            ok &= 1 == which(fixture.store.get(filler(i)), filler(i));
        }
        r.r3 = ok ? 1 : 0;
        fixture.close();
    }
}
