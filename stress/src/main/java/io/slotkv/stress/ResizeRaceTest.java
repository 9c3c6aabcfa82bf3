package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJJ_Result;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import java.util.HashSet;
import java.util.Set;

import static io.slotkv.stress.MapFixture.FIRST_FILLER;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: inserts that resize a segment's table race safely with every operation on the other keys of that segment:
 * nothing is lost, nothing is duplicated, every get returns a value that was written.
 *
 * Each state starts with the table one key short of its threshold (10 filler keys, filler k = k). The inserter
 * inserts keys 1, 2, 3 (value = key): the second of them finds the table full and replaces it while the other actor
 * works on filler key 1000 (put, get, increment, remove) or inserts keys 21, 22, 23 of its own.
 *
 * Results: r1 = how many of the inserter's puts returned "absent" (3); then per variant, see the outcome tables; the
 * last result is 1 if, afterwards, the table grew, every other key has its value and size() is exact.
 *
 * Run: java -jar stress/target/jcstress.jar -t ResizeRaceTest
 */
public class ResizeRaceTest
{
    static final long TARGET = FIRST_FILLER;
    static final long LAST_FILLER = FIRST_FILLER + MapFixture.FILLER_COUNT - 1;

    static long insert(final MapFixture fixture, final long first)
    {
        long inserted = 0;
        for (long key = first; key < first + 3; key++)
        {
            if (MapFixture.MISSING == fixture.map.put(key, key))
            {
                inserted++;
            }
        }
        return inserted;
    }

    /**
     * @return true if forEach passes every key of the map exactly once with its own value and there are
     * {@code expected} of them.
     */
    static boolean forEachExact(final MapFixture fixture, final int expected)
    {
        final Set<Long> keys = new HashSet<>();
        final long[] visits = new long[1];
        final boolean[] ownValues = {true};
        fixture.map.forEach((key, value) ->
        {
            visits[0]++;
            keys.add(key);
            ownValues[0] &= key == value;
        });
        return ownValues[0] && expected == visits[0] && expected == keys.size() && expected == fixture.map.size();
    }

