package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads that never wait for a resize, every long storable (re-keying), the persisted seed and missing value, and
 * iteration in O(1) heap with progress under churn.
 */
class ReadPathTest
{
    @TempDir
    Path dir;

    /**
     * A replacement stopped half-way through its copy, holding the segment's write lock: every get, containsKey and
     * forEach completes, with every value, while it is stopped (they used to take the lock and wait).
     */
    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldReadEveryKeyWhileAReplacementIsStoppedHalfWayThroughItsCopy(final Backing backing) throws Exception
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).build())
        {
            long key = 1;
            final long firstCapacity = map.capacity();
            while (map.capacity() == firstCapacity)
            {
                map.put(key, -key);
                key++;
            }
            // fill up to just below the next threshold, so that one more insert replaces the table
            final Segment<LongLongTable> segment = map.segment(0);
            final LongLongTable table = segment.table;
            while (table.used() < table.threshold)
            {
                map.put(key, -key);
                key++;
            }
            map.put(0, 7);
            final long keys = key;
            final CountDownLatch paused = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            segment.crashAfterSlots = table.capacity / 2;
            segment.pauseWhileCopying = () ->
            {
                paused.countDown();
                await(release);
            };
            final Thread writer = new Thread(() -> map.put(keys, -keys));
            writer.start();
            assertTrue(paused.await(10, TimeUnit.SECONDS));
            assertTrue(table.next != null, "the replacement is under way");
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread reader = new Thread(() ->
            {
                try
                {
                    for (long k = 1; k < keys; k++)
                    {
                        assertEquals(-k, map.get(k), "key " + k);
                        assertTrue(map.containsKey(k));
                    }
                    assertEquals(7, map.get(0));
                    assertFalse(map.containsKey(keys), "the insert that started the replacement waits for it");
                    final long[] count = {0};
                    map.forEach((k, v) ->
                    {
                        assertEquals(0 == k ? 7 : -k, v);
                        count[0]++;
                    });
                    assertEquals(keys, count[0]);
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            reader.start();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            final boolean readerDone = !reader.isAlive();
            release.countDown();
            writer.join();
            reader.join();
            assertTrue(readerDone, "reads waited for the replacement");
            if (null != failure.get())
            {
                throw new AssertionError(failure.get());
            }
            assertEquals(-keys, map.get(keys));
            assertTrue(map.capacity() > table.capacity);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A value that encodes to a reserved word with its table's value key (forced here through the key source) is
     * stored after the segment re-keys; everything else stays, in memory and in the file.
     */
    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldStoreAValueThatCollidesWithTheValueKeyByRekeying(final Backing backing)
    {
        final long[] words = {0x1111_2222_3333_4444L, 0x0123_4567_89AB_CDEFL, 0x7777_8888_9999_AAAAL};
        final ValueKeys keys = new ValueKeys();
        final int[] next = {0};
        keys.source = () -> words[Math.min(next[0]++, words.length - 1)];
        final OffHeapLongLongMap.Builder builder = backing.builder(dir).segments(1);
        final long tableKey = words[1]; // words[0] is the hash seed, words[1] the first table's value key
        try (OffHeapLongLongMap map = builder.valueKeys(keys).build())
        {
            for (long k = 1; k <= 100; k++)
            {
                map.put(k, k);
            }
            final LongLongTable before = map.segment(0).table;
            assertEquals(tableKey, before.valueKey);
            map.put(5, tableKey); // encodes to ABSENT
            map.put(6, tableKey ^ 1); // encodes to FROZEN (with the new key it does not)
            map.put(0, tableKey);
            final LongLongTable after = map.segment(0).table;
            assertTrue(after != before, "re-keyed");
            assertEquals(words[2], after.valueKey);
            assertEquals(tableKey, map.get(5));
            assertEquals(tableKey ^ 1, map.get(6));
            assertEquals(tableKey, map.get(0));
            for (long k = 1; k <= 100; k++)
            {
                if (k != 5 && k != 6)
                {
                    assertEquals(k, map.get(k));
                }
            }
            assertEquals(101, map.size());
            assertEquals(tableKey + 1, map.addAndGet(5, 1));
        }
        if (Backing.MAPPED_FILE == backing)
        {
            final Path file = dir.resolve(latestStore());
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
            {
                assertEquals(tableKey + 1, map.get(5));
                assertEquals(tableKey ^ 1, map.get(6));
                assertEquals(tableKey, map.get(0));
                assertFalse(map.recoveryReport().orElseThrow().changedAnything(), map.recoveryReport().toString());
            }
        }
    }

    /**
     * An increment whose sum encodes to a reserved word re-keys too.
     */
    @Test
    void shouldRekeyForASumThatCollides()
    {
        final ValueKeys keys = new ValueKeys();
        final long[] words = {42, 1000, 99};
        final int[] next = {0};
        keys.source = () -> words[Math.min(next[0]++, words.length - 1)];
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).valueKeys(keys).build())
        {
            map.put(3, 998);
            assertEquals(999, map.incrementAndGet(3)); // 999 ^ 1000 = 1015: fine
            assertEquals(1000, map.incrementAndGet(3)); // 1000 ^ 1000 = 0 = ABSENT: re-key
            assertEquals(99, map.segment(0).table.valueKey);
            assertEquals(1001, map.incrementAndGet(3));
        }
    }

    @Test
    void shouldStoreEveryLongThroughTheConcurrentMapView()
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().build())
        {
            final var view = map.asConcurrentMap();
            final long[] values = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE};
            for (final long value : values)
            {
                assertNull(view.put(value, value), "value " + value);
                assertEquals(value, view.get(value));
                assertTrue(view.containsKey(value));
            }
            assertEquals(Long.MIN_VALUE, view.replace(Long.MIN_VALUE, Long.MIN_VALUE + 1));
            assertTrue(view.replace(Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE));
            assertEquals(Long.MIN_VALUE, view.merge(Long.MAX_VALUE, 1L, Long::sum), "MAX_VALUE + 1 wraps");
            assertEquals(Long.MIN_VALUE, map.get(Long.MAX_VALUE), "the missing value, stored through the view");
            assertTrue(map.containsKey(Long.MAX_VALUE));
            assertTrue(view.remove(Long.MIN_VALUE, Long.MIN_VALUE));
            assertNull(view.get(Long.MIN_VALUE));
            assertFalse(view.containsKey(Long.MIN_VALUE));
        }
    }

    @Test
    void shouldKeepTheMissingValueInTheFileAndRefuseAnotherOne()
    {
        final Path file = dir.resolve("missing.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).missingValue(0).build())
        {
            map.put(1, 5);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertEquals(0, map.missingValue(), "taken from the file");
            assertEquals(0, map.get(2));
        }
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> OffHeapLongLongMap.builder().file(file).missingValue(-1).build());
        assertTrue(ex.getMessage().contains("missingValue=0") && ex.getMessage().contains("missingValue=-1"),
            ex.getMessage());
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).missingValue(0).build())
        {
            assertEquals(5, map.get(1));
        }
    }

    /**
     * Keys chosen to share a home slot under the unseeded hash spread over the table under the map's seed.
     */
    @Test
    void shouldSpreadKeysChosenToCollideWithoutTheSeed()
    {
        final int capacity = 1 << 16;
        final Set<Integer> unseeded = new HashSet<>();
        final long[] chosen = new long[2000];
        int found = 0;
        for (long candidate = 1; found < chosen.length; candidate++)
        {
            // home slot 0 in a table of 2^16 slots: bits 16 to 31 of the unseeded hash are zero
            if (0 == (LongHashing.mix(candidate) & 0xFFFF_0000L))
            {
                chosen[found++] = candidate;
                unseeded.add(TableDescriptor.homeIndex(LongHashing.mix(candidate), capacity));
            }
        }
        assertEquals(1, unseeded.size(), "the chosen keys collide without a seed");
        try (OffHeapLongLongMap a = OffHeapLongLongMap.builder().build();
             OffHeapLongLongMap b = OffHeapLongLongMap.builder().build())
        {
            final long seedA = seedOf(a);
            assertTrue(seedA != seedOf(b), "every map draws its own seed");
            final Set<Integer> homes = new HashSet<>();
            for (final long key : chosen)
            {
                homes.add(TableDescriptor.homeIndex(LongHashing.mix(key, seedA), capacity));
                a.put(key, key);
            }
            assertTrue(homes.size() > chosen.length * 9 / 10, "spread: " + homes.size() + " home slots");
            for (final long key : chosen)
            {
                assertEquals(key, a.get(key));
            }
        }
    }

    private static long seedOf(final OffHeapLongLongMap map)
    {
        return map.segment(0).table.seed;
    }

    /**
     * forEach over 2M entries allocates a fixed buffer, not one proportional to a segment (it needed a segment's
     * entries on the heap: 40M entries failed with -Xmx64m).
     */
    @Test
    void shouldIterateInConstantHeap()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(2).build())
        {
            for (long key = 0; key < 2_000_000; key++)
            {
                map.put(key, key);
            }
            final long[] sum = {0};
            map.forEach((k, v) -> sum[0] += v); // warm up
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            map.forEach((k, v) -> sum[0] += v);
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            // the old forEach copied a segment (1M entries, 16 MB) onto the heap; a fixed buffer is about 2 KB, and the
            // JIT may allocate a little more while it compiles the loop (JDK 25 showed 31 KB)
            assertTrue(allocated < 256 * 1024, "forEach over 2M entries allocated " + allocated + " bytes");
            assertEquals(2 * (1_999_999L * 2_000_000L / 2), sum[0]);
        }
    }

    /**
     * While other keys churn (every segment rebuilt again and again), an iteration sees every stable key exactly
     * once with its value, and finishes.
     */
    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldSeeEveryStableKeyExactlyOnceWhileOtherKeysChurn(final Backing backing) throws Exception
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).build())
        {
            final int stable = 20_000;
            for (long key = 1; key <= stable; key++)
            {
                map.put(key, key * 3);
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread churn = new Thread(() ->
            {
                long key = 1_000_000;
                while (!stop.get())
                {
                    map.put(key, key);
                    map.remove(key - 5000);
                    key++;
                }
            });
            churn.start();
            try
            {
                for (int round = 0; round < 20; round++)
                {
                    final Map<Long, Integer> seen = new HashMap<>();
                    map.forEach((k, v) ->
                    {
                        if (k <= stable)
                        {
                            assertEquals(k * 3, v);
                            seen.merge(k, 1, Integer::sum);
                        }
                    });
                    assertEquals(stable, seen.size(), "round " + round);
                    assertTrue(seen.values().stream().allMatch(n -> n == 1), "round " + round + ": a key seen twice");
                }
            }
            finally
            {
                stop.set(true);
                churn.join();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldGetAllLikeALoopOfGets(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).build())
        {
            final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            for (int i = 0; i < 50_000; i++)
            {
                map.put(random.nextLong(100_000), random.nextLong());
            }
            map.put(0, 5);
            final long[] keys = new long[1000];
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = i % 97 == 0 ? 0 : random.nextLong(200_000); // present and absent keys, key 0
            }
            final long[] values = new long[keys.length];
            map.getAll(keys, values, 999);
            for (int i = 0; i < 999; i++)
            {
                assertEquals(map.get(keys[i]), values[i], "key " + keys[i]);
            }
            assertEquals(0, values[999], "beyond length: untouched");
            assertThrows(IndexOutOfBoundsException.class, () -> map.getAll(keys, new long[10], 11));
            map.getAll(keys, keys, keys.length); // in place
            assertEquals(5, keys[0]);
        }
    }

    /**
     * A table without an empty key word (every free slot holds a removed key, as recovery leaves a damaged file):
     * an open rebuilds it, so iteration stays linear in the table's size (it was quadratic: each span scanned to the
     * next empty slot, the whole table; found by the fuzzer, stress/repro-iteration-over-removed-keys.sh), and so
     * does a miss. A table with long clusters but empty slots is scanned with the displacement bound.
     */
    @Test
    void shouldIterateATableWithoutAnEmptyKeyWordInLinearTime()
    {
        final Path file = dir.resolve("full.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).initialCapacity(20_000).file(file)
            .build())
        {
            for (long key = 1; key <= 200; key++)
            {
                map.put(key, key);
            }
            final LongLongTable table = map.segment(0).table;
            long removed = 1_000_000;
            while (table.findPrivate(removed) != -table.capacity - 1)
            {
                table.claimPrivate(removed++); // a removed key: key word set, value word absent
            }
            table.region.putLong(TableDescriptor.COUNTS_OFFSET, ((long)table.capacity << 32) | 200);
            final LongLongCursor full = new LongLongCursor(map);
            long count = 0;
            while (full.advance())
            {
                count += full.size;
            }
            assertEquals(200, count, "correct, if slow, on the full table itself");
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            final LongLongTable table = map.segment(0).table;
            assertTrue(table.used() < table.threshold, "rebuilt at open: used " + table.used());
            final LongLongCursor cursor = new LongLongCursor(map);
            long count = 0;
            while (cursor.advance())
            {
                count += cursor.size;
            }
            assertEquals(200, count);
            assertTrue(cursor.slotsScanned <= 4L * table.capacity, "scanned " + cursor.slotsScanned +
                " slots of a table of " + table.capacity);
            for (long key = 1; key <= 200; key++)
            {
                assertEquals(key, map.get(key));
            }
        }
    }

    @Test
    void shouldFinishASpanUnderTheReadLockAfterRepeatedRetries()
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).build())
        {
            for (long key = 1; key <= 1000; key++)
            {
                map.put(key, key);
            }
            final LongLongCursor cursor = new LongLongCursor(map);
            cursor.forcedRetries = 1000; // every lock-free attempt behaves as if its table was retired under it
            long count = 0;
            while (cursor.advance())
            {
                count += cursor.size;
            }
            assertEquals(1000, count);
            assertTrue(cursor.locked > 0 && cursor.retries >= SpanCursor.RETRIES_BEFORE_LOCK, "locked " +
                cursor.locked + ", retries " + cursor.retries);
        }
    }

    private String latestStore()
    {
        final String[] names = dir.toFile().list((d, name) -> name.endsWith(".store"));
        java.util.Arrays.sort(names, java.util.Comparator.comparingInt(
            (String name) -> Integer.parseInt(name.replaceAll("[^0-9]", ""))));
        return names[names.length - 1];
    }
}
