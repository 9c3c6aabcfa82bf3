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
 * Claim: replace(k, expected, v) is a compare-and-set. Two of them expecting the same current value: exactly one
 * succeeds and its value stays. Racing an unconditional replace(k, v): the two are ordered, so they cannot both
 * have replaced the original value.
 *
 * Results (IfEqual*): r1, r2 = 1 if actor1's replace(k, 0, 1) / actor2's replace(k, 0, 2) succeeded, r3 = get(k)
 * afterwards, r4 = 1 if the filler keys (and side keys) kept their values and, in the resize variants, the table grew.
 * Results (VersusReplace): r1 = 1 if replace(k, 0, 1) succeeded, r2 = replace(k, 2) (the previous value), r3, r4 as
 * above.
 *
 * Run: java -jar stress/target/jcstress.jar -t ReplaceTest
 */
public class ReplaceTest
{
    static final long KEY = 7;
    static final long SIDE_1 = 1;
    static final long SIDE_2 = 2;

    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "actor1's CAS won.")
    @Outcome(id = "0, 1, 2, 1", expect = ACCEPTABLE, desc = "actor2's CAS won.")
    @Outcome(id = "1, 1, .*",   expect = FORBIDDEN,  desc = "Both CASes succeeded on one expected value.")
    @Outcome(id = "0, 0, .*",   expect = FORBIDDEN,  desc = "Both CASes failed though the value was expected.")
    @Outcome(id = ".*, 0",      expect = FORBIDDEN,  desc = "Another key lost or changed, or no resize.")
    @Outcome(                   expect = FORBIDDEN,  desc = "The final value is not the winner's.")
    public static class IfEqualOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(IfEqualOutcomes.class)
    @State
    public static class IfEqual
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public IfEqual()
        {
            fixture.map.put(KEY, 0);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.replace(KEY, 0, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.replace(KEY, 0, 2) ? 1 : 0;
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
    @JCStressMeta(IfEqualOutcomes.class)
    @State
    public static class IfEqualZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public IfEqualZeroKey()
        {
            fixture.map.put(0, 0);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.replace(0, 0, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.replace(0, 0, 2) ? 1 : 0;
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
    @JCStressMeta(IfEqualOutcomes.class)
    @State
    public static class IfEqualDuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public IfEqualDuringResize()
        {
            fixture.map.put(KEY, 0);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.replace(KEY, 0, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.replace(KEY, 0, 2) ? 1 : 0;
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
    @JCStressMeta(IfEqualOutcomes.class)
    @State
    public static class IfEqualDuringResizeMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        public IfEqualDuringResizeMapped()
        {
            fixture.map.put(KEY, 0);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.replace(KEY, 0, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.replace(KEY, 0, 2) ? 1 : 0;
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
    @Outcome(id = "1, 1, 2, 1", expect = ACCEPTABLE, desc = "The CAS, then the replace (it saw the CAS's value).")
    @Outcome(id = "0, 0, 2, 1", expect = ACCEPTABLE, desc = "The replace, then the CAS (it failed on the new value).")
    @Outcome(id = "1, 0, .*",   expect = FORBIDDEN,  desc = "Both replaced the original value: one update lost.")
    @Outcome(id = ".*, 0",      expect = FORBIDDEN,  desc = "Another key lost or changed.")
    @Outcome(                   expect = FORBIDDEN,  desc = "Any other result is not linearizable.")
    @State
    public static class VersusReplace
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public VersusReplace()
        {
            fixture.map.put(KEY, 0);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.replace(KEY, 0, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.replace(KEY, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            r.r3 = fixture.map.get(KEY);
            r.r4 = fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }
}
