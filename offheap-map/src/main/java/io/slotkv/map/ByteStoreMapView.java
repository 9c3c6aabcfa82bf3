package io.slotkv.map;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;

/**
 * {@link ConcurrentMap} view of an {@link OffHeapByteStore} through a key and a value {@link ByteCodec}; its
 * contract is documented at {@link OffHeapByteStore#asConcurrentMap(ByteCodec, ByteCodec)}. Every operation is one
 * of the store's byte operations on the encoded key and value; nothing is cached on the heap.
 *
 * @param <K> the keys' type.
 * @param <V> the values' type.
 */
final class ByteStoreMapView<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>
{
    private static final byte[] NO_BYTES = new byte[0];

    private final OffHeapByteStore store;
    private final ByteCodec<K> keyCodec;
    private final ByteCodec<V> valueCodec;
    private final Class<K> keyType;
    private final Class<V> valueType;

    // racy, but benign: a thread that sees null makes an equivalent view
    private KeySet keySet;
    private Values values;
    private EntrySet entrySet;

    ByteStoreMapView(final OffHeapByteStore store, final ByteCodec<K> keyCodec, final ByteCodec<V> valueCodec)
    {
        this.store = store;
        this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
        this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
        this.keyType = Objects.requireNonNull(keyCodec.type(), "keyCodec.type()");
        this.valueType = Objects.requireNonNull(valueCodec.type(), "valueCodec.type()");
    }

    // ---------------------------------------------------------------- queries

    @Override
    public V get(final Object key)
    {
        final byte[] keyBytes = queryKey(key);
        return null == keyBytes ? null : decodeValue(store.get(keyBytes));
    }

    @Override
    public boolean containsKey(final Object key)
    {
        final byte[] keyBytes = queryKey(key);
        return null != keyBytes && store.containsKey(keyBytes);
    }

