package io.slotkv.map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters of both maps against a {@link java.util.HashMap} model that counts by the rules of
 * {@link StoreStatistics} (single-threaded, so every counter is exact and no CAS fails), the sizes in a snapshot,
 * statistics turned off, resizes and recoveries. Set {@code -Dslotkv.seed=N} to replay a failure.
 */
class StoreStatisticsTest
{
    private static final int OPERATIONS = 200_000;

    @TempDir
    Path dir;

    /** What the model expects the counters to be. */
    private static final class Expected
    {
        long hits;
        long misses;
        long inserts;
        long updates;
        long removes;
        long expired;

        void read(final boolean present)
        {
            if (present)
            {
                hits++;
            }
            else
            {
                misses++;
            }
        }

        void put(final boolean present)
        {
            if (present)
            {
                updates++;
            }
            else
            {
                inserts++;
            }
        }

        void check(final long seed, final int step, final StoreStatistics actual, final boolean allExpiredSettled)
        {
            final String where = "seed=" + seed + ", step=" + step + ": " + actual;
            assertTrue(actual.counting(), where);
            assertEquals(hits, actual.hits(), "hits, " + where);
            assertEquals(misses, actual.misses(), "misses, " + where);
            assertEquals(inserts, actual.inserts(), "inserts, " + where);
            assertEquals(updates, actual.updates(), "updates, " + where);
            assertEquals(removes, actual.removes(), "removes, " + where);
            assertEquals(hits + misses, actual.gets(), where);
            assertEquals(inserts + updates, actual.puts(), where);
            assertEquals(0, actual.casRetries(), "no CAS fails on one thread, " + where);
            if (allExpiredSettled) // else the store may have swept keys the model has not settled yet
            {
                assertEquals(expired, actual.expired(), "expired, " + where);
            }
        }
    }

    @Test
    void theLongMapCountsLikeTheModel()
    {
        final long seed = Long.getLong("slotkv.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Long, Long> model = new HashMap<>();
        final Expected expected = new Expected();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(4).build())
        {
            final ConcurrentMap<Long, Long> view = map.asConcurrentMap();
            final long[] keys = new long[8];
            final long[] values = new long[8];
            for (int step = 0; step < OPERATIONS; step++)
            {
                // key 0 lives apart (segment 0's header): it is in the range on purpose
                final long key = random.nextInt(step < OPERATIONS / 2 ? 64 : 4096);
                final long value = random.nextInt(4);
                final Long old = model.get(key);
                final boolean present = null != old;
                switch (random.nextInt(13))
                {
                    case 0:
                        map.get(key);
                        expected.read(present);
                        break;
                    case 1:
                        map.containsKey(key);
                        expected.read(present);
                        break;
                    case 2:
                        map.put(key, value);
                        model.put(key, value);
                        expected.put(present);
                        break;
                    case 3:
                        map.putIfAbsent(key, value);
                        if (!present)
                        {
                            model.put(key, value);
                            expected.inserts++;
                        }
                        break;
                    case 4:
                        map.replace(key, value);
                        if (present)
                        {
                            model.put(key, value);
                            expected.updates++;
                        }
                        break;
                    case 5:
                        if (map.replace(key, value, value + 1))
                        {
                            model.put(key, value + 1);
                            expected.updates++;
                        }
                        break;
                    case 6:
                        map.remove(key);
                        if (null != model.remove(key))
                        {
                            expected.removes++;
                        }
                        break;
                    case 7:
                        if (map.remove(key, value))
                        {
                            model.remove(key);
                            expected.removes++;
                        }
                        break;
                    case 8:
                        map.addAndGet(key, 1);
                        model.merge(key, 1L, Long::sum);
                        expected.put(present);
                        break;
                    case 9:
                        view.get(key);
                        expected.read(present);
                        break;
                    case 10:
                        view.put(key, value);
                        model.put(key, value);
                        expected.put(present);
                        break;
                    case 11:
                        for (int i = 0; i < keys.length; i++)
                        {
                            keys[i] = random.nextInt(64);
                            expected.read(model.containsKey(keys[i]));
                        }
                        map.getAll(keys, values, keys.length);
                        break;
                    default:
                        map.forEach((k, v) -> { }); // iteration and size are not gets
                        assertEquals(model.size(), map.size());
                        break;
                }
                if (0 == step % 10_000)
                {
                    expected.check(seed, step, map.statistics(), true);
                }
            }
            final StoreStatistics statistics = map.statistics();
            expected.check(seed, OPERATIONS, statistics, true);
            assertEquals(model.size(), statistics.entries());
            assertEquals(model.size(), statistics.segments().stream().mapToLong(StoreStatistics.SegmentLoad::entries)
                .sum());
            assertEquals(map.capacity(), statistics.segments().stream()
                .mapToLong(StoreStatistics.SegmentLoad::capacity).sum());
            assertEquals(map.offHeapBytes(), statistics.bytesUsed());
            assertTrue(statistics.resizes() > 0, "the range grew to 4096 keys from tables sized for none: " +
                statistics);
            assertTrue(statistics.resizeNanos() > 0);
        }
    }

