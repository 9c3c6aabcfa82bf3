package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: writers of values of different lengths on one key never make a reader see a mix: a get returns the old
 * value or one writer's whole value, and afterwards the key holds one writer's value. Each put frees the entry it
 * replaces, so the reader may be copying a block while it is reused. Two actors (this machine kind has 2 CPUs): A
 * puts; B reads, then puts.
 *
 * Results: r1 = the value the reader got (0 absent, 1 = old 10 x 'o', 2 = 4 x 'a', 9 = anything else),
 * r2 = the final value (2 or 3), r3 = 1 if the filler keys are intact.
 *
 * Variants: Update - the key exists; Insert - the key is new in a table at its threshold, so the first of the two
 * new keys (K or OTHER) replaces the table during the race (old value: absent, 0).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreWholeValueTest
 */
public class ByteStoreWholeValueTest
{
    static final byte[] K = key("k");
    static final byte[] OLD = bytes(10, 'o');
    static final byte[] A = bytes(4, 'a');
    static final byte[] B = bytes(300, 'b');

    @Outcome(id = "[0-2], [23], 1", expect = ACCEPTABLE, desc = "The old value (absent in Insert), or A's whole value.")
    @Outcome(id = "9, .*", expect = FORBIDDEN, desc = "A torn or foreign value.")
    @Outcome(expect = FORBIDDEN, desc = "A lost write, a final value nobody wrote, or a damaged filler key.")
    public static class Outcomes
    {
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @State
    public static class Update
    {
        final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

        {
            fixture.store.put(K, OLD);
        }

        @Actor
        public void writerA()
        {
            fixture.store.put(K, A);
        }

        @Actor
        public void readerThenWriterB(final III_Result r)
        {
            final int seen = which(fixture.store.get(K), OLD, A, B);
            r.r1 = 0 == seen ? 9 : seen; // the key always has a value here
            fixture.store.put(K, B);
        }

        @Arbiter
        public void arbiter(final III_Result r)
        {
            r.r2 = which(fixture.store.get(K), OLD, A, B);
            r.r3 = fixture.intact() ? 1 : 0;
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @State
    public static class Insert
    {
        static final byte[] OTHER = key("other");
        final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

        @Actor
        public void writerA()
        {
            fixture.store.put(K, A);
        }

        @Actor
        public void readerThenWriterB(final III_Result r)
        {
            fixture.store.put(OTHER, OTHER); // this or A's insert of K replaces the table
            r.r1 = which(fixture.store.get(K), OLD, A, B);
            fixture.store.put(K, B);
        }

        @Arbiter
        public void arbiter(final III_Result r)
        {
            r.r2 = which(fixture.store.get(K), OLD, A, B);
            r.r3 = fixture.intact() && fixture.resized() &&
                java.util.Arrays.equals(OTHER, fixture.store.get(OTHER)) ? 1 : 0;
            fixture.close();
        }
    }
}
