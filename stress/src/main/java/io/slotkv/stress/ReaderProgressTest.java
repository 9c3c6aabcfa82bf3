package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static io.slotkv.stress.MapFixture.MISSING;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a reader never spins forever because of a writer.
 *
 * StalledInsert: an insert claims a slot's key word first and writes the value word after. A writer stalled between
 * the two (descheduled, or dead) leaves a claimed key with no value - the same slot state that put(k) followed by
 * remove(k) leaves, which is how this test builds it. Operations on that key (get, replace, remove, putIfAbsent) and
 * on keys probing past it must finish without the writer ever resuming: the signal does nothing.
 *
 * SpinUntilPut*: a reader polling get(k) in a loop must see a later put, also when the put resizes the table
 * (the reader then meets frozen slots and waits for the new table); a read hoisted out of the loop or a stale table
 * would spin forever.
 *
 * Run: java -jar stress/target/jcstress.jar -t ReaderProgressTest
 */
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The reader finished.")
@Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "The reader did not finish: it spins or waits on a writer.")
public class ReaderProgressTest
{
    static final long KEY = 7;

    @JCStressTest(Mode.Termination)
    @JCStressMeta(ReaderProgressTest.class)
    @State
    public static class StalledInsert
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        public StalledInsert()
        {
            fixture.map.put(KEY, 1);
            fixture.map.remove(KEY); // the key word stays claimed, the value word is empty: a stalled insert
        }

        @Actor
        public void reader()
        {
            long seen = fixture.map.get(KEY);
            seen += fixture.map.replace(KEY, 2);
            seen += fixture.map.remove(KEY);
            for (long key = 1; key <= 3; key++)
            {
                seen += fixture.map.get(key); // absent keys whose probes may pass the claimed slot
            }
            if (6 * MISSING != seen)
            {
                throw new IllegalStateException("the claimed slot without a value read as a value: sum=" + seen);
            }
            if (MISSING != fixture.map.putIfAbsent(KEY, 3) || 3 != fixture.map.get(KEY))
            {
                throw new IllegalStateException("putIfAbsent did not fill the claimed slot");
            }
        }

        @Signal
        public void writerNeverResumes()
        {
            // the stalled writer never completes its insert: the reader must not depend on it
        }
    }

    @JCStressTest(Mode.Termination)
    @JCStressMeta(ReaderProgressTest.class)
    @State
    public static class SpinUntilPut
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void reader()
        {
            while (MISSING == fixture.map.get(KEY))
            {
                Thread.onSpinWait();
            }
        }

        @Signal
        public void writer()
        {
            fixture.map.put(KEY, 1);
        }
    }

    @JCStressTest(Mode.Termination)
    @JCStressMeta(ReaderProgressTest.class)
    @State
    public static class SpinUntilPutAcrossResize
    {
        final MapFixture fixture = MapFixture.anonymous().fill();

        @Actor
        public void reader()
        {
            while (MISSING == fixture.map.get(KEY))
            {
                Thread.onSpinWait();
            }
        }

        @Signal
        public void writer()
        {
            fixture.map.put(1, 1); // the table's last free key
            fixture.map.put(KEY, 1); // resizes the table, then inserts KEY into the new one
        }
    }
}