    @Test
    void theByteStoreCountsLikeTheModel()
    {
        final long seed = Long.getLong("slotkv.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        final ManualClock clock = new ManualClock();
        final Map<String, byte[]> model = new HashMap<>();
        final Map<String, Long> deadlines = new HashMap<>();
        final Expected expected = new Expected();
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(4).clock(clock).expirySweeper(false)
            .build())
        {
            for (int step = 0; step < OPERATIONS; step++)
            {
                final String name = "k" + random.nextInt(step < OPERATIONS / 2 ? 64 : 2048);
                final byte[] key = name.getBytes(StandardCharsets.UTF_8);
                final byte[] value = {(byte)('0' + random.nextInt(4))};
                // settle the key as the store will have it: a passed deadline leaves no value, once
                final Long deadline = deadlines.get(name);
                if (null != deadline && deadline <= clock.millis()) // the store counts it once, when it reclaims it
                {
                    model.remove(name);
                    deadlines.remove(name);
                    expected.expired++;
                }
                final byte[] old = model.get(name);
                final boolean present = null != old;
                                switch (random.nextInt(16))
                {
                    case 0:
                        store.get(key);
                        expected.read(present);
                        break;
                    case 1:
                        store.containsKey(key);
                        expected.read(present);
                        break;
                    case 2:
                        store.put(key, value);
                        set(model, deadlines, name, value, 0);
                        expected.put(present);
                        break;
                    case 3:
                        final long ttl = 1 + random.nextInt(50);
                        store.put(key, value, ttl);
                        set(model, deadlines, name, value, clock.millis() + ttl);
                        expected.put(present);
                        break;
                    case 4:
                        if (store.putIfAbsent(key, value))
                        {
                            set(model, deadlines, name, value, 0);
                            expected.inserts++;
                        }
                        break;
                    case 5:
                        if (store.replace(key, value))
                        {
                            set(model, deadlines, name, value, 0);
                            expected.updates++;
                        }
                        break;
                    case 6:
                        if (store.replace(key, value, new byte[] {'9'}))  // only if equal to value
                        {
                            set(model, deadlines, name, new byte[] {'9'}, 0);
                            expected.updates++;
                        }
                        break;
                    case 7:
                        if (store.remove(key))
                        {
                            model.remove(name);
                            deadlines.remove(name);
                            expected.removes++;
                        }
                        break;
                    case 8:
                        if (store.remove(key, value))
                        {
                            model.remove(name);
                            deadlines.remove(name);
                            expected.removes++;
                        }
                        break;
                    case 9:
                        store.getAndSet(key, value);
                        set(model, deadlines, name, value, 0);
                        expected.put(present);
                        break;
                    case 10:
                        if (null != store.getAndRemove(key))
                        {
                            model.remove(name);
                            deadlines.remove(name);
                            expected.removes++;
                        }
                        break;
                    case 11:
                        final long sum = store.incrBy(key, 1); // every value is a digit; it keeps its deadline
                        model.put(name, Long.toString(sum).getBytes(StandardCharsets.UTF_8));
                        expected.put(present);
                        break;
                    case 12:
                        final long ttlMillis = 1 + random.nextInt(50);
                        assertEquals(present, store.pexpire(key, ttlMillis)); // not a put: changes no value
                        if (present)
                        {
                            deadlines.put(name, clock.millis() + ttlMillis);
                        }
                        break;
                    case 13:
                        store.asConcurrentMap().get(name);
                        expected.read(present);
                        break;
                    case 14:
                        clock.advance(random.nextInt(10));
                        break;
                    default:
                        if (0 == random.nextInt(20))
                        {
                            store.sweepExpired(1 + random.nextInt(512));
                        }
                        store.forEach((k, v) -> { });
                        store.pttl(key);
                        break;
                }
                if (0 == step % 10_000)
                {
                    expected.check(seed, step, store.statistics(), false);
                }
            }
            // every deadline passes and a full sweep reclaims what no write or replacement did
            clock.advance(1_000);
            for (final Long deadline : deadlines.values())
            {
                assertTrue(deadline <= clock.millis());
                expected.expired++;
            }
            store.sweepExpired((int)store.capacity());
            final StoreStatistics statistics = store.statistics();
            expected.check(seed, OPERATIONS, statistics, true);
            assertEquals(model.size() - deadlines.size(), statistics.entries());
            assertEquals(store.offHeapBytes(), statistics.bytesUsed());
            assertEquals(store.freeBytes(), statistics.bytesFree());
        }
    }

