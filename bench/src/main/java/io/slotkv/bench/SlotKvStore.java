package io.slotkv.bench;

import io.slotkv.map.OffHeapLongLongMap;

/**
 * SlotKV's {@link OffHeapLongLongMap} with its defaults (segments from the core count, max load 0.7), sized with
 * {@code initialCapacity} when the entry count is known.
 */
final class SlotKvStore implements LongLongStore
{
    private final OffHeapLongLongMap map;

    SlotKvStore(final long expectedEntries)
    {
        final OffHeapLongLongMap.Builder builder = OffHeapLongLongMap.builder().missingValue(MISSING);
        if (expectedEntries > 0)
        {
            builder.initialCapacity(expectedEntries);
        }
        this.map = builder.build();
    }

    @Override
    public long get(final long key)
    {
        return map.get(key);
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
    }
}
