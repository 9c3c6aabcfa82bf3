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
 * Claim: incrementAndGet is atomic. Two actors each increment one key twice; no update is lost (the arbiter sees
 * exactly 4), and each increment returns a distinct count, in increasing order per actor.
 *
 * Results: r1 = actor1's two results as a two-digit number (first * 10 + second), r2 = the same for actor2,
 * r3 = get(k) afterwards, r4 = 1 if the filler keys (and side keys) kept their values and, in the resize variants,
 * the table grew.
 *
 * Variants: an absent key (the first increment inserts it), key 0 (a side word, not in the table), and increments
 * racing a resize: each actor first inserts a new side key, three new keys in a table one short of its threshold
 * (anonymous memory and a store file).
 *
 * Run: java -jar stress/target/jcstress.jar -t IncrementTest
 */
@Outcome(id = {"12, 34, 4, 1", "34, 12, 4, 1"},     expect = ACCEPTABLE, desc = "One actor's increments, then the other's.")
@Outcome(id = {"13, 24, 4, 1", "24, 13, 4, 1",
               "14, 23, 4, 1", "23, 14, 4, 1"},     expect = ACCEPTABLE, desc = "The actors' increments interleaved.")
@Outcome(id = ".*, [0-3], .", expect = FORBIDDEN, desc = "Lost update: the sum is short.")
@Outcome(id = ".*, 0",        expect = FORBIDDEN, desc = "Another key lost or changed, or no resize.")
@Outcome(                     expect = FORBIDDEN, desc = "Duplicate or out-of-order counts: not atomic.")
public class IncrementTest
{
    static final long KEY = 7;
    static final long SIDE_1 = 1;
    static final long SIDE_2 = 2;

    @JCStressTest
    @JCStressMeta(IncrementTest.class)
    @State
    public static class Insert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(KEY);
            r.r1 = first * 10 + fixture.map.incrementAndGet(KEY);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(KEY);
            r.r2 = first * 10 + fixture.map.incrementAndGet(KEY);
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
    @JCStressMeta(IncrementTest.class)
    @State
    public static class ZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(0);
            r.r1 = first * 10 + fixture.map.incrementAndGet(0);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(0);
            r.r2 = first * 10 + fixture.map.incrementAndGet(0);
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
    @JCStressMeta(IncrementTest.class)
    @State
    public static class DuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            final long first = fixture.map.incrementAndGet(KEY);
            r.r1 = first * 10 + fixture.map.incrementAndGet(KEY);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(KEY);
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = first * 10 + fixture.map.incrementAndGet(KEY);
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
    @JCStressMeta(IncrementTest.class)
    @State
    public static class DuringResizeMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            final long first = fixture.map.incrementAndGet(KEY);
            r.r1 = first * 10 + fixture.map.incrementAndGet(KEY);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            final long first = fixture.map.incrementAndGet(KEY);
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = first * 10 + fixture.map.incrementAndGet(KEY);
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
