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
 * Claim: removes are linearizable. remove racing put on a present key (value 1): either the remove takes 1 and the
 * put inserts anew (the key ends with 2), or the put replaces 1 and the remove takes 2 (the key ends missing); a
 * removed entry never comes back and a put is never lost. Two removes of a present key: exactly one returns the
 * value, the key ends missing. Two remove(k, 1): exactly one returns true.
 *
 * Results (RemovePut*): r1 = remove(k), r2 = put(k, 2), r3 = get(k) afterwards, r4 = 1 if the filler keys (and side
 * keys) kept their values and, in the resize variants, the table grew.
 * Results (RemoveRemove*): r1, r2 = the two remove(k), r3, r4 as above.
 * Results (ConditionalRemove): r1, r2 = 1 if actor1's / actor2's remove(k, 1) returned true, r3, r4 as above.
 *
 * Run: java -jar stress/target/jcstress.jar -t RemoveTest
 */
public class RemoveTest
{
    static final long KEY = 7;
    static final long SIDE_1 = 1;
    static final long SIDE_2 = 2;

    @Outcome(id = "1, -1, 2, 1",  expect = ACCEPTABLE, desc = "remove, then put inserted the key anew.")
    @Outcome(id = "2, 1, -1, 1",  expect = ACCEPTABLE, desc = "put replaced 1, then remove took 2.")
    @Outcome(id = "1, 1, .*",     expect = FORBIDDEN,  desc = "Both saw the old value: one of them was lost.")
    @Outcome(id = "1, -1, -1, .", expect = FORBIDDEN,  desc = "The put after the remove was lost.")
    @Outcome(id = "2, 1, 2, .",   expect = FORBIDDEN,  desc = "The removed value came back.")
    @Outcome(id = ".*, 0",        expect = FORBIDDEN,  desc = "Another key lost or changed, or no resize.")
    @Outcome(                     expect = FORBIDDEN,  desc = "Any other result is not linearizable.")
    public static class RemovePutOutcomes
    {
    }

    @Outcome(id = "1, -1, -1, 1", expect = ACCEPTABLE, desc = "actor1 removed the value.")
    @Outcome(id = "-1, 1, -1, 1", expect = ACCEPTABLE, desc = "actor2 removed the value.")
    @Outcome(id = "1, 1, .*",     expect = FORBIDDEN,  desc = "Both removed it: removed twice.")
    @Outcome(id = "-1, -1, .*",   expect = FORBIDDEN,  desc = "Neither removed it: the value vanished.")
    @Outcome(id = ".*, 0",        expect = FORBIDDEN,  desc = "Another key lost or changed, or no resize.")
    @Outcome(                     expect = FORBIDDEN,  desc = "The key is still there, or a value nobody wrote.")
    public static class RemoveRemoveOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(RemovePutOutcomes.class)
    @State
    public static class RemovePut
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemovePut()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.remove(KEY);
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
    @JCStressMeta(RemovePutOutcomes.class)
    @State
    public static class RemovePutZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemovePutZeroKey()
        {
            fixture.map.put(0, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.remove(0);
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
    @JCStressMeta(RemovePutOutcomes.class)
    @State
    public static class RemovePutDuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemovePutDuringResize()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.remove(KEY);
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
    @JCStressMeta(RemovePutOutcomes.class)
    @State
    public static class RemovePutDuringResizeMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        public RemovePutDuringResizeMapped()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.remove(KEY);
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
    @JCStressMeta(RemoveRemoveOutcomes.class)
    @State
    public static class RemoveRemove
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemoveRemove()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.remove(KEY);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.remove(KEY);
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
    @JCStressMeta(RemoveRemoveOutcomes.class)
    @State
    public static class RemoveRemoveZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemoveRemoveZeroKey()
        {
            fixture.map.put(0, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.remove(0);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.remove(0);
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
    @JCStressMeta(RemoveRemoveOutcomes.class)
    @State
    public static class RemoveRemoveDuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public RemoveRemoveDuringResize()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.remove(KEY);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.remove(KEY);
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
    @Outcome(id = "1, 0, -1, 1", expect = ACCEPTABLE, desc = "actor1 removed the value.")
    @Outcome(id = "0, 1, -1, 1", expect = ACCEPTABLE, desc = "actor2 removed the value.")
    @Outcome(id = "1, 1, .*",    expect = FORBIDDEN,  desc = "Both removed it: removed twice.")
    @Outcome(id = "0, 0, .*",    expect = FORBIDDEN,  desc = "Neither removed it though it had the value.")
    @Outcome(id = ".*, 0",       expect = FORBIDDEN,  desc = "Another key lost or changed.")
    @Outcome(                    expect = FORBIDDEN,  desc = "The key is still there, or a value nobody wrote.")
    @State
    public static class ConditionalRemove
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public ConditionalRemove()
        {
            fixture.map.put(KEY, 1);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.remove(KEY, 1) ? 1 : 0;
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.remove(KEY, 1) ? 1 : 0;
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
