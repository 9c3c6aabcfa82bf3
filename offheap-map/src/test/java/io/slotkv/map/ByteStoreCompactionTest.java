package io.slotkv.map;

import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.map.Segment.SimulatedCrash;
import io.slotkv.map.Segment.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.slotkv.map.ByteStorePersistenceTest.assertHolds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction of a segment's entry heap by a grow or rebuild (docs/design.md, "Compaction"): a heap that churn left
 * mostly free is replaced, with the table, by a fresh one that holds exactly the live entries; every value stays,
 * in anonymous memory and in a store file (clean reopen, crash, a crash at each step of the compacting
 * replacement), and with writers and readers racing it.
 */
@Timeout(300)
class ByteStoreCompactionTest
{
    private static final long CHUNK = 1 << 22;

    @TempDir
    Path dir;

    private OffHeapByteStore.Builder builder(final boolean file)
    {
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().segments(2).maxValueLength(4_000);
        return file ? builder.file(dir.resolve("compaction.store")).chunkSize(CHUNK) : builder;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(final SplittableRandom random, final String key)
    {
        final byte[] value = new byte[random.nextInt(10) < 8 ? 16 + random.nextInt(300) : random.nextInt(3_000)];
        random.nextBytes(value);
        final byte[] k = bytes(key);
        System.arraycopy(k, 0, value, 0, Math.min(k.length, value.length));
        return value;
    }

    /**
     * Insert {@code keys} keys, then remove all but one in ten: the tombstones keep their entries until the next
     * replacement, which then finds most of the heap reclaimable.
     */
    private static void fragment(final OffHeapByteStore store, final Map<String, byte[]> model, final long seed,
        final int keys)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < keys; i++)
        {
            final String key = "key-" + seed + "-" + i;
            final byte[] value = value(random, key);
            store.put(bytes(key), value);
            model.put(key, value);
        }
        for (int i = 0; i < keys; i++)
        {
            if (0 != i % 10)
            {
                final String key = "key-" + seed + "-" + i;
                assertTrue(store.remove(bytes(key)), key);
                model.remove(key);
            }
        }
    }

    /**
     * Insert new keys until every segment's table was replaced (a rebuild: used slots reach the threshold).
     */
    private static void insertUntilEveryTableIsReplaced(final OffHeapByteStore store, final Map<String, byte[]> model,
        final long seed)
    {
        final List<ByteTable> before = tables(store);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; !allReplaced(store, before); i++)
        {
            final String key = "new-" + seed + "-" + i;
            final byte[] value = value(random, key);
            store.put(bytes(key), value);
            model.put(key, value);
        }
    }

    private static List<ByteTable> tables(final OffHeapByteStore store)
    {
        final List<ByteTable> tables = new ArrayList<>();
        for (int i = 0; i < store.segmentCount(); i++)
        {
            tables.add(store.segment(i).table);
        }
        return tables;
    }

    private static boolean allReplaced(final OffHeapByteStore store, final List<ByteTable> before)
    {
        for (int i = 0; i < before.size(); i++)
        {
            if (store.segment(i).table == before.get(i))
            {
                return false;
            }
        }
        return true;
    }

    private static long keyValueBytes(final Map<String, byte[]> model)
    {
        long bytes = 0;
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            bytes += bytes(entry.getKey()).length + entry.getValue().length;
        }
        return bytes;
    }

    private static void assertExactAccounting(final OffHeapByteStore store, final Map<String, byte[]> model)
    {
        assertEquals(keyValueBytes(model), store.keyValueBytes(), "keys and values in use");
        long blocks = 0;
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            blocks += SizeClasses.blockLength(SizeClasses.classOf((int)EntryDescriptor.entryLength(
                bytes(entry.getKey()).length, entry.getValue().length)));
        }
        // right after a compaction and no remove since: the blocks in use are exactly the live entries'
        assertEquals(blocks, store.entryBytes(), "blocks in use");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRebuildOfAFragmentedHeapCompactsItAndKeepsEveryValue(final boolean file)
    {
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            fragment(store, model, 1, 30_000);
            final List<EntryHeap> heaps = new ArrayList<>();
            for (int i = 0; i < store.segmentCount(); i++)
            {
                heaps.add(store.segment(i).table.heap);
                assertTrue(store.segment(i).table.wantsCompaction(), "segment " + i + " is fragmented");
            }
            final long offHeapBefore = store.offHeapBytes();
            final long entryBytesBefore = store.entryBytes();
            final double fragmentationBefore = fragmentationAfterRebuild(store);
            assertTrue(fragmentationBefore > 0.5, "the removes left most of the heaps reclaimable: " +
                fragmentationBefore);
            insertUntilEveryTableIsReplaced(store, model, 2);
            for (int i = 0; i < store.segmentCount(); i++)
            {
                assertNotSame(heaps.get(i), store.segment(i).table.heap, "segment " + i + " has a new heap");
            }
            assertHolds(model, store);
            assertExactAccounting(store, model);
            System.out.printf("compaction (%s): entry blocks %,d -> %,d B, off-heap %,d -> %,d B, fragmentation " +
                "%.3f%n", file ? "file" : "anonymous", entryBytesBefore, store.entryBytes(), offHeapBefore,
                store.offHeapBytes(), store.fragmentation());
            // a rebuild that kept the heap would keep all of its arenas, and free the tombstones' blocks into them
            assertTrue(store.fragmentation() < 0.1, "fragmentation " + store.fragmentation());
            assertTrue(store.offHeapBytes() < offHeapBefore * 0.8,
                "off-heap " + store.offHeapBytes() + " of " + offHeapBefore + " (the old heaps are released)");
            churn(store, model, 3, 20_000); // the new heaps hand out and take back blocks like any other
            assertHolds(model, store);
        }
        if (file)
        {
            try (OffHeapByteStore reopened = builder(true).build())
            {
                assertTrue(reopened.recoveryReport().isEmpty(), "the clean check covers the new heaps");
                assertHolds(model, reopened);
                assertEquals(keyValueBytes(model), reopened.keyValueBytes(), "the saved accounting");
                fragment(reopened, model, 4, 20_000);
                insertUntilEveryTableIsReplaced(reopened, model, 5);
                assertHolds(model, reopened);
                reopened.abandon(); // as kill -9, after a compaction
            }
            try (OffHeapByteStore recovered = builder(true).build())
            {
                final RecoveryReport report = recovered.recoveryReport().orElseThrow();
                assertEquals(0, report.purged(), report.toString());
                assertHolds(model, recovered);
                assertEquals(keyValueBytes(model), recovered.keyValueBytes(), "the rebuilt accounting");
                churn(recovered, model, 6, 10_000);
                assertHolds(model, recovered);
            }
            try (OffHeapByteStore reopened = builder(true).verifyOnOpen(true).build())
            {
                assertEquals(0, reopened.recoveryReport().orElseThrow().purged());
                assertHolds(model, reopened);
            }
        }
    }

    /**
     * @return the fragmentation a rebuild that keeps the heaps would leave: the tombstones' blocks freed.
     */
    private static double fragmentationAfterRebuild(final OffHeapByteStore store)
    {
        final long tombstones = tombstoneBlockBytes(store);
        final long free = store.freeBytes() + tombstones;
        return (double)free / (free + store.entryBytes() - tombstones);
    }

    private static long tombstoneBlockBytes(final OffHeapByteStore store)
    {
        long bytes = 0;
        for (int s = 0; s < store.segmentCount(); s++)
        {
            final ByteTable table = store.segment(s).table;
            for (int i = 0; i < table.capacity; i++)
            {
                final long word = table.wordAt(i);
                if (EntryRef.TOMBSTONE == EntryRef.state(word))
                {
                    bytes += table.blockLengthOf(word);
                }
            }
        }
        return bytes;
    }

    @Test
    void aHeapThatIsNotFragmentedIsKeptByAGrow()
    {
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(false).build())
        {
            final EntryHeap heap = store.segment(0).table.heap;
            final SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 20_000; i++)
            {
                final String key = "grow-" + i;
                final byte[] value = value(random, key);
                store.put(bytes(key), value);
                model.put(key, value);
            }
            assertTrue(store.capacity() > 2 * 64, "the tables grew");
            assertSame(heap, store.segment(0).table.heap, "growth alone never compacts");
            assertHolds(model, store);
        }
    }

    private static void churn(final OffHeapByteStore store, final Map<String, byte[]> model, final long seed,
        final int operations)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<String> keys = new ArrayList<>(model.keySet());
        Collections.sort(keys);
        for (int i = 0; i < operations; i++)
        {
            final String key = random.nextBoolean() && !keys.isEmpty() ? keys.get(random.nextInt(keys.size())) :
                "churn-" + seed + "-" + random.nextInt(5_000);
            if (random.nextInt(10) < 7)
            {
                final byte[] value = value(random, key);
                assertEquals(model.containsKey(key), store.put(bytes(key), value), key);
                model.put(key, value);
            }
            else
            {
                assertEquals(model.containsKey(key), store.remove(bytes(key)), key);
                model.remove(key);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aCrashAtAnyStepOfACompactingReplacementLosesNothing(final Step step)
    {
        final Path file = dir.resolve("crash-" + step + ".store");
        final Map<String, byte[]> model = new HashMap<>();
        final OffHeapByteStore store = OffHeapByteStore.builder().file(file).segments(1).chunkSize(CHUNK)
            .maxValueLength(4_000).build();
        fragment(store, model, 8, 12_000);
        assertTrue(store.segment(0).table.wantsCompaction());
        final ByteTable before = store.segment(0).table;
        store.segment(0).crashAt = step;
        store.segment(0).crashAfterSlots = 37;
        final SplittableRandom random = new SplittableRandom(9);
        String pending = null;
        try
        {
            for (int i = 0; ; i++)
            {
                pending = "new-" + i;
                final byte[] value = value(random, pending);
                store.put(bytes(pending), value);
                model.put(pending, value);
            }
        }
        catch (final SimulatedCrash expected)
        {
            // the put of 'pending' never returned: it met the replacement that died
        }
        assertSame(before, store.segment(0).table, "the crash stopped the replacement before it was published");
        store.abandon();
        try (OffHeapByteStore reopened = OffHeapByteStore.builder().file(file).build())
        {
            final RecoveryReport report = reopened.recoveryReport().orElseThrow();
            assertEquals(0, report.purged(), report.toString());
            assertEquals(step == Step.INTENT_RECORDED || step == Step.COPYING ? 1 : 0,
                report.replacementsAbandoned(), report.toString());
            assertEquals(step == Step.COMMITTED ? 1 : 0, report.replacementsCleared(), report.toString());
            assertFalse(reopened.containsKey(bytes(pending)), "the interrupted put was never acknowledged");
            assertHolds(model, reopened);
            assertEquals(keyValueBytes(model), reopened.keyValueBytes(), "the rebuilt accounting");
            if (step == Step.COMMITTED)
            {
                assertTrue(reopened.fragmentation() < 0.25, "the committed compaction holds: " +
                    reopened.fragmentation());
            }
            churn(reopened, model, 10, 20_000); // it keeps working: replaces (and compacts) again
            assertHolds(model, reopened);
        }
        try (OffHeapByteStore reopened = OffHeapByteStore.builder().file(file).verifyOnOpen(true).build())
        {
            assertEquals(0, reopened.recoveryReport().orElseThrow().purged());
            assertHolds(model, reopened);
        }
    }

    /**
     * A compacting replacement whose allocation fails (the new heap's root, the new table, the new heap's arena,
     * which {@link ByteTable#copyEntriesInto} allocates after it froze the whole table) leaves the segment as it
     * was: same table, same heap, every word thawed, every value there; the caller gets the failure, and the next
     * replacement compacts.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aCompactionWhoseAllocationFailsLeavesTheSegmentAsItWas(final int failing)
    {
        final FaultySpace space = new FaultySpace(new AnonymousMemorySpace());
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = OffHeapByteStore.builder().space(space).segments(1).maxValueLength(4_000)
            .build())
        {
            fragment(store, model, 11, 12_000);
            final ByteTable table = store.segment(0).table;
            final EntryHeap heap = table.heap;
            final SplittableRandom random = new SplittableRandom(12);
            for (int i = 0; table.used() < table.threshold; i++)
            {
                final String key = "fill-" + i;
                final byte[] value = value(random, key);
                store.put(bytes(key), value);
                model.put(key, value);
            }
            assertTrue(table.wantsCompaction());
            final Error injected = new OutOfMemoryError("injected: allocation " + failing + " of the compaction");
            space.failAllocation(failing, () -> injected);
            final Error thrown = assertThrows(Error.class,
                () -> store.put(bytes("the-trigger"), bytes("value")));
            assertSame(injected, thrown, "the caller gets the failure itself");
            assertSame(table, store.segment(0).table, "the table stays");
            assertSame(heap, store.segment(0).table.heap, "the heap stays");
            assertNull(table.next, "no replacement is pending");
            for (int i = 0; i < table.capacity; i++)
            {
                assertFalse(EntryRef.isFrozen(table.word(i)), "slot " + i + " was thawed");
            }
            assertHolds(model, store);
            insertUntilEveryTableIsReplaced(store, model, 13);
            assertNotSame(heap, store.segment(0).table.heap, "the next replacement compacts");
            assertHolds(model, store);
            assertExactAccounting(store, model);
        }
    }

    /**
     * Writers on disjoint keys insert and then remove most of their keys, over and over, so their segments' tables
     * are rebuilt again and again, most of them compacting, while readers check that every value they read is one a
     * writer wrote for that key. Exact contents at the end.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writersAndReadersRacingCompactingRebuildsLoseNothing(final boolean file) throws Exception
    {
        final int writers = 2;
        final int rounds = 6;
        final int perRound = 6_000;
        final Set<EntryHeap> heaps = Collections.newSetFromMap(new IdentityHashMap<>());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicLong reads = new AtomicLong();
        try (OffHeapByteStore store = builder(file).segments(1).build())
        {
            @SuppressWarnings("unchecked")
            final Map<String, byte[]>[] models = new Map[writers];
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++)
            {
                final int writer = w;
                models[w] = new HashMap<>();
                threads.add(new Thread(() ->
                {
                    final SplittableRandom random = new SplittableRandom(100 + writer);
                    final Map<String, byte[]> model = models[writer];
                    for (int round = 0; round < rounds; round++)
                    {
                        for (int i = 0; i < perRound; i++)
                        {
                            final String key = "w" + writer + "-" + round + "-" + i;
                            final byte[] value = value(random, key);
                            if (store.put(bytes(key), value))
                            {
                                throw new AssertionError("present before its insert: " + key);
                            }
                            model.put(key, value);
                        }
                        for (final String key : new ArrayList<>(model.keySet()))
                        {
                            if (random.nextInt(10) != 0)
                            {
                                if (!store.remove(bytes(key)))
                                {
                                    throw new AssertionError("absent before its remove: " + key);
                                }
                                model.remove(key);
                            }
                        }
                    }
                }));
            }
            threads.add(new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(200);
                while (!done.get())
                {
                    final String key = "w" + random.nextInt(writers) + "-" + random.nextInt(rounds) + "-" +
                        random.nextInt(perRound);
                    final byte[] value = store.get(bytes(key));
                    reads.incrementAndGet();
                    final byte[] k = bytes(key);
                    if (null != value)
                    {
                        for (int i = 0; i < Math.min(k.length, value.length); i++)
                        {
                            if (value[i] != k[i])
                            {
                                throw new AssertionError("a value of another key for " + key);
                            }
                        }
                    }
                    heaps.add(store.segment(0).table.heap);
                }
            }));
            for (final Thread thread : threads)
            {
                thread.setUncaughtExceptionHandler((t, ex) -> failure.compareAndSet(null, ex));
                thread.start();
            }
            for (int w = 0; w < writers; w++)
            {
                threads.get(w).join();
            }
            done.set(true);
            threads.get(writers).join();
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            final Map<String, byte[]> model = new HashMap<>();
            for (final Map<String, byte[]> part : models)
            {
                model.putAll(part);
            }
            assertHolds(model, store);
            assertEquals(keyValueBytes(model), store.keyValueBytes() - tombstoneBytes(store),
                "keys and values in use, besides the tombstones' entries");
            assertTrue(heaps.size() > 1, "the readers saw compacting rebuilds: " + heaps.size() + " heaps, " +
                reads.get() + " reads");
        }
    }

    /**
     * @return bytes of keys and values of the entries that tombstones of the current tables still hold.
     */
    private static long tombstoneBytes(final OffHeapByteStore store)
    {
        long bytes = 0;
        for (int s = 0; s < store.segmentCount(); s++)
        {
            final ByteTable table = store.segment(s).table;
            for (int i = 0; i < table.capacity; i++)
            {
                final long word = table.wordAt(i);
                if (EntryRef.TOMBSTONE == EntryRef.state(word))
                {
                    bytes += table.payloadOf(word);
                }
            }
        }
        return bytes;
    }
}
