package io.slotkv.map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffHeapLongLongMapTest
{
    private static final long MISSING = Long.MIN_VALUE;
    private static final long[] EDGE_KEYS = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, 42};

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldStoreEveryEdgeKey(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            for (final long key : EDGE_KEYS)
            {
                assertEquals(MISSING, map.get(key));
                assertFalse(map.containsKey(key));
                assertEquals(MISSING, map.put(key, key ^ 5));
            }
            assertEquals(EDGE_KEYS.length, map.size());
            for (final long key : EDGE_KEYS)
            {
                assertTrue(map.containsKey(key), "key " + key);
                assertEquals(key ^ 5, map.get(key), "key " + key);
                assertEquals(key ^ 5, map.put(key, 7));
                assertEquals(7, map.remove(key));
                assertEquals(MISSING, map.remove(key));
            }
            assertTrue(map.isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldStoreEveryNonReservedEdgeValue(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            final long[] values = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE + 2, Long.MAX_VALUE - 1};
            for (int i = 0; i < values.length; i++)
            {
                map.put(i, values[i]);
            }
            for (int i = 0; i < values.length; i++)
            {
                assertEquals(values[i], map.get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldRejectOnlyTheMissingValueWithTheValueInTheMessage(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            for (final long key : new long[]{0, 5})
            {
                final IllegalArgumentException ex =
                    assertThrows(IllegalArgumentException.class, () -> map.put(key, Long.MIN_VALUE));
                assertTrue(ex.getMessage().contains("value=" + Long.MIN_VALUE), ex.getMessage());
                assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent(key, Long.MIN_VALUE));
                assertThrows(IllegalArgumentException.class, () -> map.replace(key, Long.MIN_VALUE));
                assertThrows(IllegalArgumentException.class, () -> map.replace(key, 1, Long.MIN_VALUE));
                assertFalse(map.containsKey(key), "a rejected write must not create the key");
                for (final long value : new long[]{Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, Long.MAX_VALUE, 0, 1, -1})
                {
                    map.put(key, value);
                    assertEquals(value, map.get(key));
                }
                assertTrue(map.remove(key, -1));
            }
            map.put(5, 1);
            assertFalse(map.replace(5, Long.MIN_VALUE, 2), "the missing value is never stored, so never matches");
            assertFalse(map.remove(5, Long.MIN_VALUE + 1));
            assertEquals(1, map.get(5));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldUseAConfiguredMissingValueAndRejectStoringIt(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).missingValue(-1).build())
        {
            assertEquals(-1, map.missingValue());
            assertEquals(-1, map.get(3));
            assertEquals(-1, map.put(3, 0));
            assertEquals(0, map.get(3));
            assertEquals(9, map.getOrDefault(4, 9));
            assertEquals(0, map.getOrDefault(3, 9));
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> map.put(3, -1));
            assertTrue(ex.getMessage().contains("missingValue=-1"), ex.getMessage());
            assertEquals(-1, map.remove(4));
            assertFalse(map.remove(3, -1));
            // with another missing value, Long.MIN_VALUE is an ordinary value
            assertEquals(0, map.put(3, Long.MIN_VALUE));
            assertEquals(Long.MIN_VALUE, map.get(3));
            assertTrue(map.remove(3, Long.MIN_VALUE));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldPutIfAbsentOnlyWhenAbsent(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            for (final long key : EDGE_KEYS)
            {
                assertEquals(MISSING, map.putIfAbsent(key, 1));
                assertEquals(1, map.putIfAbsent(key, 2));
                assertEquals(1, map.get(key));
                map.remove(key);
                assertEquals(MISSING, map.putIfAbsent(key, 3), "a removed key is absent again");
                assertEquals(3, map.get(key));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldReplaceOnlyPresentKeys(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            for (final long key : EDGE_KEYS)
            {
                assertEquals(MISSING, map.replace(key, 1));
                assertFalse(map.containsKey(key));
                map.put(key, 1);
                assertEquals(1, map.replace(key, 2));
                assertEquals(2, map.get(key));
                assertFalse(map.replace(key, 1, 3));
                assertEquals(2, map.get(key));
                assertTrue(map.replace(key, 2, 3));
                assertEquals(3, map.get(key));
                map.remove(key);
                assertFalse(map.replace(key, 3, 4));
                assertFalse(map.containsKey(key));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldRemoveOnlyTheExpectedValue(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            for (final long key : EDGE_KEYS)
            {
                assertFalse(map.remove(key, 1));
                map.put(key, 1);
                assertFalse(map.remove(key, 2));
                assertTrue(map.containsKey(key));
                assertTrue(map.remove(key, 1));
                assertFalse(map.containsKey(key));
                assertFalse(map.remove(key, 1));
            }
            assertEquals(0, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldCountAtomicallyFromZero(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            long fresh = 1_000_000;
            for (final long key : EDGE_KEYS)
            {
                assertEquals(1, map.incrementAndGet(key));
                assertEquals(2, map.incrementAndGet(key));
                assertEquals(1, map.decrementAndGet(key));
                assertEquals(1, map.getAndAdd(key, 10));
                assertEquals(11, map.get(key));
                assertEquals(1, map.addAndGet(key, -10));
                assertEquals(0, map.getAndAdd(fresh++, 0), "absent counts as 0");
            }
            assertEquals(-5, map.addAndGet(99, -5));
            assertEquals(0, map.addAndGet(100, 0));
            assertTrue(map.containsKey(100), "adding 0 creates the counter, as INCRBY does");
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldRefuseACounterOverflowOrTheMissingValueAsASumAndKeepTheValue(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            map.put(1, Long.MAX_VALUE);
            final ArithmeticException overflow = assertThrows(ArithmeticException.class, () -> map.incrementAndGet(1));
            assertTrue(overflow.getMessage().contains("value=" + Long.MAX_VALUE), overflow.getMessage());
            assertEquals(Long.MAX_VALUE, map.get(1));
            map.put(2, Long.MIN_VALUE + 2);
            assertEquals(Long.MIN_VALUE + 1, map.decrementAndGet(2));
            final IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> map.decrementAndGet(2));
            assertTrue(missing.getMessage().contains("missingValue=" + Long.MIN_VALUE), missing.getMessage());
            assertEquals(Long.MIN_VALUE + 1, map.get(2));
            assertThrows(IllegalArgumentException.class, () -> map.addAndGet(3, Long.MIN_VALUE));
            assertFalse(map.containsKey(3), "a refused add must not create the key");
            assertEquals(Long.MIN_VALUE + 1, map.addAndGet(0, Long.MIN_VALUE + 1));
            assertEquals(3, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldGrowWithoutSizingAndKeepEveryEntry(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(2).build())
        {
            final long initialCapacity = map.capacity();
            final int n = 200_000;
            for (int i = 0; i < n; i++)
            {
                assertEquals(MISSING, map.put(i * 31L, i));
            }
            assertEquals(n, map.size());
            assertTrue(map.capacity() >= n / 0.7, "capacity " + map.capacity());
            assertTrue(map.capacity() > initialCapacity);
            assertTrue(map.offHeapBytes() >= map.capacity() * 16);
            for (int i = 0; i < n; i++)
            {
                assertEquals(i, map.get(i * 31L));
            }
            assertEquals(MISSING, map.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldRebuildAtTheSameSizeWhenRemovedKeysPileUp(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).initialCapacity(1000).build())
        {
            final long capacity = map.capacity();
            for (long i = 1; i <= 200_000; i++)
            {
                map.put(i, i);
                if (i > 100)
                {
                    assertEquals(i - 100, map.remove(i - 100));
                }
            }
            assertEquals(100, map.size());
            assertEquals(capacity, map.capacity(), "churn with a steady size must not grow the table");
            for (long i = 200_000 - 99; i <= 200_000; i++)
            {
                assertEquals(i, map.get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldSizeUpFrontFromTheInitialCapacity(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).initialCapacity(10_000).build())
        {
            final long capacity = map.capacity();
            assertTrue(capacity >= 10_000 / 0.7, "capacity " + capacity);
            for (int i = 1; i <= 5_000; i++)
            {
                map.put(i, i);
            }
            assertEquals(capacity, map.capacity(), "half the hinted entries must not resize");
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldHoldTheHintedEntriesWithoutResizingDespiteUnevenSegments(final Backing backing)
    {
        // keys spread over the segments by hash, so some segments get more than their share: the hint must
        // leave room for that, or the hinted map resizes (and doubles those segments) while it is filled
        final int entries = 400_000;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(8).initialCapacity(entries).build())
        {
            final long capacity = map.capacity();
            assertTrue(capacity <= entries / 0.7 * 1.02, "the hint must not oversize: capacity " + capacity);
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < entries; i++)
            {
                map.put(random.nextLong(), i);
            }
            assertEquals(entries, map.size());
            assertEquals(capacity, map.capacity(), "the hinted number of entries must not resize any segment");
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldClearEveryKeyAndShrink(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(2).build())
        {
            final long initialCapacity = map.capacity();
            for (long i = -5000; i < 5000; i++)
            {
                map.put(i, 1);
            }
            map.clear();
            assertEquals(0, map.size());
            assertTrue(map.isEmpty());
            assertEquals(initialCapacity, map.capacity());
            for (long i = -5000; i < 5000; i++)
            {
                assertFalse(map.containsKey(i));
            }
            map.put(0, 2);
            map.put(7, 3);
            assertEquals(2, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldVisitEveryEntryExactlyOnce(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).build())
        {
            final Map<Long, Long> expected = new HashMap<>();
            for (long i = -3000; i < 3000; i += 3)
            {
                map.put(i, i * i);
                expected.put(i, i * i);
            }
            map.remove(3);
            expected.remove(3L);
            final Map<Long, Long> seen = new HashMap<>();
            map.forEach((key, value) -> assertEquals(null, seen.put(key, value), "visited twice: " + key));
            assertEquals(expected, seen);
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldAllowWritesFromInsideForEach(final Backing backing)
    {
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).build())
        {
            for (long i = 1; i <= 10; i++)
            {
                map.put(i, i);
            }
            final long[] visited = new long[1];
            map.forEach((key, value) ->
            {
                visited[0]++;
                for (long j = 0; j < 1000; j++)
                {
                    map.put(1_000_000 + key * 1000 + j, j); // forces resizes of the segment being visited
                }
            });
            assertEquals(10, visited[0]);
            assertEquals(10 + 10 * 1000, map.size());
        }
    }

    @org.junit.jupiter.api.Test
    void shouldFailAnInsertClearlyWhenASegmentCannotGrow()
    {
        // 64 KiB chunks hold a table of at most 3968 slots (and its filter): 2777 keys at max load 0.7
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).chunkSize(1 << 16)
            .file(dir.resolve("small-chunks.store")).build())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () ->
            {
                for (long i = 1; i <= 4000; i++)
                {
                    map.put(i, i);
                }
            });
            assertTrue(ex.getMessage().contains("segment is full: segment=0, capacity=3968"), ex.getMessage());
            final long size = map.size();
            assertEquals(2777, size);
            for (long i = 1; i <= size; i++)
            {
                assertEquals(i, map.get(i), "entries stored before the failure stay");
            }
            map.put(1, -1); // updates still work
            assertEquals(-1, map.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldThrowIllegalStateAfterCloseAndCloseTwiceHarmlessly(final Backing backing)
    {
        final OffHeapLongLongMap map = backing.builder(dir).build();
        map.put(1, 1);
        map.put(0, 1);
        map.close();
        map.close();
        for (final long key : new long[]{0, 1})
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> map.get(key));
            assertEquals("map is closed", ex.getMessage());
            assertThrows(IllegalStateException.class, () -> map.put(key, 2));
            assertThrows(IllegalStateException.class, () -> map.putIfAbsent(key, 2));
            assertThrows(IllegalStateException.class, () -> map.remove(key));
            assertThrows(IllegalStateException.class, () -> map.incrementAndGet(key));
            assertThrows(IllegalStateException.class, () -> map.containsKey(key));
        }
        assertThrows(IllegalStateException.class, map::size);
        assertThrows(IllegalStateException.class, map::clear);
        assertThrows(IllegalStateException.class, () -> map.forEach((k, v) -> { }));
        assertThrows(IllegalStateException.class, map::sync);
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldValidateTheBuilderWithTheValuesInTheMessage(final Backing backing)
    {
        final IllegalArgumentException segments =
            assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).segments(3));
        assertTrue(segments.getMessage().contains("segments=3"), segments.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).segments(0));
        assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).segments(1 << 17));
        assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).maxLoad(0.99));
        assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).maxLoad(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> backing.builder(dir).initialCapacity(-1));
        final IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
            () -> backing.builder(dir).segments(1).initialCapacity(1L << 40).build());
        assertTrue(tooBig.getMessage().contains("entries=" + (1L << 40)), tooBig.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldDefaultToAPowerOfTwoSegmentsFromTheProcessors(final Backing backing)
    {
        final int expected = Integer.highestOneBit(4 * Runtime.getRuntime().availableProcessors() * 2 - 1);
        try (OffHeapLongLongMap map = backing.builder(dir).build())
        {
            assertEquals(expected, map.segmentCount());
            assertEquals(backing == Backing.MAPPED_FILE, map.isPersistent());
        }
    }
}
