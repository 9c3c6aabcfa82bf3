package io.slotkv.map;

import io.slotkv.core.jvm.JvmAccess;
import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map owns its memory: replaced tables go back to the operating system (anonymous) or are reused (store file)
 * within the session, without a GC; anonymous tables are not direct buffers.
 */
class MemoryLifetimeTest
{
    private static final int LIVE = 100_000;
    private static final int CHURN = 10_000_000;

    @TempDir
    Path dir;

    /**
     * 100K live keys, 10M rounds of put-new/remove-oldest on 8 segments: every segment rebuilds its table about
     * 200 times. Before the map released replaced tables, RSS grew linearly (52 MB to 585 MB in 12M operations).
     */
    @Test
    void shouldKeepAnAnonymousMapsResidentMemoryWithinThreeTimesItsLiveTablesUnderChurn()
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(8).space(space).build())
        {
            churn(map);
            final long live = map.offHeapBytes() - map.pendingBytes();
            final long resident = space.residentSetBytes();
            assertTrue(resident > 0, "mincore reports the live tables: " + resident);
            assertTrue(resident <= 3 * live, "resident " + resident + " bytes > 3 x live tables " + live);
            assertTrue(map.offHeapBytes() <= 3 * live, "offHeapBytes " + map.offHeapBytes() + " > 3 x " + live);
            assertTrue(space.residentBytes() <= 3 * live, "space accounting " + space.residentBytes());
        }
        assertEquals(0, space.residentSetBytes(), "close gives every page back at once, without a GC");
        assertEquals(0, space.residentBytes());
    }

    /**
     * The same churn on a store file: the file reuses the space of replaced tables (it reached 459.6 MB for 4.6 MB
     * of live tables before).
     */
    @Test
    void shouldKeepAStoreFileWithinThreeTimesItsLiveTablesUnderChurn()
    {
        final Path file = dir.resolve("churn.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(8).file(file).build())
        {
            churn(map);
            final long live = map.offHeapBytes() - map.pendingBytes();
            final long size = file.toFile().length();
            assertTrue(size <= 3 * live, "file " + size + " bytes > 3 x live tables " + live);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING).build())
        {
            assertEquals(LIVE, map.size());
            for (long key = CHURN; key < CHURN + LIVE; key += 997)
            {
                assertEquals(key, map.get(key));
            }
        }
    }

    private static void churn(final OffHeapLongLongMap map)
    {
        for (long key = 0; key < LIVE; key++)
        {
            map.put(key, key);
        }
        for (long key = LIVE; key < CHURN + LIVE; key++)
        {
            map.put(key, key);
            assertEquals(key - LIVE, map.remove(key - LIVE));
        }
        assertEquals(LIVE, map.size());
    }

    @Test
    void shouldGiveAReplacedTablesMemoryBackOnlyAfterTheWritersThatMayHoldItHaveLeft() throws Exception
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace(false);
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).space(space).build())
        {
            final Reclaimer reclaimer = reclaimerOf(map);
            final int inside = reclaimer.enter(); // a writer that loaded the table and stalls before its CAS
            final Thread grower = new Thread(() ->
            {
                for (long key = 1; key <= 10_000; key++)
                {
                    map.put(key, key);
                }
            });
            grower.start();
            grower.join();
            assertTrue(map.pendingBytes() > 0, "replaced tables stay while a writer may hold one");
            assertEquals(space.residentBytes(), map.offHeapBytes(), "offHeapBytes counts them");
            reclaimer.exit(inside);
            assertTrue(reclaimer.reclaim(TimeUnit.SECONDS.toNanos(5)));
            assertEquals(0, map.pendingBytes(), "released once the writer left");
            assertEquals(map.offHeapBytes(), space.residentBytes());
        }
    }

    private static Reclaimer reclaimerOf(final OffHeapLongLongMap map) throws ReflectiveOperationException
    {
        final java.lang.reflect.Field field = OffHeapLongLongMap.class.getDeclaredField("reclaimer");
        field.setAccessible(true);
        return (Reclaimer)field.get(map);
    }

    /**
     * With {@code -XX:MaxDirectMemorySize=16m -XX:+DisableExplicitGC -Xmx64m}, a map grows to 4M entries (128 MiB of
     * tables), shrinks by clear(), grows again and closes: direct buffers made this an OutOfMemoryError.
     */
    @Test
    void shouldGrowFarBeyondMaxDirectMemorySizeWithExplicitGcDisabled() throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmAccess.launcherFlags());
        command.add("-XX:MaxDirectMemorySize=16m");
        command.add("-XX:+DisableExplicitGC");
        command.add("-Xmx64m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SmallJvm.class.getName());
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        child.getInputStream().transferTo(out);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        final String output = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("OK 4000000"), output);
    }

    /**
     * The child of {@link #shouldGrowFarBeyondMaxDirectMemorySizeWithExplicitGcDisabled}.
     */
    public static final class SmallJvm
    {
        public static void main(final String[] args)
        {
            final AnonymousMemorySpace space = new AnonymousMemorySpace();
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().space(space).build())
            {
                for (int round = 0; round < 2; round++)
                {
                    map.clear();
                    for (long key = 0; key < 4_000_000; key++)
                    {
                        map.put(key, -key);
                    }
                }
                for (long key = 0; key < 4_000_000; key += 4999)
                {
                    if (-key != map.get(key))
                    {
                        throw new AssertionError("key " + key + ": " + map.get(key));
                    }
                }
                if (space.residentBytes() > 3 * (map.offHeapBytes() - map.pendingBytes()))
                {
                    throw new AssertionError("retired tables not released: " + space.residentBytes());
                }
                System.out.println("OK " + map.size());
            }
            if (0 != space.residentSetBytes())
            {
                throw new AssertionError("resident after close: " + space.residentSetBytes());
            }
        }
    }

    @Test
    void shouldHandOutTheSpaceOfAReleasedRegionAgainInAStoreFile()
    {
        try (MappedFileSpace space = MappedFileSpace.open(dir.resolve("reuse.store"), 1 << 20))
        {
            space.markDirty();
            final var first = space.allocate(4096);
            final var second = space.allocate(8192);
            first.putLong(0, 42);
            final long end = space.end();
            space.release(first);
            final var third = space.allocate(4096);
            assertEquals(first.offset(), third.offset(), "the released range is handed out again");
            assertEquals(0, third.getLong(0), "zeroed");
            assertEquals(end, space.end(), "the file did not grow");
            space.release(third);
            space.release(second);
            final var merged = space.allocate(12288);
            assertEquals(first.offset(), merged.offset(), "adjacent released ranges merge");
        }
    }
}
