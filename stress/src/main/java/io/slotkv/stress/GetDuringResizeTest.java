package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static io.slotkv.stress.MapFixture.FIRST_FILLER;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a lock-free get racing a resize never returns a stale value once the resize is observed complete, and never
 * garbage: a key the resize moves is always found, with its value.
 *
 * The table starts one key short of its threshold. The writer updates filler 1000 to 7, then inserts key 1 (the
 * table's last free key) and key 2, which finds the table full and resizes it; key 2 exists only in the new table.
 * The reader looks at evidence of the resize first (key 2 present, or the map's capacity grown), then reads filler
 * 1000, then untouched filler 1009.
 *
 * Results (NewKeyFirst*): r1 = get(2), r2 = get(1000), r3 = get(1009), r4 = 1 if afterwards the table grew and every
 * key has its value. Results (CapacityFirst): r1 = 1 if capacity() had grown, r2, r3 as above.
 *
 * Run: java -jar stress/target/jcstress.jar -t GetDuringResizeTest
 */
public class GetDuringResizeTest
{
    static final long UPDATED = FIRST_FILLER;
    static final long UNTOUCHED = FIRST_FILLER + MapFixture.FILLER_COUNT - 1;

    static void updateThenResize(final MapFixture fixture)
    {
        fixture.map.put(UPDATED, 7);
        fixture.map.put(1, 1);
        fixture.map.put(2, 2);
    }

    static boolean settled(final MapFixture fixture)
    {
        return fixture.resized() && 7 == fixture.map.get(UPDATED) && fixture.intactExcept(UPDATED, 1, 2);
    }

    @Outcome(id = "-1, 1000, 1009, 1", expect = ACCEPTABLE, desc = "Read before the update.")
    @Outcome(id = "-1, 7, 1009, 1",    expect = ACCEPTABLE, desc = "Read after the update, before key 2 was inserted.")
    @Outcome(id = "2, 7, 1009, 1",     expect = ACCEPTABLE, desc = "Read after the resize and key 2's insert.")
    @Outcome(id = "2, 1000, .*",       expect = FORBIDDEN,  desc = "Stale: the resize was seen complete, the update not.")
    @Outcome(id = ".*, 1009, 0",       expect = FORBIDDEN,  desc = "A key lost or changed afterwards, or no resize.")
    @Outcome(                          expect = FORBIDDEN,  desc = "Garbage: a moved key absent, or a value nobody wrote.")
    public static class NewKeyFirstOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(NewKeyFirstOutcomes.class)
    @State
    public static class NewKeyFirst
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer()
        {
            updateThenResize(fixture);
        }

        @Actor
        public void reader(final JJJJ_Result r)
        {
            r.r1 = fixture.map.get(2);
            r.r2 = fixture.map.get(UPDATED);
            r.r3 = fixture.map.get(UNTOUCHED);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r4 = settled(fixture) ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(NewKeyFirstOutcomes.class)
    @State
    public static class NewKeyFirstMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer()
        {
            updateThenResize(fixture);
        }

        @Actor
        public void reader(final JJJJ_Result r)
        {
            r.r1 = fixture.map.get(2);
            r.r2 = fixture.map.get(UPDATED);
            r.r3 = fixture.map.get(UNTOUCHED);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r4 = settled(fixture) ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "0, 1000, 1009", expect = ACCEPTABLE, desc = "Read before the update and the resize.")
    @Outcome(id = "0, 7, 1009",    expect = ACCEPTABLE, desc = "Read after the update, before the resize.")
    @Outcome(id = "1, 7, 1009",    expect = ACCEPTABLE, desc = "Read after the resize.")
    @Outcome(id = "1, 1000, .*",   expect = FORBIDDEN,  desc = "Stale: the new table was seen, the update made before it not.")
    @Outcome(                      expect = FORBIDDEN,  desc = "Garbage: a moved key absent, or a value nobody wrote.")
    @State
    public static class CapacityFirst
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer()
        {
            updateThenResize(fixture);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            r.r1 = fixture.resized() ? 1 : 0;
            r.r2 = fixture.map.get(UPDATED);
            r.r3 = fixture.map.get(UNTOUCHED);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            if (!settled(fixture))
            {
                r.r3 = -1000; // a key lost or changed afterwards, or no resize: falls to the FORBIDDEN default
            }
            fixture.close();
        }
    }
}
