package io.slotkv.map;

import java.util.Arrays;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.TableDescriptor.homeIndex;

/**
 * Weakly consistent iteration in O(1) heap: key 0 first, then each segment in <em>spans</em> of the low 32 bits of
 * the key hash, the bits that choose a key's home slot ({@link TableDescriptor#homeIndex}, monotonic in them
 * for every capacity). A span is collected from one table into a small buffer and handed out only once that table
 * is known not to have been retired meanwhile; else it is collected again from the segment's new table. Spans
 * partition the hash space and move forward only, so a key that has a value for the whole iteration is handed out
 * exactly once, whatever replacements happen: it has a slot in every table that is current while it lives, and a
 * table holds a key at most once. A span retried {@link #RETRIES_BEFORE_LOCK} times in a row is collected under
 * the segment's read lock, which no replacement can start under: progress is guaranteed under any churn.
 */
final class Cursor
{
    /** Home slots per span: about 22 entries at the default load, so a few cache lines per span. */
    private static final int SPAN_SLOTS = 32;

    static final int RETRIES_BEFORE_LOCK = 8;

    private static final long HASH_SPACE = 1L << 32;

    /** Slots past a span after which its scan bounds itself by the table's largest displacement. */
    private static final long LONG_RUN = 64;

    private final OffHeapLongLongMap map;
    private final OffHeapLongLongMap.Found found = new OffHeapLongLongMap.Found();

    /** The entries of the last span: valid up to {@link #size}. */
    long[] keys = new long[128];
    long[] values = new long[128];
    int size;

    /** -1 before key 0; then the segment being visited. */
    private int segment = -1;

    /** The first low hash of the segment not handed out yet. */
    private long position;

    /** Spans collected again because their table was retired under them, for tests. */
    long retries;

    /** Spans collected under the read lock, for tests. */
    long locked;

    /** Slots read by the span scans, for tests (the scans must stay linear in the table's size). */
    long slotsScanned;

    /** Test seam: lock-free attempts to treat as if their table had been retired under them. */
    int forcedRetries;

    /** The table whose largest displacement is {@link #displacement}; null before the first long cluster. */
    private LongLongTable displacementTable;
    private int displacement;

    Cursor(final OffHeapLongLongMap map)
    {
        this.map = map;
    }

    /**
     * Collect the next non-empty span.
     *
     * @return false when the iteration is over.
     */
    boolean advance()
    {
        size = 0;
        while (true)
        {
            if (segment < 0)
            {
                segment = 0;
                position = 0;
                final long value = map.read(EMPTY_KEY, 0, found, false);
                if (found.present)
                {
                    add(EMPTY_KEY, value);
                    return true;
                }
                continue;
            }
            if (segment >= map.segmentCount())
            {
                return false;
            }
            if (position >= HASH_SPACE)
            {
                segment++;
                position = 0;
                continue;
            }
            collectSpan(map.segment(segment));
            if (size > 0)
            {
                return true;
            }
        }
    }

    private void collectSpan(final Segment<LongLongTable> segment)
    {
        int spanSlots = SPAN_SLOTS;
        int attempt = 0;
        while (true)
        {
            final boolean underLock = attempt >= RETRIES_BEFORE_LOCK;
            final long stamp = underLock ? segment.readLock() : 0;
            try
            {
                final LongLongTable table = segment.table;
                if (null == table)
                {
                    throw OffHeapLongLongMap.closedException();
                }
                final int capacity = table.capacity;
                final int first = homeIndex(position, capacity);
                final long last = Math.min(capacity, (long)first + spanSlots); // exclusive
                final long end = last == capacity ? HASH_SPACE : ceilDiv(last << 32, capacity);
                size = 0;
                if (!collect(table, first, (int)last, position, end))
                {
                    // more entries than the buffer holds: a narrower span, or a larger buffer for one home slot
                    if (spanSlots > 1)
                    {
                        spanSlots >>= 1;
                    }
                    else
                    {
                        keys = Arrays.copyOf(keys, keys.length * 2);
                        values = Arrays.copyOf(values, values.length * 2);
                    }
                    continue;
                }
                if (table.retired || (!underLock && forcedRetries > 0 && forcedRetries-- > 0))
                {
                    retries++;
                    attempt++;
                    continue;
                }
                if (underLock)
                {
                    locked++;
                }
                position = end;
                return;
            }
            finally
            {
                if (underLock)
                {
                    segment.unlockRead(stamp);
                }
            }
        }
    }

    /**
     * Collect the entries of {@code table} whose low hash is in {@code [from, end)}: their home slots are in
     * {@code [first, last)}, and each sits at its home or after it in the same cluster, so the scan runs from
     * {@code first} up to the first empty key word at or past {@code last} (wrapping at the end of the table).
     *
     * @return false if the buffer is full.
     */
    private boolean collect(final LongLongTable table, final int first, final int last, final long from,
        final long end)
    {
        final int capacity = table.capacity;
        long limit = capacity; // steps: at most the whole table
        int index = first;
        for (int step = 0; step < limit; step++, index = index + 1 == capacity ? 0 : index + 1)
        {
            final long past = (long)first + step - last; // slots scanned past the span's last home slot
            if (past == LONG_RUN && limit == capacity)
            {
                // a long cluster (a table with few or no empty key words): no key of the span sits further past
                // its home than the table's largest displacement, so stop there instead of at an empty slot
                limit = Math.min(capacity, (long)last - first + maxDisplacement(table) + 1);
            }
            final long key = table.keyAt(index);
            slotsScanned++;
            if (EMPTY_KEY == key)
            {
                if (past >= 0)
                {
                    break;
                }
                continue;
            }
            final long low = table.hash(key) & 0xFFFF_FFFFL;
            if (low < from || low >= end)
            {
                continue;
            }
            final long word = table.valueAt(index);
            long value;
            if (FROZEN == word)
            {
                value = map.read(key, 0, found, false); // copied by a replacement: its current value, wherever it is
                if (!found.present)
                {
                    continue;
                }
            }
            else if (ABSENT == word)
            {
                continue;
            }
            else
            {
                value = table.decode(word);
            }
            if (size == keys.length)
            {
                return false;
            }
            add(key, value);
        }
        return true;
    }

    /**
     * @return the largest distance of a key from its home slot in {@code table}, measured once per table. A key
     * inserted later may sit further; it was not in the map for the whole iteration, so it may be missed.
     */
    private int maxDisplacement(final LongLongTable table)
    {
        if (table != displacementTable)
        {
            final int capacity = table.capacity;
            int most = 0;
            for (int index = 0; index < capacity; index++)
            {
                final long key = table.keyAt(index);
                if (EMPTY_KEY != key)
                {
                    final int home = homeIndex(table.hash(key), capacity);
                    most = Math.max(most, index >= home ? index - home : index + capacity - home);
                }
            }
            displacementTable = table;
            displacement = most;
        }
        return displacement;
    }

    private void add(final long key, final long value)
    {
        keys[size] = key;
        values[size] = value;
        size++;
    }

    private static long ceilDiv(final long dividend, final long divisor)
    {
        return (dividend + divisor - 1) / divisor;
    }
}
