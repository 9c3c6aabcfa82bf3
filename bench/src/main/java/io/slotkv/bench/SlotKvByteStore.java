package io.slotkv.bench;

import io.slotkv.map.OffHeapByteStore;
import org.agrona.concurrent.UnsafeBuffer;

import static io.slotkv.bench.ByteKeys.KEY_LENGTH;
import static io.slotkv.bench.ByteKeys.VALUE_LENGTH;

/**
 * SlotKV's {@link OffHeapByteStore} with its defaults (segments from the core count, max load 0.75, huge pages),
 * sized with {@code initialCapacity(keys)} (or not: the growth benchmark). A session keeps its lookup keys in one buffer, key {@code i} at
 * {@code i * KEY_LENGTH}, and gets into one reusable {@link UnsafeBuffer}: a get copies the value and allocates
 * nothing.
 */
final class SlotKvByteStore implements ByteStore
{
    private final OffHeapByteStore store;
    private final int keys;

    SlotKvByteStore(final int keys, final boolean presized)
    {
        this(keys, presized, true);
    }

    /**
     * @param statistics false for the store with statistics off: what counting costs, beside the default.
     */
    SlotKvByteStore(final int keys, final boolean presized, final boolean statistics)
    {
        this.keys = keys;
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().statistics(statistics);
        this.store = presized ? builder.initialCapacity(keys).build() : builder.build();
    }

    @Override
    public void fill()
    {
        final byte[] key = new byte[KEY_LENGTH];
        final byte[] value = new byte[VALUE_LENGTH];
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(value);
        for (int i = 0; i < keys; i++)
        {
            ByteKeys.key(i, key, 0);
            ByteKeys.value(i, value, 0);
            store.put(keyBuffer, 0, KEY_LENGTH, valueBuffer, 0, VALUE_LENGTH);
        }
    }

    @Override
    public Session session()
    {
        return new SlotKvSession(store, keys);
    }

    @Override
    public long offHeapBytes()
    {
        return store.offHeapBytes();
    }

    @Override
    public long entryBytes()
    {
        return store.entryBytes();
    }

    @Override
    public void close()
    {
        store.close();
    }

    private static final class SlotKvSession implements Session
    {
        private final OffHeapByteStore store;
        private final UnsafeBuffer keys;
        private final UnsafeBuffer updates = new UnsafeBuffer(ByteKeys.updateBlock());
        private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);

        SlotKvSession(final OffHeapByteStore store, final int keys)
        {
            this.store = store;
            this.keys = new UnsafeBuffer(ByteKeys.keyBlock(keys));
        }

        @Override
        public int get(final int key)
        {
            return store.get(keys, key * KEY_LENGTH, KEY_LENGTH, value, 0);
        }

        @Override
        public void put(final int key, final int value)
        {
            store.put(keys, key * KEY_LENGTH, KEY_LENGTH, updates, value * VALUE_LENGTH, VALUE_LENGTH);
        }

        @Override
        public byte[] copyOf(final int key)
        {
            return store.get(ByteKeys.key(key));
        }
    }
}
