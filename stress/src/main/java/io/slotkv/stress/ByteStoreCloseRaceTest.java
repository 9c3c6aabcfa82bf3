package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: operations racing close either complete or fail with IllegalStateException: no crash, no hang, no value
 * that was never written. A get that loaded the table before close may read memory close gives back (it reads
 * zeros): it must notice and fail, not return what it read.
 *
 * Results: r1 = a get's outcome (1 = the value, 7 = IllegalStateException, 9 = anything else), r2 = the put after
 * it by the same actor (1 = done, 7 = IllegalStateException), r3 = 1 if close returned. Two actors (2 CPUs).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreCloseRaceTest
 */
@JCStressTest
@Outcome(id = "[17], [17], 1", expect = ACCEPTABLE, desc = "Each operation completed or saw the store closed.")
@Outcome(expect = FORBIDDEN, desc = "A value nobody wrote, an absent key that had one, or another exception.")
@State
public class ByteStoreCloseRaceTest
{
    static final byte[] K = key("k");
    static final byte[] V = bytes(50, 'v');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    {
        fixture.store.put(K, V);
    }

    @Actor
    public void getterThenPutter(final III_Result r)
    {
        try
        {
            r.r1 = 1 == which(fixture.store.get(K), V) ? 1 : 9;
        }
        catch (final IllegalStateException ex)
        {
            r.r1 = 7;
        }
        try
        {
            fixture.store.put(key("other"), V);
            r.r2 = 1;
        }
        catch (final IllegalStateException ex)
        {
            r.r2 = 7;
        }
    }

    @Actor
    public void closer(final III_Result r)
    {
        fixture.close();
        r.r3 = 1;
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        fixture.close();
    }
}
