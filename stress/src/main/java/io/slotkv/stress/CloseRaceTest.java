package io.slotkv.stress;

import io.slotkv.map.OffHeapLongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJJ_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static io.slotkv.stress.MapFixture.CLOSED;
import static io.slotkv.stress.MapFixture.FIRST_FILLER;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: close() racing an operation makes that operation either complete normally (ordered before the close: its
 * result is correct and, for a store file, its write is in the file) or throw IllegalStateException (ordered after:
 * it changed nothing). Never a crash, never another exception, never a write half-done; once an operation has seen
 * the map closed, every later one does too.
 *
 * CLOSED (-2) marks an IllegalStateException; -1 is the missing value. Store-file variants reopen the file in the
 * arbiter to see what the closed map left in it.
 *
 * Run: java -jar stress/target/jcstress.jar -t CloseRaceTest
 */
public class CloseRaceTest
{
    static final long KEY = 7;

    static long put(final OffHeapLongLongMap map, final long key, final long value)
    {
        try
        {
            return map.put(key, value);
        }
        catch (final IllegalStateException ex)
        {
            return CLOSED;
        }
    }

    static long closedAfterwards(final OffHeapLongLongMap map)
    {
        try
        {
            map.get(KEY);
            return 0;
        }
        catch (final IllegalStateException ex)
        {
            return 1;
        }
    }

