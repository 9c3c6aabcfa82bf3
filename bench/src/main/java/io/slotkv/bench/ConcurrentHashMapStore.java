package io.slotkv.bench;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ConcurrentHashMap<Long, Long>} as most Java code uses it: boxed keys and values, {@code merge} to count.
 */
final class ConcurrentHashMapStore implements LongLongStore
{
    private final ConcurrentHashMap<Long, Long> map;

    ConcurrentHashMapStore(final long expectedEntries)
    {
        this.map = expectedEntries > 0 ? new ConcurrentHashMap<>((int)expectedEntries) : new ConcurrentHashMap<>();
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
        return 0;
    }

    @Override
    public void close()
    {
    }
}
