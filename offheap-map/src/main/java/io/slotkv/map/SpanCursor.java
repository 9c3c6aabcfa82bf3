package io.slotkv.map;

import static io.slotkv.map.TableDescriptor.homeIndex;

/**
 * Weakly consistent iteration in O(1) heap, for both table kinds: each segment in <em>spans</em> of the low 32 bits
 * of the key hash, the bits that choose a key's home slot ({@link TableDescriptor#homeIndex}, monotonic in them
 * for every capacity). A span is collected from one table into a small buffer and handed out only once that table
 * is known not to have been retired meanwhile; else it is collected again from the segment's new table. Spans
 * partition the hash space and move forward only, so a key that has a value for the whole iteration is handed out
 * exactly once, whatever replacements happen: it has a slot in every table that is current while it lives, and a
 * table holds a key at most once. A span retried {@link #RETRIES_BEFORE_LOCK} times in a row is collected under
 * the segment's read lock, which no replacement can start under: progress is guaranteed under any churn.
 * <p>
 * A subclass knows its table's slots ({@link #visit}, {@link #lowHashAt}) and its buffer.
 *
 * @param <T> the table kind.
 */
abstract class SpanCursor<T extends SegmentTable<T>>
{
    /** {@link #visit}: the slot has no key; a span's scan ends at the first such slot past its home slots. */
    static final int EMPTY_SLOT = 0;

    /** {@link #visit}: a key outside the span, or without a value. */
    static final int SKIPPED = 1;

    /** {@link #visit}: the entry is in the buffer. */
    static final int ADDED = 2;

    /** {@link #visit}: the buffer has no room for the entry; {@link #grow} makes some. */
    static final int FULL = 3;

    /**
     * {@link #visit}: the slot's word names a block that was freed and the word did not change: legitimate only in a
     * table being replaced (its replacement is published before the table is marked retired), so the span is
     * collected again; a damaged store if it persists under the read lock.
     */
    static final int STALE = 4;

    /** Home slots per span: about 22 entries at the default load, so a few cache lines per span. */
    private static final int SPAN_SLOTS = 32;

    static final int RETRIES_BEFORE_LOCK = 8;

    private static final long HASH_SPACE = 1L << 32;

    /** Slots past a span after which its scan bounds itself by the table's largest displacement. */
    private static final long LONG_RUN = 64;

    private final Segment<T>[] segments;

    /** Entries in the buffer: valid up to here. */
    int size;

    /** -1 before {@link #first}; then the segment being visited. */
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
    private T displacementTable;
    private int displacement;

    SpanCursor(final Segment<T>[] segments)
    {
        this.segments = segments;
    }

    /**
     * Visit slot {@code index} of {@code table}: add its entry to the buffer if its key's low hash is in
     * {@code [from, end)} and it has a value.
     *
     * @return {@link #EMPTY_SLOT}, {@link #SKIPPED}, {@link #ADDED}, {@link #FULL} or {@link #STALE}.
     */
    abstract int visit(T table, int index, long from, long end);

    /**
     * @return the low 32 bits of the hash of slot {@code index}'s key, -1 if the slot has no key (or it cannot be
     * read now).
     */
    abstract long lowHashAt(T table, int index);

    /** Empty the buffer for a new span. */
    abstract void clear();

    /** More room in the buffer: at least for the entry that did not fit. */
    abstract void grow();

    /**
     * Start reading what the slots {@code [first, last)} of {@code table} point to, before they are visited one by
     * one (for a walk whose entries lie elsewhere: their cache misses overlap). Nothing by default.
     */
    void prefetch(final T table, final int first, final int last)
    {
    }

    /**
     * Entries handed out before the segments' spans (the long map's key 0): called once, before the first span.
     *
     * @return true if the buffer holds some.
     */
    boolean first()
    {
        return false;
    }

    /**
     * Start (or go on) from low hash {@code position} of segment {@code segment}, as if every earlier span had been
     * handed out: a resumable iteration keeps only these two numbers ({@link #resumeSegment},
     * {@link #resumePosition}), since spans do not depend on the table (see the class comment).
     */
    final void seek(final int segment, final long position)
    {
        if (segment < 0 || segment >= segments.length || position < 0 || position >= HASH_SPACE)
        {
            throw new IllegalArgumentException("no such position: segment=" + segment + ", position=" + position +
                ", segments=" + segments.length);
        }
        this.segment = segment;
        this.position = position;
    }

