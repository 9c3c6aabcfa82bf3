package io.slotkv.map;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;


/**
 * {@link ConcurrentMap} view of an {@link OffHeapLongLongMap}; its contract is documented at
 * {@link OffHeapLongLongMap#asConcurrentMap()}.
 */
final class LongLongMapView extends AbstractMap<Long, Long> implements ConcurrentMap<Long, Long>
{
    private final OffHeapLongLongMap map;
    private EntrySet entrySet;

    LongLongMapView(final OffHeapLongLongMap map)
    {
        this.map = map;
    }

    @Override
    public Long get(final Object key)
    {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof Long))
        {
            return null;
        }
        return map.boxedGet((Long)key);
    }

    @Override
    public boolean containsKey(final Object key)
    {
        Objects.requireNonNull(key, "key");
        return key instanceof Long && map.containsKey((Long)key);
    }

    @Override
    public Long put(final Long key, final Long value)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return map.boxedWrite(key, ValueUpdate.PUT, value);
    }

    @Override
    public Long putIfAbsent(final Long key, final Long value)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return map.boxedWrite(key, ValueUpdate.PUT_IF_ABSENT, value);
    }

    @Override
    public Long replace(final Long key, final Long value)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return map.boxedWrite(key, ValueUpdate.REPLACE, value);
    }

    @Override
    public boolean replace(final Long key, final Long oldValue, final Long newValue)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        return map.boxedWriteIfEqual(key, ValueUpdate.REPLACE_IF_EQUAL, newValue, oldValue);
    }

    @Override
    public Long remove(final Object key)
    {
        Objects.requireNonNull(key, "key");
        return key instanceof Long ? map.boxedWrite((Long)key, ValueUpdate.REMOVE, 0) : null;
    }

    @Override
    public boolean remove(final Object key, final Object value)
    {
        Objects.requireNonNull(key, "key");
        return key instanceof Long && value instanceof Long &&
            map.boxedWriteIfEqual((Long)key, ValueUpdate.REMOVE_IF_EQUAL, 0, (Long)value);
    }

    @Override
    public int size()
    {
        return (int)Math.min(Integer.MAX_VALUE, map.size());
    }

    @Override
    public boolean isEmpty()
    {
        return map.isEmpty();
    }

    @Override
    public void clear()
    {
        map.clear();
    }

    @Override
    public Set<Map.Entry<Long, Long>> entrySet()
    {
        EntrySet set = entrySet;
        if (null == set)
        {
            set = new EntrySet();
            entrySet = set;
        }
        return set;
    }

    private final class EntrySet extends AbstractSet<Map.Entry<Long, Long>>
    {
        @Override
        public Iterator<Map.Entry<Long, Long>> iterator()
        {
            return new EntryIterator();
        }

        @Override
        public int size()
        {
            return LongLongMapView.this.size();
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
            return key instanceof Long && value instanceof Long && value.equals(get(key));
        }

        @Override
        public boolean remove(final Object o)
        {
            if (!(o instanceof Map.Entry))
            {
                return false;
            }
            final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)o;
            return entry.getKey() instanceof Long && LongLongMapView.this.remove(entry.getKey(), entry.getValue());
        }

        @Override
        public void clear()
        {
            map.clear();
        }
    }

    private final class EntryIterator implements Iterator<Map.Entry<Long, Long>>
    {
        private final LongLongCursor cursor = new LongLongCursor(map);
        private int position;
        private boolean done;
        private Entry last;

        @Override
        public boolean hasNext()
        {
            while (!done && position >= cursor.size)
            {
                done = !cursor.advance();
                position = 0;
            }
            return !done;
        }

        @Override
        public Map.Entry<Long, Long> next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            last = new Entry(cursor.keys[position], cursor.values[position]);
            position++;
            return last;
        }

        @Override
        public void remove()
        {
            if (null == last)
            {
                throw new IllegalStateException("next() has not been called, or remove() was called already");
            }
            map.remove(last.key);
            last = null;
        }
    }

    private final class Entry implements Map.Entry<Long, Long>
    {
        private final long key;
        private long value;

        Entry(final long key, final long value)
        {
            this.key = key;
            this.value = value;
        }

        @Override
        public Long getKey()
        {
            return key;
        }

        @Override
        public Long getValue()
        {
            return value;
        }

        @Override
        public Long setValue(final Long newValue)
        {
            Objects.requireNonNull(newValue, "value");
            final long previous = value;
            map.boxedWrite(key, ValueUpdate.PUT, newValue);
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
            return Long.valueOf(key).equals(other.getKey()) && Long.valueOf(value).equals(other.getValue());
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(key) ^ Long.hashCode(value);
        }

        @Override
        public String toString()
        {
            return key + "=" + value;
        }
    }
}
