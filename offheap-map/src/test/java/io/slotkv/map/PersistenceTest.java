package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.FileHeaderDescriptor;
import io.slotkv.core.memory.StoreLockedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersistenceTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReopenWithEveryEntryIntact()
    {
        final Path file = dir.resolve("reopen.store");
        final Map<Long, Long> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(4).build())
        {
            for (int i = 0; i < 300_000; i++)
            {
                final long key = random.nextLong(1_000_000) - 500_000;
                final long value = random.nextLong(Long.MIN_VALUE + 2, Long.MAX_VALUE);
                map.put(key, value);
                model.put(key, value);
                if (i % 3 == 0)
                {
                    final long victim = random.nextLong(1_000_000) - 500_000;
                    map.remove(victim);
                    model.remove(victim);
                }
            }
            map.put(0, 123);
            model.put(0L, 123L);
            map.put(Long.MIN_VALUE, Long.MAX_VALUE);
            model.put(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(64).build())
        {
            assertEquals(4, map.segmentCount(), "the file's layout wins over the builder");
            assertEquals(model.size(), map.size());
            final Map<Long, Long> contents = new HashMap<>();
            map.forEach(contents::put);
            assertEquals(model, contents);
            for (final Map.Entry<Long, Long> entry : model.entrySet())
            {
                assertEquals((long)entry.getValue(), map.get(entry.getKey()));
            }
            // the reopened map keeps working: grows, removes, counts
            for (long key = 10_000_000; key < 10_200_000; key++)
            {
                map.put(key, key);
            }
            assertEquals(model.size() + 200_000, map.size());
            assertEquals(1, map.incrementAndGet(-99_999_999));
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertEquals(model.size() + 200_001, map.size());
            assertEquals(10_199_999, map.get(10_199_999));
            assertEquals(123, map.get(0));
        }
    }

    @Test
    void shouldReopenAnEmptyMapAndAClearedOne()
    {
        final Path file = dir.resolve("empty.store");
        OffHeapLongLongMap.builder().file(file).build().close();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(map.isEmpty());
            for (long i = 0; i < 10_000; i++)
            {
                map.put(i, i);
            }
            map.clear();
            map.put(5, 5);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertEquals(1, map.size());
            assertEquals(5, map.get(5));
            assertFalse(map.containsKey(6));
        }
    }

    @Test
    void shouldRefuseASecondOpenWhileTheFirstIsOpen()
    {
        final Path file = dir.resolve("locked.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            map.put(1, 1);
            final StoreLockedException ex = assertThrows(StoreLockedException.class,
                () -> OffHeapLongLongMap.builder().file(file).build());
            assertTrue(ex.getMessage().contains("locked.store"), ex.getMessage());
            assertEquals(1, map.get(1), "the failed open must not disturb the open map");
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertEquals(1, map.get(1));
        }
    }

    @Test
    void shouldDetectACorruptDirectory() throws Exception
    {
        final Path file = dir.resolve("corrupt.store");
        OffHeapLongLongMap.builder().file(file).segments(2).build().close();
        final long directory = rootOffset(file);
        overwriteLong(file, directory + DirectoryDescriptor.SEGMENT_COUNT_OFFSET, 3);
        final CorruptStoreException count =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(count.getMessage().contains("segmentCount=3"), count.getMessage());

        overwriteLong(file, directory + DirectoryDescriptor.SEGMENT_COUNT_OFFSET, 2);
        overwriteLong(file, directory + DirectoryDescriptor.segmentEntryOffset(1) +
            DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET, 1L << 40);
        final CorruptStoreException offset =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(offset.getMessage().contains("offset=" + (1L << 40)), offset.getMessage());
    }

    @Test
    void shouldDetectATableHeaderThatDisagreesWithItsRegion() throws Exception
    {
        final Path file = dir.resolve("table.store");
        OffHeapLongLongMap.builder().file(file).segments(1).build().close();
        final long directory = rootOffset(file);
        final long table = readLong(file, directory + DirectoryDescriptor.segmentEntryOffset(0) +
            DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET);
        overwriteLong(file, table + TableDescriptor.CAPACITY_OFFSET, 1L << 30);
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(ex.getMessage().contains("capacity=" + (1L << 30)), ex.getMessage());
    }

    @Test
    void shouldRefuseAFileThatIsNotAStore() throws Exception
    {
        final Path file = dir.resolve("text.store");
        Files.writeString(file, "hello, this is not a store file ".repeat(20));
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(ex.getMessage().contains("not a SlotKV store file"), ex.getMessage());
    }

    @Test
    @EnabledOnOs(OS.LINUX) // reads /proc/self/maps
    void shouldUnmapTheFileOfAClosedMapThatIsStillReachable() throws Exception
    {
        final Path file = dir.resolve("closed-but-reachable.store");
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(4).file(file).chunkSize(1 << 20).build();
        for (long key = 0; key < 10_000; key++)
        {
            map.put(key, key); // several resizes: retired tables are regions of the same space
        }
        assertTrue(isMapped(file), "an open map has its file mapped");
        map.close();

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (isMapped(file) && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(isMapped(file), "a closed map must not pin its mappings: " + file);
        assertThrows(IllegalStateException.class, () -> map.get(1));
        assertThrows(IllegalStateException.class, () -> map.put(0, 1));
        assertThrows(IllegalStateException.class, map::sync);
        assertTrue(map.isPersistent());
        assertTrue(map.toString().contains("closed"), map.toString());
        Reference.reachabilityFence(map);
    }

    private static boolean isMapped(final Path file) throws Exception
    {
        final String name = file.toRealPath().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps")))
        {
            return lines.anyMatch(line -> line.endsWith(name));
        }
    }

    private static long rootOffset(final Path file) throws Exception
    {
        return readLong(file, FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
    }

    private static long readLong(final Path file, final long position) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            raf.seek(position);
            return Long.reverseBytes(raf.readLong());
        }
    }

    private static void overwriteLong(final Path file, final long position, final long value) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            raf.writeLong(Long.reverseBytes(value));
        }
    }
}
