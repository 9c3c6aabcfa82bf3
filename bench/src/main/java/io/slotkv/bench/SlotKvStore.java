package io.slotkv.bench;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SlotKV's {@link OffHeapLongLongMap} with its defaults (segments from the core count, max load 0.7), sized with
 * {@code initialCapacity} when the entry count is known.
 */
final class SlotKvStore implements LongLongStore
{
    private final OffHeapLongLongMap map;
    private final Path file;

    SlotKvStore(final long expectedEntries)
    {
        this(expectedEntries, null, true);
    }

    SlotKvStore(final long expectedEntries, final boolean hugePages)
    {
        this(expectedEntries, null, hugePages);
    }

    /**
     * @return a store with statistics off: what counting costs, beside the default.
     */
    static SlotKvStore withoutStatistics(final long expectedEntries)
    {
        return new SlotKvStore(expectedEntries, null, true, false);
    }

    private SlotKvStore(final long expectedEntries, final Path file, final boolean hugePages)
    {
        this(expectedEntries, file, hugePages, true);
    }

    private SlotKvStore(final long expectedEntries, final Path file, final boolean hugePages,
        final boolean statistics)
    {
        final OffHeapLongLongMap.Builder builder = OffHeapLongLongMap.builder().missingValue(MISSING)
            .hugePages(hugePages).statistics(statistics);
        if (expectedEntries > 0)
        {
            builder.initialCapacity(expectedEntries);
        }
        if (null != file)
        {
            builder.file(file);
        }
        this.file = file;
        this.map = builder.build();
    }

    /**
     * @return a store on a new file in the temporary directory (on this machine: disk-backed /tmp, so the page
     * cache), deleted when the store is closed.
     */
    static SlotKvStore inTemporaryFile(final long expectedEntries)
    {
        try
        {
            final Path file = Files.createTempFile("slotkv-bench-", ".store");
            Files.delete(file); // the map creates it
            return new SlotKvStore(expectedEntries, file, true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public long get(final long key)
    {
        return map.get(key);
    }

    @Override
    public void getAll(final long[] keys, final long[] values, final int length)
    {
        map.getAll(keys, values, length);
    }

    @Override
    public void put(final long key, final long value)
    {
        map.put(key, value);
    }

    @Override
    public long increment(final long key)
    {
        return map.incrementAndGet(key);
    }

    @Override
    public long offHeapBytes()
    {
        return map.offHeapBytes();
    }

    @Override
    public void close()
    {
        map.close();
        if (null != file)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
