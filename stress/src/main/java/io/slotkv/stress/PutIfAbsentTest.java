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
 * Claim: of two putIfAbsent(k, v) racing on an absent key exactly one wins (returns the missing value -1) and the
 * loser returns the winner's value, which is the key's final value.
 *
 * Results: r1 = actor1's putIfAbsent(k, 1), r2 = actor2's putIfAbsent(k, 2), r3 = get(k) afterwards, r4 = 1 if the
 * filler keys (and side keys) kept their values and, in the resize variants, the table grew.
 *
 * Variants: a never-used key; a removed key (its slot is claimed but holds no value, the state an insert leaves
 * while its value is not yet written); key 0 (a side word); and a race with a resize (each actor first inserts a
 * new side key; anonymous memory and a store file).
 *
 * Run: java -jar stress/target/jcstress.jar -t PutIfAbsentTest
 */
@Outcome(id = "-1, 1, 1, 1", expect = ACCEPTABLE, desc = "actor1 won, actor2 saw its value.")
@Outcome(id = "2, -1, 2, 1", expect = ACCEPTABLE, desc = "actor2 won, actor1 saw its value.")
@Outcome(id = "-1, -1, .*",  expect = FORBIDDEN,  desc = "Both won: two inserts of one key.")
@Outcome(id = ".*, 0",       expect = FORBIDDEN,  desc = "Another key lost or changed, or no resize.")
@Outcome(                    expect = FORBIDDEN,  desc = "The loser saw a value other than the winner's, or none won.")
public class PutIfAbsentTest
{
    static final long KEY = 7;
    static final long SIDE_1 = 1;
    static final long SIDE_2 = 2;

    @JCStressTest
    @JCStressMeta(PutIfAbsentTest.class)
    @State
    public static class Insert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.putIfAbsent(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.putIfAbsent(KEY, 2);
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
    @JCStressMeta(PutIfAbsentTest.class)
    @State
    public static class AfterRemove
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public AfterRemove()
        {
            fixture.map.put(KEY, 9);
            fixture.map.remove(KEY);
        }

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.putIfAbsent(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.putIfAbsent(KEY, 2);
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
    @JCStressMeta(PutIfAbsentTest.class)
    @State
    public static class ZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            r.r1 = fixture.map.putIfAbsent(0, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            r.r2 = fixture.map.putIfAbsent(0, 2);
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
    @JCStressMeta(PutIfAbsentTest.class)
    @State
    public static class DuringResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.putIfAbsent(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.putIfAbsent(KEY, 2);
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
    @JCStressMeta(PutIfAbsentTest.class)
    @State
    public static class DuringResizeMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void actor1(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_1, SIDE_1);
            r.r1 = fixture.map.putIfAbsent(KEY, 1);
        }

        @Actor
        public void actor2(final JJJJ_Result r)
        {
            fixture.map.put(SIDE_2, SIDE_2);
            r.r2 = fixture.map.putIfAbsent(KEY, 2);
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
