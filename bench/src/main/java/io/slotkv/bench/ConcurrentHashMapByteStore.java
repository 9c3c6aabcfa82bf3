package io.slotkv.bench;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ConcurrentHashMap<String, byte[]>} as most Java code holds text keys and byte values, presized with the
 * key count. The map keeps the {@code String} instances it was filled with; a session looks up with its own equal
 * instances (built once up front, their hash codes cached by {@code String}), as a caller whose key came from
 * elsewhere would. Gets hand back the stored array and puts store the caller's array: references, no value bytes
 * are copied either way (the other stores copy 100 bytes per operation).
 */
final class ConcurrentHashMapByteStore implements ByteStore
{
    private final ConcurrentHashMap<String, byte[]> map;
    private final int keys;

    ConcurrentHashMapByteStore(final int keys, final boolean presized)
    {
        this.keys = keys;
        this.map = presized ? new ConcurrentHashMap<>(keys) : new ConcurrentHashMap<>();
    }

    @Override
    public void fill()
    {
        for (int i = 0; i < keys; i++)
        {
            map.put(ByteKeys.keyString(i), ByteKeys.value(i));
        }
    }

    @Override
    public Session session()
    {
        final String[] lookup = new String[keys];
        for (int i = 0; i < keys; i++)
        {
            lookup[i] = ByteKeys.keyString(i);
            lookup[i].hashCode(); // cached in the instance, as it would be for a key used more than once
        }
        return new ConcurrentHashMapSession(map, lookup);
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

    private static final class ConcurrentHashMapSession implements Session
    {
        private final ConcurrentHashMap<String, byte[]> map;
        private final String[] keys;
        private final byte[][] updates = new byte[ByteKeys.UPDATE_VALUES][];

        ConcurrentHashMapSession(final ConcurrentHashMap<String, byte[]> map, final String[] keys)
        {
            this.map = map;
            this.keys = keys;
            for (int j = 0; j < updates.length; j++)
            {
                updates[j] = ByteKeys.updateValue(j);
            }
        }

        @Override
        public int get(final int key)
        {
            final byte[] value = map.get(keys[key]);
            return null == value ? ABSENT : value.length;
        }

        @Override
        public void put(final int key, final int value)
        {
            map.put(keys[key], updates[value]);
        }

        @Override
        public byte[] copyOf(final int key)
        {
            final byte[] value = map.get(keys[key]);
            return null == value ? null : value.clone();
        }
    }
}