    @Outcome(id = "3, 1000, 7, 1",         expect = ACCEPTABLE, desc = "The put saw the filler's value and its value stayed.")
    @Outcome(id = ".*, 1000, -?[0-9]+, .", expect = FORBIDDEN,  desc = "The put's value was lost (or copied stale).")
    @Outcome(id = ".*, 0",                 expect = FORBIDDEN,  desc = "An inserted or filler key lost, or no resize.")
    @Outcome(                              expect = FORBIDDEN,  desc = "The put saw a value nobody wrote, or an insert failed.")
    public static class VersusPutOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(VersusPutOutcomes.class)
    @State
    public static class VersusPut
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void inserter(final JJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void updater(final JJJJ_Result r)
        {
            r.r2 = fixture.map.put(TARGET, 7);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(TARGET);
            r.r4 = fixture.resized() && fixture.intactExcept(TARGET, 1, 2, 3) && 13 == fixture.map.size() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(VersusPutOutcomes.class)
    @State
    public static class VersusPutMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void inserter(final JJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void updater(final JJJJ_Result r)
        {
            r.r2 = fixture.map.put(TARGET, 7);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(TARGET);
            r.r4 = fixture.resized() && fixture.intactExcept(TARGET, 1, 2, 3) && 13 == fixture.map.size() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "3, 1000, 1009, -1, 1", expect = ACCEPTABLE, desc = "Fillers read intact; key 3 not yet inserted.")
    @Outcome(id = "3, 1000, 1009, 3, 1",  expect = ACCEPTABLE, desc = "Fillers read intact; key 3 already inserted.")
    @Outcome(id = "3, 1000, -1, .*",      expect = FORBIDDEN,  desc = "A moved key read as absent during the resize.")
    @Outcome(id = "3, -1, .*",            expect = FORBIDDEN,  desc = "A moved key read as absent during the resize.")
    @Outcome(id = ".*, 0",                expect = FORBIDDEN,  desc = "A key lost by the resize, or no resize.")
    @Outcome(                             expect = FORBIDDEN,  desc = "A value nobody wrote (garbage or a marker word).")
    @State
    public static class VersusGet
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void inserter(final JJJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void reader(final JJJJJ_Result r)
        {
            r.r2 = fixture.map.get(TARGET);
            r.r3 = fixture.map.get(LAST_FILLER);
            r.r4 = fixture.map.get(3);
        }

        @Arbiter
        public void arbiter(final JJJJJ_Result r)
        {
            r.r5 = fixture.resized() && fixture.intact(1, 2, 3) ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "3, 1001, 1002, 1002, 1", expect = ACCEPTABLE, desc = "Both increments counted, in order.")
    @Outcome(id = ".*, 1001, 1001, .*",     expect = FORBIDDEN,  desc = "One increment lost.")
    @Outcome(id = ".*, 1001, .*",           expect = FORBIDDEN,  desc = "The count after the resize is wrong.")
    @Outcome(id = ".*, 0",                  expect = FORBIDDEN,  desc = "Another key lost or changed, or no resize.")
    @Outcome(                               expect = FORBIDDEN,  desc = "An increment started from a wrong value.")
    @State
    public static class VersusIncrement
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void inserter(final JJJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void incrementer(final JJJJJ_Result r)
        {
            r.r2 = fixture.map.incrementAndGet(TARGET);
            r.r3 = fixture.map.incrementAndGet(TARGET);
        }

        @Arbiter
        public void arbiter(final JJJJJ_Result r)
        {
            r.r4 = fixture.map.get(TARGET);
            r.r5 = fixture.resized() && fixture.intactExcept(TARGET, 1, 2, 3) && 13 == fixture.map.size() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "3, 1000, -1, 1",   expect = ACCEPTABLE, desc = "The remove took the filler's value; it stays removed.")
    @Outcome(id = "3, 1000, 1000, .", expect = FORBIDDEN,  desc = "The removed key was resurrected by the resize.")
    @Outcome(id = "3, -1, .*",        expect = FORBIDDEN,  desc = "The remove missed a key that was there.")
    @Outcome(id = ".*, 0",            expect = FORBIDDEN,  desc = "Another key lost, size wrong, or no resize.")
    @Outcome(                         expect = FORBIDDEN,  desc = "Any other result is not linearizable.")
    @State
    public static class VersusRemove
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void inserter(final JJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void remover(final JJJJ_Result r)
        {
            r.r2 = fixture.map.remove(TARGET);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(TARGET);
            r.r4 = fixture.resized() && fixture.intactExcept(TARGET, 1, 2, 3) && 12 == fixture.map.size() ? 1 : 0;
            fixture.close();
        }
    }

    @Outcome(id = "3, 3, 1, 1", expect = ACCEPTABLE, desc = "All 16 keys there once, with their values.")
    @Outcome(id = "3, 3, 0, .", expect = FORBIDDEN,  desc = "forEach/size saw a key twice, missed one, or a wrong value.")
    @Outcome(id = ".*, 0",      expect = FORBIDDEN,  desc = "A key lost or changed, or no resize.")
    @Outcome(                   expect = FORBIDDEN,  desc = "An insert of a new key did not return absent.")
    public static class VersusInsertOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(VersusInsertOutcomes.class)
    @State
    public static class VersusInsert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void inserter(final JJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void otherInserter(final JJJJ_Result r)
        {
            r.r2 = insert(fixture, 21);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = forEachExact(fixture, 16) ? 1 : 0;
            r.r4 = fixture.resized() && fixture.intact(1, 2, 3, 21, 22, 23) ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(VersusInsertOutcomes.class)
    @State
    public static class VersusInsertMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void inserter(final JJJJ_Result r)
        {
            r.r1 = insert(fixture, 1);
        }

        @Actor
        public void otherInserter(final JJJJ_Result r)
        {
            r.r2 = insert(fixture, 21);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = forEachExact(fixture, 16) ? 1 : 0;
            r.r4 = fixture.resized() && fixture.intact(1, 2, 3, 21, 22, 23) ? 1 : 0;
            fixture.close();
        }
    }
}
