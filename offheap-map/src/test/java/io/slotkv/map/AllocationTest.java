package io.slotkv.map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The primitive API allocates nothing on the heap: reads, updates of present keys, counters and removals.
 * Measured with the JVM's per-thread allocation counter, not inferred.
 */
class AllocationTest
{
    private static final int KEYS = 50_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldAllocateNothingPerOperation(final Backing backing)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).initialCapacity(2 * KEYS).build())
        {
            long sink = 0;
            for (int round = 0; round < 5; round++)
            {
                sink += workload(map); // warm up, so that the measured round runs compiled code
            }
            final long baselineBefore = threads.getThreadAllocatedBytes(thread);
            final long baselineAfter = threads.getThreadAllocatedBytes(thread);
            final long before = threads.getThreadAllocatedBytes(thread);
            sink += workload(map);
            final long after = threads.getThreadAllocatedBytes(thread);
            assertEquals(0, (after - before) - (baselineAfter - baselineBefore),
                "bytes allocated by " + 6 * KEYS + " operations (sink " + sink + ")");
        }
    }

    private static long workload(final OffHeapLongLongMap map)
    {
        long sink = 0;
        for (long key = 1; key <= KEYS; key++)
        {
            map.put(key, key);
            sink += map.get(key);
            sink += map.incrementAndGet(key);
            sink += map.putIfAbsent(key, 5);
            sink += map.replace(key, key + 1, key) ? 1 : 0;
            sink += map.get(-key);
        }
        for (long key = 1; key <= KEYS; key += 2)
        {
            sink += map.remove(key);
        }
        return sink;
    }
}
