package io.slotkv.stress.repro;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Regression check: a closed store-file map must not keep its file mapped because the map object is still
 * reachable, and running out of mappings must never crash the JVM.
 * <p>
 * Opens, uses and closes {@code count} store files (64 KiB chunks), keeping a reference to each closed map, far past
 * {@code vm.max_map_count} (65530 by default) mappings. Before the fix (closed maps pinned their space), opening the
 * store after about 65,000 failed with {@code OutOfMemoryError: Map failed}, or the JVM died with "Native memory
 * allocation (mmap) failed". Now a closed map drops its space, and a refused mapping is retried after a GC.
 * <p>
 * Run: {@code stress/repro-closed-store-mappings.sh} (exits 0 when all stores opened).
 */
public final class ClosedStoresKeepMappings
{
    private ClosedStoresKeepMappings()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final int count = args.length > 0 ? Integer.parseInt(args[0]) : 80_000;
        final Path dir = Files.createTempDirectory("slotkv-repro-");
        final List<OffHeapLongLongMap> closedMaps = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Path file = dir.resolve("store-" + i);
            try
            {
                final OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).file(file).chunkSize(1 << 16).build();
                map.put(1, 1);
                map.close();
                closedMaps.add(map); // closed, but still reachable: as in a registry, a cache, or jcstress's buffers
            }
            catch (final RuntimeException ex)
            {
                System.out.println("FAILED: opening store #" + i + " after closing " + closedMaps.size() + ": " + ex +
                    (null != ex.getCause() ? " caused by " + ex.getCause() : ""));
                System.exit(1);
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
        System.out.println("OK: opened, used and closed " + count + " store files while keeping the closed maps");
    }
}
