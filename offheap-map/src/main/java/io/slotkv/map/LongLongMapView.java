package io.slotkv.map;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

import static io.slotkv.map.SlotDescriptor.decode;

/**
 * {@link ConcurrentMap} view of an {@link OffHeapLongLongMap}. Null keys and values are rejected with
 * {@link NullPointerException}, as {@code ConcurrentHashMap} does; absent is {@code null}. Iterators are weakly
 * consistent and support {@code remove}; an entry's {@code setValue} writes through.
 */
final class LongLongMapView extends AbstractMap<Long, Long> implements ConcurrentMap<Long, Long>
{
    private final OffHeapLongLongMap map;
    private final long missing;
    private EntrySet entrySet;

    LongLongMapView(final OffHeapLongLongMap map)
    {
        this.map = map;
        this.missing = map.missingValue();
    }

    @Override
    public Long get(final Object key)
    {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof Long))
        {
            return null;
        }
        return boxed(map.get((Long)key));
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
        return boxed(map.put(key, value));
    }

    @Override
    public Long putIfAbsent(final Long key, final Long value)
    {
        return boxed(map.putIfAbsent(key, value));
    }

    @Override
    public Long replace(final Long key, final Long value)
    {
        return boxed(map.replace(key, value));
    }

    @Override
    public boolean replace(final Long key, final Long oldValue, final Long newValue)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        return map.replace(key, oldValue, newValue);
    }

    @Override
    public Long remove(final Object key)
    {
        Objects.requireNonNull(key, "key");
        return key instanceof Long ? boxed(map.remove((Long)key)) : null;
    }

    @Override
    public boolean remove(final Object key, final Object value)
    {
        Objects.requireNonNull(key, "key");
        return key instanceof Long && value instanceof Long && map.remove((Long)key, (Long)value);
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

    private Long boxed(final long value)
    {
        // the missing value cannot be stored, so it always means absent
        return missing == value ? null : value;
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
        private final OffHeapLongLongMap.SegmentSnapshot snapshot = new OffHeapLongLongMap.SegmentSnapshot();
        private int segment = -2;
        private int position;
        private Entry last;

        @Override
        public boolean hasNext()
        {
            while (position >= snapshot.size)
            {
                if (segment + 1 >= map.segmentCount())
                {
                    return false;
                }
                segment++;
                map.snapshot(segment, snapshot);
                position = 0;
            }
            return true;
        }

        @Override
        public Map.Entry<Long, Long> next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            last = new Entry(snapshot.keys[position], decode(snapshot.valueWords[position]));
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
            map.put(key, newValue);
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
