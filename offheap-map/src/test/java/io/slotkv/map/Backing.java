package io.slotkv.map;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two memory backings every map test runs on.
 */
enum Backing
{
    ANONYMOUS
    {
        @Override
        OffHeapLongLongMap.Builder builder(final Path dir)
        {
            return OffHeapLongLongMap.builder();
        }
    },
    MAPPED_FILE
    {
        @Override
        OffHeapLongLongMap.Builder builder(final Path dir)
        {
            // small chunks, so that tables land in many chunks of the file
            return OffHeapLongLongMap.builder().file(dir.resolve("map-" + FILES.incrementAndGet() + ".store"))
                .chunkSize(1 << 26);
        }
    };

    private static final AtomicInteger FILES = new AtomicInteger();

    abstract OffHeapLongLongMap.Builder builder(Path dir);
}