    /*
     * r1 = put(k, 1) or CLOSED, r2 = 1 if get throws IllegalStateException after both actors are done.
     */
    @JCStressTest
    @Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "The put ran before the close.")
    @Outcome(id = "-2, 1", expect = ACCEPTABLE, desc = "The put saw the map closed.")
    @Outcome(id = ".*, 0", expect = FORBIDDEN,  desc = "The map still worked after close().")
    @Outcome(              expect = FORBIDDEN,  desc = "The put returned a value nobody wrote.")
    @State
    public static class PutVsClose
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer(final JJ_Result r)
        {
            r.r1 = put(fixture.map, KEY, 1);
        }

        @Actor
        public void closer()
        {
            fixture.map.close();
        }

        @Arbiter
        public void arbiter(final JJ_Result r)
        {
            r.r2 = closedAfterwards(fixture.map);
            fixture.close();
        }
    }

    /*
     * r1 = get(1000) or CLOSED, r2 = 1 if get throws IllegalStateException after both actors are done.
     */
    @JCStressTest
    @Outcome(id = "1000, 1", expect = ACCEPTABLE, desc = "The get ran before the close.")
    @Outcome(id = "-2, 1",   expect = ACCEPTABLE, desc = "The get saw the map closed.")
    @Outcome(id = ".*, 0",   expect = FORBIDDEN,  desc = "The map still worked after close().")
    @Outcome(                expect = FORBIDDEN,  desc = "The get returned garbage (freed or unmapped memory?).")
    @State
    public static class GetVsCloseMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void reader(final JJ_Result r)
        {
            try
            {
                r.r1 = fixture.map.get(FIRST_FILLER);
            }
            catch (final IllegalStateException ex)
            {
                r.r1 = CLOSED;
            }
        }

        @Actor
        public void closer()
        {
            fixture.map.close();
        }

        @Arbiter
        public void arbiter(final JJ_Result r)
        {
            r.r2 = closedAfterwards(fixture.map);
            fixture.close();
        }
    }

    /*
     * r1 = put(k, 1) or CLOSED, r2 = get(k) in the reopened store file.
     */
    @JCStressTest
    @Outcome(id = "-1, 1",  expect = ACCEPTABLE, desc = "The put ran before the close; its value is in the file.")
    @Outcome(id = "-2, -1", expect = ACCEPTABLE, desc = "The put saw the map closed and wrote nothing.")
    @Outcome(id = "-1, -1", expect = FORBIDDEN,  desc = "A put that returned normally is missing from the file.")
    @Outcome(id = "-2, 1",  expect = FORBIDDEN,  desc = "A put that threw wrote its value anyway.")
    @Outcome(               expect = FORBIDDEN,  desc = "A value nobody wrote.")
    @State
    public static class PutVsCloseMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer(final JJ_Result r)
        {
            r.r1 = put(fixture.map, KEY, 1);
        }

        @Actor
        public void closer()
        {
            fixture.map.close();
        }

        @Arbiter
        public void arbiter(final JJ_Result r)
        {
            try (OffHeapLongLongMap reopened = fixture.reopen())
            {
                r.r2 = reopened.get(KEY);
            }
            fixture.close();
        }
    }

    /*
     * Key 0 lives in a side word of the directory, with its own closed check.
     * r1 = incrementAndGet(0) or CLOSED, r2 = get(0) in the reopened store file.
     */
    @JCStressTest
    @Outcome(id = "1, 1",   expect = ACCEPTABLE, desc = "The increment ran before the close; its value is in the file.")
    @Outcome(id = "-2, -1", expect = ACCEPTABLE, desc = "The increment saw the map closed and wrote nothing.")
    @Outcome(id = "1, -1",  expect = FORBIDDEN,  desc = "An increment that returned normally is missing from the file.")
    @Outcome(id = "-2, 1",  expect = FORBIDDEN,  desc = "An increment that threw was applied anyway.")
    @Outcome(               expect = FORBIDDEN,  desc = "A value nobody wrote.")
    @State
    public static class IncrementZeroKeyVsCloseMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer(final JJ_Result r)
        {
            try
            {
                r.r1 = fixture.map.incrementAndGet(0);
            }
            catch (final IllegalStateException ex)
            {
                r.r1 = CLOSED;
            }
        }

        @Actor
        public void closer()
        {
            fixture.map.close();
        }

        @Arbiter
        public void arbiter(final JJ_Result r)
        {
            try (OffHeapLongLongMap reopened = fixture.reopen())
            {
                r.r2 = reopened.get(0);
            }
            fixture.close();
        }
    }

    /*
     * The table is one key short of its threshold: put(1) fills it, put(2) resizes it, racing the close.
     * r1 = put(1, 1), r2 = put(2, 2) (each -1 or CLOSED), r3 = get(1), r4 = get(2) in the reopened store file,
     * r5 = 1 if every filler key is in the reopened file with its value.
     */
    @JCStressTest
    @Outcome(id = "-1, -1, 1, 2, 1",   expect = ACCEPTABLE, desc = "Both puts (and the resize) before the close.")
    @Outcome(id = "-1, -2, 1, -1, 1",  expect = ACCEPTABLE, desc = "The close came between the puts.")
    @Outcome(id = "-2, -2, -1, -1, 1", expect = ACCEPTABLE, desc = "Both puts saw the map closed.")
    @Outcome(id = "-2, -1, .*",        expect = FORBIDDEN,  desc = "A put succeeded after one saw the map closed.")
    @Outcome(id = ".*, 0",             expect = FORBIDDEN,  desc = "Filler keys lost from the file.")
    @Outcome(                          expect = FORBIDDEN,  desc = "The file does not match the puts' results.")
    @State
    public static class ResizingPutsVsCloseMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer(final JJJJJ_Result r)
        {
            r.r1 = put(fixture.map, 1, 1);
            r.r2 = put(fixture.map, 2, 2);
        }

        @Actor
        public void closer()
        {
            fixture.map.close();
        }

        @Arbiter
        public void arbiter(final JJJJJ_Result r)
        {
            try (OffHeapLongLongMap reopened = fixture.reopen())
            {
                r.r3 = reopened.get(1);
                r.r4 = reopened.get(2);
                boolean intact = true;
                for (long key = FIRST_FILLER; key < FIRST_FILLER + MapFixture.FILLER_COUNT; key++)
                {
                    intact &= key == reopened.get(key);
                }
                r.r5 = intact ? 1 : 0;
            }
            fixture.close();
        }
    }

    /*
     * The next owner opens the store the moment close() returns, while the closed map's writer may still be inside
     * its put: no write of the closed map may reach the file after that (the close froze every slot it could reach,
     * after copying them into tables only the directory names).
     * r1 = put(k, 1) or CLOSED; r2 = get(k) in the store reopened right after close(); r3 = get(k) in that same
     * reopened map after the writer finished.
     */
    @JCStressTest
    @Outcome(id = "-1, 1, 1",   expect = ACCEPTABLE, desc = "The put ran before the close; the next owner sees it.")
    @Outcome(id = "-2, -1, -1", expect = ACCEPTABLE, desc = "The put saw the map closed and wrote nothing.")
    @Outcome(id = "-1, -1, .*", expect = FORBIDDEN,  desc = "A put that returned normally missed the next owner.")
    @Outcome(id = ".*, -1, 1",  expect = FORBIDDEN,  desc = "A write of the closed map reached the next owner.")
    @Outcome(                   expect = FORBIDDEN,  desc = "A value nobody wrote.")
    @State
    public static class PutVsCloseAndReopenMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();
        volatile OffHeapLongLongMap next;

        @Actor
        public void writer(final JJJ_Result r)
        {
            r.r1 = put(fixture.map, KEY, 1);
        }

        @Actor
        public void closerThenNextOwner(final JJJ_Result r)
        {
            fixture.map.close();
            final OffHeapLongLongMap reopened = fixture.reopen();
            next = reopened;
            r.r2 = reopened.get(KEY);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            try (OffHeapLongLongMap reopened = next)
            {
                r.r3 = reopened.get(KEY);
            }
            fixture.close();
        }
    }
}
