package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: two put(k, v) racing on one absent key are linearizable. Exactly one of them inserts (returns the missing
 * value -1), the other returns the first one's value, and the key ends with the second one's value. Nothing else in
 * the table changes, including while the table is being resized.
 *
 * Results: r1 = actor1's put(k, 1), r2 = actor2's put(k, 2), r3 = get(k) afterwards, r4 = 1 if the filler keys (and
 * the actors' side keys) kept their values and, in the resize variants, the table did grow.
 *
 * Variants: a key in the table, key 0 (kept in a side word, not in the table), and keys whose insert races a resize
 * (each actor first inserts a new side key: three new keys in a table one short of its threshold), on anonymous
 * memory and on a store file.
 *
 * Run: java -jar stress/target/jcstress.jar -t PutPutTest
 */
@Outcome(id = "-1, 1, 2, 1", expect = ACCEPTABLE, desc = "actor1 inserted, then actor2 overwrote it.")
@Outcome(id = "2, -1, 1, 1", expect = ACCEPTABLE, desc = "actor2 inserted, then actor1 overwrote it.")
@Outcome(id = "-1, -1, .*",  expect = FORBIDDEN,  desc = "Both inserted: a duplicate key or a lost insert.")
@Outcome(id = ".*, 0",       expect = FORBIDDEN,  desc = "Another key lost or changed its value, or no resize.")
@Outcome(                    expect = FORBIDDEN,  desc = "Any other result is not linearizable.")
public class PutPutTest
{
    static final long KEY = 7;
    static final long SIDE_1 = 1;
    static final long SIDE_2 = 2;

    @JCStressTest
    @JCStressMeta(PutPutTest.class)
    @State
    public static class Insert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.put(KEY, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(KEY);
            r.r4 = fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(PutPutTest.class)
    @State
    public static class InsertZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.put(0, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.put(0, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(0);
            r.r4 = fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(PutPutTest.class)
    @State
    public static class InsertDuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.put(KEY, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(KEY);
            r.r4 = fixture.resized() && fixture.intact(SIDE_1, SIDE_2) ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(PutPutTest.class)
    @State
    public static class InsertDuringResizeMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.put(KEY, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(KEY);
            r.r4 = fixture.resized() && fixture.intact(SIDE_1, SIDE_2) ? 1 : 0;
            fixture.close();
        }
    }
}
