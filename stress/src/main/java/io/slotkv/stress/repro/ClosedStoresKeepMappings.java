package io.slotkv.stress.repro;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reproduction (for the map's owner): a closed store-file map keeps its file mapped for as long as the map object
 * is reachable, so an application that keeps references to closed maps runs out of mappings.
 * <p>
 * Opens, uses and closes {@code count} store files (64 KiB chunks), keeping a reference to each closed map. Once the
 * process holds about {@code vm.max_map_count} (65530 by default) mappings, opening the next store fails with
 * {@code UncheckedIOException: cannot map chunk ... OutOfMemoryError: Map failed}, or - when the JVM itself is the
 * next to need a mapping - the JVM dies with "Native memory allocation (mmap) failed" (hs_err file). Expected: a
 * closed map releases its mapping (or at least stops pinning it), and running out of mappings is an exception,
 * never a JVM crash.
 * <p>
 * Run: {@code stress/repro-closed-store-mappings.sh} (exits non-zero while the problem exists).
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
