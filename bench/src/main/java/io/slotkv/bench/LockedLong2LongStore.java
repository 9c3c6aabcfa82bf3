package io.slotkv.bench;

import org.agrona.collections.Long2LongHashMap;

/**
 * Agrona {@code Long2LongHashMap} (primitive, open addressing, default load factor 0.65) with every call under one
 * monitor: what a user does to share a non-concurrent primitive map.
 */
final class LockedLong2LongStore implements LongLongStore
{
    private static final float LOAD_FACTOR = 0.65f;
    private static final int DEFAULT_CAPACITY = 8;

    private final Long2LongHashMap map;

    LockedLong2LongStore(final long expectedEntries)
    {
        final int capacity = expectedEntries > 0 ? (int)Math.ceil(expectedEntries / LOAD_FACTOR) + 1 : DEFAULT_CAPACITY;
        this.map = new Long2LongHashMap(capacity, LOAD_FACTOR, MISSING);
    }

    @Override
    public long get(final long key)
    {
        synchronized (map)
        {
            return map.get(key);
        }
    }

    @Override
    public void put(final long key, final long value)
    {
        synchronized (map)
        {
            map.put(key, value);
        }
    }

    @Override
    public long increment(final long key)
    {
        synchronized (map)
        {
            final long current = map.get(key);
            final long next = MISSING == current ? 1 : current + 1;
            map.put(key, next);
            return next;
        }
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