    /** @return the segment of the first span not handed out yet (the segment count when the iteration is over). */
    final int resumeSegment()
    {
        return position >= HASH_SPACE ? segment + 1 : Math.max(0, segment);
    }

    /** @return the first low hash of {@link #resumeSegment} not handed out yet. */
    final long resumePosition()
    {
        return position >= HASH_SPACE || segment < 0 ? 0 : position;
    }

    /**
     * Collect the next non-empty span.
     *
     * @return false when the iteration is over.
     */
    final boolean advance()
    {
        clear();
        size = 0;
        while (true)
        {
            if (segment < 0)
            {
                segment = 0;
                position = 0;
                if (first())
                {
                    return true;
                }
                continue;
            }
            if (segment >= segments.length)
            {
                return false;
            }
            if (position >= HASH_SPACE)
            {
                segment++;
                position = 0;
                continue;
            }
            collectSpan(segments[segment]);
            if (size > 0)
            {
                return true;
            }
        }
    }

    private void collectSpan(final Segment<T> segment)
    {
        int spanSlots = SPAN_SLOTS;
        int attempt = 0;
        while (true)
        {
            final boolean underLock = attempt >= RETRIES_BEFORE_LOCK;
            final long stamp = underLock ? segment.readLock() : 0;
            try
            {
                final T table = segment.table;
                if (null == table)
                {
                    throw OffHeapLongLongMap.closedException();
                }
                final int capacity = table.capacity;
                final int first = homeIndex(position, capacity);
                final long last = Math.min(capacity, (long)first + spanSlots); // exclusive
                final long end = last == capacity ? HASH_SPACE : ceilDiv(last << 32, capacity);
                clear();
                size = 0;
                prefetch(table, first, (int)last);
                final int collected = collect(table, first, (int)last, position, end);
                if (FULL == collected)
                {
                    // more entries than the buffer holds: a narrower span, or a larger buffer for one home slot
                    if (spanSlots > 1)
                    {
                        spanSlots >>= 1;
                    }
                    else
                    {
                        grow();
                    }
                    continue;
                }
                if (STALE == collected && underLock && segment.table == table)
                {
                    throw new io.slotkv.core.memory.CorruptStoreException("a slot names a freed entry block in the " +
                        "current table: the store is damaged (" + table.region + ")");
                }
                if (STALE == collected || table.retired || (!underLock && forcedRetries > 0 && forcedRetries-- > 0))
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
     * {@code first} up to the first slot without a key at or past {@code last} (wrapping at the end of the table).
     *
     * @return {@link #ADDED} if the span is complete, {@link #FULL} or {@link #STALE}.
     */
    private int collect(final T table, final int first, final int last, final long from, final long end)
    {
        final int capacity = table.capacity;
        long limit = capacity; // steps: at most the whole table
        int index = first;
        for (int step = 0; step < limit; step++, index = index + 1 == capacity ? 0 : index + 1)
        {
            final long past = (long)first + step - last; // slots scanned past the span's last home slot
            if (past == LONG_RUN && limit == capacity)
            {
                // a long cluster (a table with few or no empty slots): no key of the span sits further past its
                // home than the table's largest displacement, so stop there instead of at an empty slot
                limit = Math.min(capacity, (long)last - first + maxDisplacement(table) + 1);
            }
            slotsScanned++;
            final int visited = visit(table, index, from, end);
            if (EMPTY_SLOT == visited)
            {
                if (past >= 0)
                {
                    break;
                }
                continue;
            }
            if (FULL == visited || STALE == visited)
            {
                return visited;
            }
            if (ADDED == visited)
            {
                size++;
            }
        }
        return ADDED;
    }

    /**
     * @return the largest distance of a key from its home slot in {@code table}, measured once per table. A key
     * inserted later may sit further; it was not in the map for the whole iteration, so it may be missed.
     */
    private int maxDisplacement(final T table)
    {
        if (table != displacementTable)
        {
            final int capacity = table.capacity;
            int most = 0;
            for (int index = 0; index < capacity; index++)
            {
                if (0 == index % SPAN_SLOTS)
                {
                    prefetch(table, index, Math.min(capacity, index + SPAN_SLOTS)); // the misses of a block together
                }
                final long low = lowHashAt(table, index);
                if (low >= 0)
                {
                    final int home = homeIndex(low, capacity);
                    most = Math.max(most, index >= home ? index - home : index + capacity - home);
                }
            }
            displacementTable = table;
            displacement = most;
        }
        return displacement;
    }

    private static long ceilDiv(final long dividend, final long divisor)
    {
        return (dividend + divisor - 1) / divisor;
    }
}