    @Override
    public boolean containsValue(final Object value)
    {
        final byte[] valueBytes = queryValue(value);
        if (null == valueBytes)
        {
            return false;
        }
        final ByteCursor cursor = store.cursor();
        while (cursor.advance())
        {
            final byte[] bytes = cursor.bytes;
            for (int i = 0; i < cursor.size; i++)
            {
                final int valueOffset = cursor.keyOffsets[i] + cursor.keyLengths[i];
                if (Arrays.equals(bytes, valueOffset, valueOffset + cursor.valueLengths[i], valueBytes, 0,
                    valueBytes.length))
                {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public int size()
    {
        return (int)Math.min(Integer.MAX_VALUE, store.size());
    }

    @Override
    public boolean isEmpty()
    {
        return store.isEmpty();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public V put(final K key, final V value)
    {
        final byte[] keyBytes = encode(keyCodec, key, "key");
        return decodeValue(store.getAndSet(keyBytes, encode(valueCodec, value, "value")));
    }

    @Override
    public V putIfAbsent(final K key, final V value)
    {
        final byte[] keyBytes = encode(keyCodec, key, "key");
        final byte[] valueBytes = encode(valueCodec, value, "value");
        while (true)
        {
            if (store.putIfAbsent(keyBytes, valueBytes))
            {
                return null;
            }
            final byte[] current = store.peek(keyBytes); // the read of a write
            if (null != current)
            {
                return decodeValue(current); // linearization point: the read, at which the key had this value
            }
            // removed between the two: try again
        }
    }

    @Override
    public V replace(final K key, final V value)
    {
        final byte[] keyBytes = encode(keyCodec, key, "key");
        final byte[] valueBytes = encode(valueCodec, value, "value");
        while (true)
        {
            final byte[] current = store.peek(keyBytes); // the read of a write
            if (null == current)
            {
                return null;
            }
            if (store.replace(keyBytes, current, valueBytes))
            {
                return decodeValue(current); // linearization point: the compare-and-set
            }
        }
    }

    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        final byte[] keyBytes = encode(keyCodec, key, "key");
        final byte[] expected = encode(valueCodec, oldValue, "oldValue");
        return store.replace(keyBytes, expected, encode(valueCodec, newValue, "newValue"));
    }

    @Override
    public V remove(final Object key)
    {
        final byte[] keyBytes = queryKey(key);
        return null == keyBytes ? null : decodeValue(store.getAndRemove(keyBytes));
    }

    @Override
    public boolean remove(final Object key, final Object value)
    {
        final byte[] keyBytes = queryKey(key);
        if (null == keyBytes || null == value)
        {
            return false;
        }
        final byte[] expected = queryValue(value);
        return null != expected && store.remove(keyBytes, expected);
    }

    @Override
    public void putAll(final Map<? extends K, ? extends V> map)
    {
        for (final Map.Entry<? extends K, ? extends V> entry : map.entrySet())
        {
            store.put(encode(keyCodec, entry.getKey(), "key"), encode(valueCodec, entry.getValue(), "value"));
        }
    }

    @Override
    public void clear()
    {
        store.clear();
    }

    @Override
    public void forEach(final BiConsumer<? super K, ? super V> action)
    {
        Objects.requireNonNull(action, "action");
        store.forEach((key, value) -> action.accept(
            keyCodec.decode(key, 0, key.capacity()), valueCodec.decode(value, 0, value.capacity())));
    }

    // ---------------------------------------------------------------- views

    @Override
    public Set<K> keySet()
    {
        KeySet set = keySet;
        if (null == set)
        {
            set = new KeySet();
            keySet = set;
        }
        return set;
    }

    @Override
    public Collection<V> values()
    {
        Values collection = values;
        if (null == collection)
        {
            collection = new Values();
            values = collection;
        }
        return collection;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet()
    {
        EntrySet set = entrySet;
        if (null == set)
        {
            set = new EntrySet();
            entrySet = set;
        }
        return set;
    }

    // ---------------------------------------------------------------- encoding

    /**
     * @return the key's bytes, or null if it cannot have a value: not of the key codec's type, or longer than the
     * store's keys can be.
     * @throws NullPointerException if the key is null.
     */
    private byte[] queryKey(final Object key)
    {
        Objects.requireNonNull(key, "key");
        if (!keyType.isInstance(key))
        {
            return null;
        }
        final byte[] bytes = encode(keyCodec, keyType.cast(key), "key");
        return bytes.length > store.maxKeyLength() ? null : bytes;
    }

    /**
     * @return the value's bytes, or null if no key can have it (not of the value codec's type).
     * @throws NullPointerException if the value is null.
     */
    private byte[] queryValue(final Object value)
    {
        Objects.requireNonNull(value, "value");
        return valueType.isInstance(value) ? encode(valueCodec, valueType.cast(value), "value") : null;
    }

    private static <T> byte[] encode(final ByteCodec<T> codec, final T object, final String what)
    {
        Objects.requireNonNull(object, what);
        final byte[] bytes = codec.encode(object);
        if (null == bytes)
        {
            throw new NullPointerException("codec encoded a " + what + " as null: codec=" + codec + ", " + what +
                "=" + object);
        }
        return bytes;
    }

    private V decodeValue(final byte[] bytes)
    {
        return null == bytes ? null : valueCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    // ---------------------------------------------------------------- collection views

    private final class KeySet extends AbstractSet<K>
    {
        @Override
        public Iterator<K> iterator()
        {
            return new KeyIterator();
        }

        @Override
        public int size()
        {
            return ByteStoreMapView.this.size();
        }

        @Override
        public boolean isEmpty()
        {
            return store.isEmpty();
        }

        @Override
        public boolean contains(final Object o)
        {
            return containsKey(o);
        }

        @Override
        public boolean remove(final Object o)
        {
            final byte[] keyBytes = queryKey(o);
            return null != keyBytes && store.remove(keyBytes);
        }

        @Override
        public void clear()
        {
            store.clear();
        }
    }

    private final class Values extends AbstractCollection<V>
    {
        @Override
        public Iterator<V> iterator()
        {
            return new ValueIterator();
        }

        @Override
        public int size()
        {
            return ByteStoreMapView.this.size();
        }

        @Override
        public boolean isEmpty()
        {
            return store.isEmpty();
        }

        @Override
        public boolean contains(final Object o)
        {
            return containsValue(o);
        }

        @Override
        public void clear()
        {
            store.clear();
        }
    }

    private final class EntrySet extends AbstractSet<Map.Entry<K, V>>
    {
        @Override
        public Iterator<Map.Entry<K, V>> iterator()
        {
            return new EntryIterator();
        }

        @Override
        public int size()
        {
            return ByteStoreMapView.this.size();
        }

        @Override
        public boolean isEmpty()
        {
            return store.isEmpty();
        }

        @Override
        public boolean contains(final Object o)
        {
            if (!(o instanceof Map.Entry))
            {
                return false;
            }
            final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)o;
            final Object key = entry.getKey();
            final Object value = entry.getValue();
            if (null == key || null == value)
            {
                return false;
            }
            final byte[] keyBytes = queryKey(key);
            final byte[] valueBytes = queryValue(value);
            return null != keyBytes && null != valueBytes && Arrays.equals(valueBytes, store.get(keyBytes));
        }

        @Override
        public boolean remove(final Object o)
        {
            if (!(o instanceof Map.Entry))
            {
                return false;
            }
            final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)o;
            final Object key = entry.getKey();
            return null != key && ByteStoreMapView.this.remove(key, entry.getValue());
        }

        @Override
        public void clear()
        {
            store.clear();
        }
    }

    /**
     * The iteration of the three views: the store's {@link ByteCursor}, a span at a time, each element decoded from
     * the span's validated copy. Allocates per element only what the codecs decode (and the entry view's entry).
     */
    private abstract class CursorIterator<E> implements Iterator<E>
    {
        private final ByteCursor cursor = store.cursor();
        private final UnsafeBuffer span = new UnsafeBuffer(NO_BYTES);
        private int position;
        private boolean done;

        /** The key bytes of the element {@link #next} returned last, for {@link #remove}; -1: none. */
        private byte[] lastKey = new byte[64];
        private final UnsafeBuffer lastKeyBuffer = new UnsafeBuffer(lastKey);
        private int lastKeyLength = -1;

        @Override
        public final boolean hasNext()
        {
            while (!done && position >= cursor.size)
            {
                done = !cursor.advance();
                position = 0;
                if (span.byteArray() != cursor.bytes)
                {
                    span.wrap(cursor.bytes); // the cursor grew its buffer
                }
            }
            return !done;
        }

        @Override
        public final E next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            final int i = position++;
            final int keyOffset = cursor.keyOffsets[i];
            final int keyLength = cursor.keyLengths[i];
            lastKeyLength = -1;
            final E element = element(span, keyOffset, keyLength, keyOffset + keyLength, cursor.valueLengths[i]);
            if (keyLength > lastKey.length)
            {
                lastKey = new byte[Math.max(keyLength, 2 * lastKey.length)];
                lastKeyBuffer.wrap(lastKey);
            }
            System.arraycopy(cursor.bytes, keyOffset, lastKey, 0, keyLength);
            lastKeyLength = keyLength;
            return element;
        }

        /**
         * Remove the key {@link #next} returned last, whatever its value is now: its exact bytes, as the store held
         * them.
         */
        @Override
        public final void remove()
        {
            if (lastKeyLength < 0)
            {
                throw new IllegalStateException("next() has not been called, or remove() was called already");
            }
            store.remove(lastKeyBuffer, 0, lastKeyLength);
            lastKeyLength = -1;
        }

        abstract E element(UnsafeBuffer span, int keyOffset, int keyLength, int valueOffset, int valueLength);
    }

    private final class KeyIterator extends CursorIterator<K>
    {
        @Override
        K element(final UnsafeBuffer span, final int keyOffset, final int keyLength, final int valueOffset,
            final int valueLength)
        {
            return keyCodec.decode(span, keyOffset, keyLength);
        }
    }

    private final class ValueIterator extends CursorIterator<V>
    {
        @Override
        V element(final UnsafeBuffer span, final int keyOffset, final int keyLength, final int valueOffset,
            final int valueLength)
        {
            return valueCodec.decode(span, valueOffset, valueLength);
        }
    }

    private final class EntryIterator extends CursorIterator<Map.Entry<K, V>>
    {
        @Override
        Map.Entry<K, V> element(final UnsafeBuffer span, final int keyOffset, final int keyLength,
            final int valueOffset, final int valueLength)
        {
            return new Entry(keyCodec.decode(span, keyOffset, keyLength),
                valueCodec.decode(span, valueOffset, valueLength));
        }
    }

    /**
     * An entry of the iteration: the key and the value it had when the iterator read it; {@link #setValue} writes
     * through with a put.
     */
    private final class Entry implements Map.Entry<K, V>
    {
        private final K key;
        private V value;

        Entry(final K key, final V value)
        {
            this.key = key;
            this.value = value;
        }

        @Override
        public K getKey()
        {
            return key;
        }

        @Override
        public V getValue()
        {
            return value;
        }

        @Override
        public V setValue(final V newValue)
        {
            final byte[] valueBytes = encode(valueCodec, newValue, "value");
            store.put(encode(keyCodec, key, "key"), valueBytes);
            final V previous = value;
            value = newValue;
            return previous;
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof Map.Entry))
            {
                return false;
            }
            final Map.Entry<?, ?> other = (Map.Entry<?, ?>)o;
            return key.equals(other.getKey()) && value.equals(other.getValue());
        }

        @Override
        public int hashCode()
        {
            return key.hashCode() ^ value.hashCode();
        }

        @Override
        public String toString()
        {
            return key + "=" + value;
        }
    }
}
