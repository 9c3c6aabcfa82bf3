package io.slotkv.map;

import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.DiskFullException;
import io.slotkv.core.memory.MappedFileSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replacement that fails must leave its segment exactly as it was and the map usable: fault injection at every
 * allocation of a growing map, on both backings, and at maximum capacity with concurrent inserters (where the old
 * freeze-then-copy resize lost the whole segment: 2,865 of 2,865 entries).
 */
class ResizeFaultTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "allocation {0}")
    @ValueSource(ints = {1, 2, 3, 5, 8, 13})
    void shouldKeepEverythingWhenAnAnonymousResizeCannotAllocate(final int n)
    {
        final FaultySpace space = new FaultySpace(new AnonymousMemorySpace());
        final OutOfMemoryError injected = new OutOfMemoryError("injected: no memory for the table");
        checkFailedAllocation(OffHeapLongLongMap.builder().space(space).segments(2).build(), space, n, () -> injected,
            injected);
    }

    @ParameterizedTest(name = "allocation {0}")
    @ValueSource(ints = {1, 2, 3, 5, 8, 13})
    void shouldKeepEverythingWhenAFileResizeMeetsAFullDisk(final int n)
    {
        final Path file = dir.resolve("full-" + n + ".store");
        final FaultySpace space = new FaultySpace(MappedFileSpace.open(file, 1 << 20));
        final DiskFullException injected = new DiskFullException("injected: no disk space, file=" + file);
        final Map<Long, Long> model = checkFailedAllocation(
            OffHeapLongLongMap.builder().space(space).segments(2).build(), space, n, () -> injected, injected);
        try (OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(reopened.recoveryReport().isEmpty(), "closed cleanly after the failure");
            MapContents.assertHolds(model, reopened);
        }
    }

    @Test
    void shouldKeepEverythingWhenTheCloseFenceCannotAllocate()
    {
        final Path file = dir.resolve("close.store");
        final FaultySpace space = new FaultySpace(MappedFileSpace.open(file, 1 << 20));
        final Map<Long, Long> model = new HashMap<>();
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().space(space).segments(4).build();
        for (long key = 1; key <= 10_000; key++)
        {
            map.put(key, key + 1);
            model.put(key, key + 1);
        }
        final DiskFullException injected = new DiskFullException("injected at close");
        space.failAllocation(2, () -> injected);
        final DiskFullException thrown =
            org.junit.jupiter.api.Assertions.assertThrows(DiskFullException.class, map::close);
        assertSame(injected, thrown);
        try (OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(reopened.recoveryReport().isPresent(), "a close that could not fence leaves the file dirty");
            MapContents.assertHolds(model, reopened);
        }
    }

    /**
     * Insert until the injected failure surfaces, then check nothing acknowledged was lost, the map keeps
     * working, and a close works.
     */
    private static Map<Long, Long> checkFailedAllocation(
        final OffHeapLongLongMap map, final FaultySpace space, final int n,
        final Supplier<? extends Throwable> failure, final Throwable injected)
    {
        final Map<Long, Long> model = new HashMap<>();
        for (long key = -500; key < 500; key += 3) // tombstones and key 0 in the segments that will fail
        {
            map.put(key, key * 7);
            model.put(key, key * 7);
        }
        for (long key = -500; key < 500; key += 9)
        {
            map.remove(key);
            model.remove(key);
        }
        space.failAllocation(n, failure);
        Throwable thrown = null;
        long key = 1_000;
        for (; key < 200_000 && null == thrown; key++)
        {
            try
            {
                map.put(key, -key);
                model.put(key, -key);
            }
            catch (final RuntimeException | Error ex)
            {
                thrown = ex;
            }
        }
        assertNotNull(thrown, "the injected failure surfaced");
        assertSame(injected, thrown, "the caller gets the failure itself");
        MapContents.assertHolds(model, map);
        for (long more = 0; more < 20_000; more++, key++) // the segment that failed is usable: it grows now
        {
            map.put(key, key);
            model.put(key, key);
        }
        MapContents.assertHolds(model, map);
        map.close();
        return model;
    }

    @Test
    void shouldLoseNothingWhenConcurrentInsertersFillASegmentToMaximumCapacity() throws Exception
    {
        // 64 KiB chunks: the largest table holds 3,968 slots; four threads insert until the segment is full
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(dir.resolve("max.store"))
            .chunkSize(1 << 16).segments(1).build())
        {
            final Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
            final AtomicReference<Throwable> unexpected = new AtomicReference<>();
            final CountDownLatch start = new CountDownLatch(1);
            final Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++)
            {
                final long base = (t + 1) * 1_000_000L;
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (long key = base; ; key++)
                        {
                            map.put(key, key);
                            acknowledged.put(key, key);
                        }
                    }
                    catch (final IllegalStateException full)
                    {
                        if (!full.getMessage().startsWith("segment is full") &&
                            !full.getMessage().startsWith("segment keeps growing"))
                        {
                            unexpected.compareAndSet(null, full);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        unexpected.compareAndSet(null, ex);
                    }
                });
                threads[t].start();
            }
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join(60_000);
                assertTrue(!thread.isAlive(), "inserter finished");
            }
            assertNull(unexpected.get());
            assertTrue(acknowledged.size() > 2_000, "filled: " + acknowledged.size());
            MapContents.assertHolds(new HashMap<>(acknowledged), map);
            final long some = acknowledged.keySet().iterator().next();
            assertEquals(some, map.put(some, 42), "updates still work on a full segment");
        }
    }
}
