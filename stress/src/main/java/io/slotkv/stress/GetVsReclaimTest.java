package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static io.slotkv.stress.MapFixture.FIRST_FILLER;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a lock-free get racing resizes that retire and release the tables it is reading (anonymous memory is given
 * back with MADV_DONTNEED and reads as zeros; store file space is handed out again to the next table) still finds
 * every key with its value: it follows frozen slots into the next table, and a word read from released or reused
 * memory is discarded because the table's retired flag is checked after it.
 *
 * The writer inserts 40 new keys into the 16-slot table that already holds the 10 fillers: three replacements
 * (16 -> 32 -> 64 -> 128 slots: a full table is replaced by one with room for twice its entries at the max load, so
 * at 0.7 the 11th, 23rd and 45th entries replace it), each retiring and releasing the table before it. The reader
 * reads two fillers.
 *
 * Results: r1 = get(1000), r2 = get(1009), r3 = 1 if afterwards every key has its value.
 *
 * Run: java -jar stress/target/jcstress.jar -t GetVsReclaimTest
 */
public class GetVsReclaimTest
{
    static final long LAST_FILLER = FIRST_FILLER + MapFixture.FILLER_COUNT - 1;
    static final long[] NEW_KEYS = new long[40];

    static
    {
        for (int i = 0; i < NEW_KEYS.length; i++)
        {
            NEW_KEYS[i] = i + 1;
        }
    }

    static void grow(final MapFixture fixture)
    {
        for (final long key : NEW_KEYS)
        {
            fixture.map.put(key, key);
        }
    }

    static void read(final MapFixture fixture, final JJJ_Result r)
    {
        r.r1 = fixture.map.get(FIRST_FILLER);
        r.r2 = fixture.map.get(LAST_FILLER);
    }

    static void settle(final MapFixture fixture, final JJJ_Result r)
    {
        r.r3 = fixture.map.capacity() >= 128 && fixture.intact(NEW_KEYS) ? 1 : 0;
        fixture.close();
    }

    @Outcome(id = "1000, 1009, 1", expect = ACCEPTABLE, desc = "Both fillers found, whatever table they were in.")
    @Outcome(expect = FORBIDDEN, desc = "A filler absent or garbage: a word of released or reused memory was used.")
    public static class Outcomes
    {
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @State
    public static class Anonymous
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer()
        {
            grow(fixture);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            read(fixture, r);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            settle(fixture, r);
        }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @State
    public static class Mapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer()
        {
            grow(fixture);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            read(fixture, r);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            settle(fixture, r);
        }
    }
}