    @Test
    void withStatisticsOffNothingIsCountedAndTheSizesAreStillRead()
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(2).statistics(false).build();
             OffHeapByteStore store = OffHeapByteStore.builder().segments(2).statistics(false).build())
        {
            for (long key = 0; key < 1_000; key++)
            {
                map.put(key, key);
                map.get(key);
                store.put(Long.toString(key).getBytes(StandardCharsets.UTF_8), new byte[8]);
                store.get(Long.toString(key).getBytes(StandardCharsets.UTF_8));
            }
            for (final StoreStatistics statistics : new StoreStatistics[] {map.statistics(), store.statistics()})
            {
                assertFalse(statistics.counting(), statistics.toString());
                assertEquals(0, statistics.gets() + statistics.puts() + statistics.removes() + statistics.expired() +
                    statistics.casRetries() + statistics.resizes() + statistics.resizeNanos(), statistics.toString());
                assertEquals(1_000, statistics.entries());
                assertEquals(2, statistics.segments().size());
                assertTrue(statistics.bytesUsed() > 0);
            }
        }
    }

    @Test
    void theLargestSegmentAndTheLoadsAreTheTablesOwn()
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(8).build())
        {
            for (long key = 1; key <= 10_000; key++)
            {
                map.put(key, key);
            }
            final StoreStatistics statistics = map.statistics();
            final StoreStatistics.SegmentLoad largest = statistics.largestSegment();
            for (final StoreStatistics.SegmentLoad segment : statistics.segments())
            {
                assertTrue(segment.entries() <= largest.entries());
                assertTrue(segment.load() > 0 && segment.load() <= OffHeapLongLongMap.DEFAULT_MAX_LOAD,
                    segment.toString());
                assertEquals(map.segment(segment.index()).table.capacity, segment.capacity());
            }
            assertEquals(10_000, statistics.entries());
            assertEquals((map.capacity() - 10_000) * SlotDescriptor.SLOT_LENGTH, statistics.bytesFree());
            assertEquals(0.0, statistics.hitRate()); // no get yet
            map.get(1);
            map.get(-1);
            assertEquals(0.5, map.statistics().hitRate());
        }
    }

    @Test
    void aRecoveryIsCountedAndACleanOpenIsNot()
    {
        final Path file = dir.resolve("recovered.slotkv");
        final OffHeapByteStore crashed = OffHeapByteStore.builder().file(file).build();
        crashed.put(new byte[] {1}, new byte[] {2});
        crashed.abandon(); // as kill -9
        try (OffHeapByteStore reopened = OffHeapByteStore.builder().file(file).build())
        {
            assertEquals(1, reopened.statistics().recoveries());
            assertEquals(1, reopened.statistics().entries());
        }
        try (OffHeapByteStore clean = OffHeapByteStore.builder().file(file).build())
        {
            assertEquals(0, clean.statistics().recoveries());
        }
        final Path mapFile = dir.resolve("recovered-map.slotkv");
        final OffHeapLongLongMap crashedMap = OffHeapLongLongMap.builder().file(mapFile).build();
        crashedMap.put(1, 2);
        crashedMap.abandon();
        try (OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(mapFile).build())
        {
            assertEquals(1, reopened.statistics().recoveries());
        }
    }

    @Test
    void aClosedStoreHasNoStatistics()
    {
        final OffHeapByteStore store = OffHeapByteStore.builder().build();
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().build();
        store.close();
        map.close();
        assertThrows(IllegalStateException.class, store::statistics);
        assertThrows(IllegalStateException.class, map::statistics);
    }

    @Test
    void aNameIsChecked()
    {
        assertThrows(IllegalArgumentException.class, () -> OffHeapByteStore.builder().name(""));
        assertThrows(IllegalArgumentException.class, () -> OffHeapByteStore.builder().name("x".repeat(201)));
        assertThrows(NullPointerException.class, () -> OffHeapLongLongMap.builder().name(null));
        assertEquals("anonymous", OffHeapByteStore.builder().storeName());
        assertEquals("cache.slotkv", OffHeapByteStore.builder().file(dir.resolve("cache.slotkv")).storeName());
        assertEquals("orders", OffHeapByteStore.builder().file(dir.resolve("cache.slotkv")).name("orders").storeName());
    }

    private static void set(final Map<String, byte[]> model, final Map<String, Long> deadlines, final String name,
        final byte[] value, final long deadline)
    {
        model.put(name, value);
        if (0 == deadline)
        {
            deadlines.remove(name);
        }
        else
        {
            deadlines.put(name, deadline);
        }
    }
}
