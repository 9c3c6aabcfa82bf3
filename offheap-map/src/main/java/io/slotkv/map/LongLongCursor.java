package io.slotkv.map;

import java.util.Arrays;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;

/**
 * The long map's iteration ({@link SpanCursor}): key 0 first (it lives outside the tables), then the spans, into
 * two arrays of keys and values.
 */
final class LongLongCursor extends SpanCursor<LongLongTable>
{
    private final OffHeapLongLongMap map;
    private final OffHeapLongLongMap.Found found = new OffHeapLongLongMap.Found();

    /** The entries of the last span: valid up to {@link #size}. */
    long[] keys = new long[128];
    long[] values = new long[128];

    LongLongCursor(final OffHeapLongLongMap map)
    {
        super(map.segments());
        this.map = map;
    }

    @Override
    boolean first()
    {
        final long value = map.peek(EMPTY_KEY, found);
        if (found.present)
        {
            keys[0] = EMPTY_KEY;
            values[0] = value;
            size = 1;
            return true;
        }
        return false;
    }

    @Override
    int visit(final LongLongTable table, final int index, final long from, final long end)
    {
        final long key = table.keyAt(index);
        if (EMPTY_KEY == key)
        {
            return EMPTY_SLOT;
        }
        final long low = table.hash(key) & 0xFFFF_FFFFL;
        if (low < from || low >= end)
        {
            return SKIPPED;
        }
        final long word = table.valueAt(index);
        long value;
        if (FROZEN == word)
        {
            value = map.peek(key, found); // copied by a replacement: its current value, wherever it is
            if (!found.present)
            {
                return SKIPPED;
            }
        }
        else if (ABSENT == word)
        {
            return SKIPPED;
        }
        else
        {
            value = table.decode(word);
        }
        if (size == keys.length)
        {
            return FULL;
        }
        keys[size] = key;
        values[size] = value;
        return ADDED;
    }

    @Override
    long lowHashAt(final LongLongTable table, final int index)
    {
        final long key = table.keyAt(index);
        return EMPTY_KEY == key ? -1 : table.hash(key) & 0xFFFF_FFFFL;
    }

    @Override
    void clear()
    {
        // the arrays are overwritten from 0
    }

    @Override
    void grow()
    {
        keys = Arrays.copyOf(keys, keys.length * 2);
        values = Arrays.copyOf(values, values.length * 2);
    }
}
