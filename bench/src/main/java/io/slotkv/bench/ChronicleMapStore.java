package io.slotkv.bench;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map {@code ChronicleMap<Long, Long>} in anonymous off-heap memory (no file), configured as its docs
 * ask: the entry count up front ({@code entries}); {@code Long} keys and values are fixed-size, so no
 * {@code averageKey}/{@code averageValue} is needed. Its {@code get}/{@code put} box and deserialise a new
 * {@code Long}; {@code merge} runs under the segment's update lock.
 */
final class ChronicleMapStore implements LongLongStore
{
    private final ChronicleMap<Long, Long> map;

    ChronicleMapStore(final long entries)
    {
        this.map = ChronicleMap.of(Long.class, Long.class)
            .name("slotkv-bench")
            .entries(Math.max(1_000, entries))
            .create();
    }

    @Override
    public long get(final long key)
    {
        final Long value = map.get(key);
        return null == value ? MISSING : value;
    }

    @Override
    public void put(final long key, final long value)
    {
        map.put(key, value);
    }

    @Override
    public long increment(final long key)
    {
        return map.merge(key, 1L, Long::sum);
    }

    @Override
    public long offHeapBytes()
    {
        return map.offHeapMemoryUsed();
    }

    @Override
    public void close()
    {
        map.close();
    }
}
