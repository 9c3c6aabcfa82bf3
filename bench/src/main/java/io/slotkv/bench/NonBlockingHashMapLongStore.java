package io.slotkv.bench;

import org.jctools.maps.NonBlockingHashMapLong;

/**
 * JCTools {@code NonBlockingHashMapLong<Long>}: primitive keys, boxed values; it has no atomic add, so increment is
 * the usual read and {@code replace}/{@code putIfAbsent} retry loop.
 */
final class NonBlockingHashMapLongStore implements LongLongStore
{
    private final NonBlockingHashMapLong<Long> map;

    NonBlockingHashMapLongStore(final long expectedEntries)
    {
        this.map = expectedEntries > 0 ? new NonBlockingHashMapLong<>((int)expectedEntries) : new NonBlockingHashMapLong<>();
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
        map.put(key, Long.valueOf(value));
    }

    @Override
    public long increment(final long key)
    {
        while (true)
        {
            final Long current = map.get(key);
            if (null == current)
            {
                if (null == map.putIfAbsent(key, Long.valueOf(1L)))
                {
                    return 1;
                }
            }
            else
            {
                final long next = current + 1;
                if (map.replace(key, current, Long.valueOf(next)))
                {
                    return next;
                }
            }
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
