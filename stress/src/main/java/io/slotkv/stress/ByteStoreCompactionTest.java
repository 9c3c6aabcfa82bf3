package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
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
 * Claim: a reader racing a compacting rebuild of its key's segment reads the key's value, in whichever heap: never
 * absent, never another key's or a torn value; and a writer of the key racing it loses nothing. The fixture's heap
 * holds nine 40 KB entries, one 64 KiB arena each; eight are removed (their tombstones keep the blocks), and three
 * small keys bring the table to its threshold, so the inserter's new key replaces the table by a compacting one:
 * K is copied into a fresh heap and the old heap is released (anonymous memory: its pages read zeros afterwards, so
 * a late reader of the old table must notice the table's retired flag). Two actors (the machine has 2 CPUs), so two
 * variants: Read (a reader of K), Update (a writer of K's new value, K2).
 *
 * Results: r1 = the value of K the reader saw (Read) or saw afterwards (Update: the arbiter) (1 = K1, 2 = K2,
 * 0 = absent, 9 = anything else); r2 = 1 if afterwards the new key and the small keys are there; r3 = 1 if the
 * segment's heap is a compacted one (the current heaps' arenas hold less than half of the old heap's).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreCompactionTest
 */
public class ByteStoreCompactionTest
{
    static final byte[] K = key("k");
    static final byte[] K1 = bytes(40_000, '1');
    static final byte[] K2 = bytes(40_000, '2');
    static final byte[] NEW = key("new");
    static final int REMOVED = 8;
    static final int SMALL = ByteStoreFixture.FILLER_COUNT - 1 - REMOVED;

    /**
     * The fixture: K, eight removed 40 KB keys and {@value #SMALL} small ones, at the table's threshold.
     */
    public static class Fragmented
    {
        final ByteStoreFixture fixture = ByteStoreFixture.anonymous();
        final long heapBytesBefore;

        {
            fixture.store.put(K, K1);
            for (int i = 0; i < REMOVED; i++)
            {
                fixture.store.put(removed(i), K1);
            }
            for (int i = 0; i < REMOVED; i++)
            {
                fixture.store.remove(removed(i));
            }
            for (int i = 0; i < SMALL; i++)
            {
                fixture.store.put(small(i), small(i));
            }
            heapBytesBefore = heapBytes();
        }

        long heapBytes()
        {
            return fixture.store.entryBytes() + fixture.store.freeBytes(); // the current heaps' arenas
        }

        void insert()
        {
            fixture.store.put(NEW, NEW); // the threshold-th key: a compacting rebuild
        }

        /** r2 and r3 of the results; closes the store. */
        void check(final III_Result r)
        {
            boolean intact = 1 == which(fixture.store.get(NEW), NEW);
            for (int i = 0; i < SMALL; i++)
            {
                intact &= 1 == which(fixture.store.get(small(i)), small(i));
            }
            r.r2 = intact ? 1 : 0;
            r.r3 = 2 * heapBytes() < heapBytesBefore ? 1 : 0;
            fixture.close();
        }

        private static byte[] removed(final int i)
        {
            return key("removed-" + i);
        }

        private static byte[] small(final int i)
        {
            return key("small-" + i);
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "K's value, read from the old heap or the new one.")
    @Outcome(id = "0, .*", expect = FORBIDDEN, desc = "K absent: a read missed the entry's move.")
    @Outcome(id = "9, .*", expect = FORBIDDEN, desc = "Foreign or torn bytes: a released heap read as valid.")
    @Outcome(expect = FORBIDDEN, desc = "A lost key, or no compaction (the fixture no longer compacts).")
    @State
    public static class Read extends Fragmented
    {
        @Actor
        public void inserter()
        {
            insert();
        }

        @Actor
        public void reader(final III_Result r)
        {
            r.r1 = which(fixture.store.get(K), K1, K2);
        }

        @Arbiter
        public void arbiter(final III_Result r)
        {
            check(r);
        }
    }

    @JCStressTest
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "K's new value, written before or after the compaction.")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "A lost update: the compaction copied K's old entry.")
    @Outcome(expect = FORBIDDEN, desc = "K absent or foreign, a lost key, or no compaction.")
    @State
    public static class Update extends Fragmented
    {
        @Actor
        public void inserter()
        {
            insert();
        }

        @Actor
        public void updater()
        {
            fixture.store.put(K, K2);
        }

        @Arbiter
        public void arbiter(final III_Result r)
        {
            r.r1 = which(fixture.store.get(K), K1, K2);
            check(r);
        }
    }
}
