package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a reader sees the old or the new value of a key, never anything else, and reads are linearizable across
 * keys: a writer puts K then J; a reader that reads J and then K and sees J's new value must see K's new value too.
 * A broken publication (a missing release/acquire pair, a value copied stale by a resize) shows as "new J, old K".
 *
 * Results: r1 = get(J), r2 = get(K) by the reader, r3 = 1 if afterwards both keys have the new value, the filler
 * keys kept theirs, and (Insert variants) the table grew.
 *
 * Variants: Insert* - both keys are new in a table one short of its threshold, so inserting J resizes the table
 * between the two puts (old value: missing, -1); Update - both keys exist (old value 1); InsertZeroKey - K is key 0,
 * kept in a side word: the ordering must hold across the side word and the table.
 *
 * Run: java -jar stress/target/jcstress.jar -t PutGetTest
 */
public class PutGetTest
{
    static final long K = 7;
    static final long J = 8;

    @Outcome(id = "-1, -1, 1", expect = ACCEPTABLE, desc = "The reader ran before both puts.")
    @Outcome(id = "-1, 2, 1",  expect = ACCEPTABLE, desc = "The reader read J before, K after the puts.")
    @Outcome(id = "2, 2, 1",   expect = ACCEPTABLE, desc = "The reader ran after both puts.")
    @Outcome(id = "2, -1, .*", expect = FORBIDDEN,  desc = "J's new value seen, then K's missing: K lost or stale.")
    @Outcome(id = ".*, 0",     expect = FORBIDDEN,  desc = "A value was lost or changed, or the table did not grow.")
    @Outcome(                  expect = FORBIDDEN,  desc = "A value nobody wrote.")
    public static class InsertOutcomes
    {
    }

    @JCStressTest
    @JCStressMeta(InsertOutcomes.class)
    @State
    public static class Insert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer()
        {
            fixture.map.put(K, 2);
            fixture.map.put(J, 2);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            r.r1 = fixture.map.get(J);
            r.r2 = fixture.map.get(K);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            r.r3 = fixture.resized() && 2 == fixture.map.get(K) && 2 == fixture.map.get(J) && fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(InsertOutcomes.class)
    @State
    public static class InsertMapped
    {
        final MapFixture fixture = MapFixture.mapped().fill();

        @Actor
        public void writer()
        {
            fixture.map.put(K, 2);
            fixture.map.put(J, 2);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            r.r1 = fixture.map.get(J);
            r.r2 = fixture.map.get(K);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            r.r3 = fixture.resized() && 2 == fixture.map.get(K) && 2 == fixture.map.get(J) && fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "-1, -1, 1", expect = ACCEPTABLE, desc = "The reader ran before both puts.")
    @Outcome(id = "-1, 2, 1",  expect = ACCEPTABLE, desc = "The reader read J before, key 0 after the puts.")
    @Outcome(id = "2, 2, 1",   expect = ACCEPTABLE, desc = "The reader ran after both puts.")
    @Outcome(id = "2, -1, .*", expect = FORBIDDEN,  desc = "J's new value seen, then key 0 missing: stale side word.")
    @Outcome(id = ".*, 0",     expect = FORBIDDEN,  desc = "A value was lost or changed.")
    @Outcome(                  expect = FORBIDDEN,  desc = "A value nobody wrote.")
    @State
    public static class InsertZeroKey
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void writer()
        {
            fixture.map.put(0, 2);
            fixture.map.put(J, 2);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            r.r1 = fixture.map.get(J);
            r.r2 = fixture.map.get(0);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            r.r3 = 2 == fixture.map.get(0) && 2 == fixture.map.get(J) && fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1, 1",  expect = ACCEPTABLE, desc = "The reader ran before both puts.")
    @Outcome(id = "1, 2, 1",  expect = ACCEPTABLE, desc = "The reader read J before, K after the puts.")
    @Outcome(id = "2, 2, 1",  expect = ACCEPTABLE, desc = "The reader ran after both puts.")
    @Outcome(id = "2, 1, .*", expect = FORBIDDEN,  desc = "J's new value seen, then K's old one: stale read.")
    @Outcome(id = ".*, 0",    expect = FORBIDDEN,  desc = "A value was lost or changed.")
    @Outcome(                 expect = FORBIDDEN,  desc = "A value nobody wrote, or a key seen missing.")
    @State
    public static class Update
    {
        final MapFixture fixture = MapFixture.anonymous();

        public Update()
        {
            fixture.map.put(K, 1);
            fixture.map.put(J, 1);
        }

        @Actor
        public void writer()
        {
            fixture.map.put(K, 2);
            fixture.map.put(J, 2);
        }

        @Actor
        public void reader(final JJJ_Result r)
        {
            r.r1 = fixture.map.get(J);
            r.r2 = fixture.map.get(K);
        }

        @Arbiter
        public void arbiter(final JJJ_Result r)
        {
            r.r3 = 2 == fixture.map.get(K) && 2 == fixture.map.get(J) ? 1 : 0;
            fixture.close();
        }
    }
}
