package io.slotkv.bench;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map {@code ChronicleMap<CharSequence, byte[]>} in anonymous off-heap memory (no file), configured as its
 * docs ask for variable-size keys and values: the entry count up front and {@code averageKey}/{@code averageValue}
 * from a sample key and value. {@code putReturnsNull(true)}: a put does not deserialise the value it replaces. A get
 * is {@code getUsing} with the session's reused 100-byte array (Chronicle reads into it when the length matches).
 * <p>
 * Keys are {@code CharSequence} (the session's {@code String}s, built once up front): with {@code byte[]} keys each
 * {@code getUsing} allocated 192 bytes on JDK 17 (and a put 384), with {@code String} keys a get allocates nothing.
 */
final class ChronicleMapByteStore implements ByteStore
{
    private final ChronicleMap<CharSequence, byte[]> map;
    private final int keys;

    ChronicleMapByteStore(final int keys)
    {
        this.keys = keys;
        this.map = ChronicleMap.of(CharSequence.class, byte[].class)
            .name("slotkv-bench-bytes")
            .entries(Math.max(1_000, keys))
            .averageKey(ByteKeys.keyString(0))
            .averageValue(ByteKeys.value(0))
            .putReturnsNull(true)
            .create();
    }

    @Override
    public void fill()
    {
        final byte[] value = new byte[ByteKeys.VALUE_LENGTH];
        for (int i = 0; i < keys; i++)
        {
            ByteKeys.value(i, value, 0);
            map.put(ByteKeys.keyString(i), value); // serialised into the map: the array can be reused
        }
    }

    @Override
    public Session session()
    {
        final String[] lookup = new String[keys];
        for (int i = 0; i < keys; i++)
        {
            lookup[i] = ByteKeys.keyString(i);
        }
        return new ChronicleMapSession(map, lookup);
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

    private static final class ChronicleMapSession implements Session
    {
        private final ChronicleMap<CharSequence, byte[]> map;
        private final String[] keys;
        private final byte[][] updates = new byte[ByteKeys.UPDATE_VALUES][];
        private byte[] value = new byte[ByteKeys.VALUE_LENGTH];

        ChronicleMapSession(final ChronicleMap<CharSequence, byte[]> map, final String[] keys)
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
            final byte[] read = map.getUsing(keys[key], value);
            if (null == read)
            {
                return ABSENT;
            }
            value = read; // the same array unless the length differed
            return read.length;
        }

        @Override
        public void put(final int key, final int value)
        {
            map.put(keys[key], updates[value]);
        }

        @Override
        public byte[] copyOf(final int key)
        {
            return map.get(keys[key]);
        }
    }
}
