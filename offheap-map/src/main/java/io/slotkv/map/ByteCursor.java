package io.slotkv.map;

import org.agrona.UnsafeApi;

import java.util.Arrays;

import static io.slotkv.map.EntryRef.EMPTY;
import static io.slotkv.map.EntryRef.FROZEN_BIT;
import static io.slotkv.map.EntryRef.LIVE;

/**
 * The byte store's iteration ({@link SpanCursor}): each entry of a span is copied, validated, into one byte buffer
 * (its key, then its value), so what is handed out is a value the key really had, and stays put while the caller
 * looks at it even if a writer frees the entry meanwhile.
 */
final class ByteCursor extends SpanCursor<ByteTable>
{
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    /** The longest byte[] a JVM allocates. */
    private static final int MAX_BUFFER = Integer.MAX_VALUE - 8;

    /** Keys and values of the last span, back to back. */
    byte[] bytes = new byte[4096];

    /** Where entry {@code i}'s key starts in {@link #bytes}; its value follows it. */
    int[] keyOffsets = new int[64];
    int[] keyLengths = new int[64];
    int[] valueLengths = new int[64];

    /** Entry {@code i}'s deadline ({@link ByteTable#NO_DEADLINE} if none): read only with {@link #withDeadlines}. */
    long[] deadlines;

    private final boolean withDeadlines;

    private int used;

    /** Bytes the entry that did not fit needs, for {@link #grow}. */
    private long needed;

    ByteCursor(final Segment<ByteTable>[] segments)
    {
        this(segments, false);
    }

    /**
     * @param withDeadlines true to read each entry's deadline too (export, backup), validated against the same word
     *                      as its copy, so both are of one entry.
     */
    ByteCursor(final Segment<ByteTable>[] segments, final boolean withDeadlines)
    {
        super(segments);
        this.withDeadlines = withDeadlines;
        this.deadlines = withDeadlines ? new long[64] : null;
    }

    @Override
    int visit(final ByteTable table, final int index, final long from, final long end)
    {
        while (true)
        {
            final long loaded = table.word(index);
            final long word = loaded & ~FROZEN_BIT; // a frozen word still names the key's entry (ByteTable)
            if (EMPTY == word)
            {
                return EMPTY_SLOT;
            }
            final long low = table.lowKeyHash(word);
            if (low < 0)
            {
                if (loaded == table.word(index))
                {
                    return STALE;
                }
                continue; // the slot's word changed: its key did not, read it from the new entry
            }
            if (low < from || low >= end || LIVE != EntryRef.state(word))
            {
                return SKIPPED;
            }
            if (size == keyOffsets.length)
            {
                needed = 0;
                return FULL;
            }
            final long lengths = table.copyEntry(word, bytes, BYTE_ARRAY_BASE + used, bytes.length - used);
            if (ByteTable.RETRY == lengths)
            {
                if (loaded == table.word(index))
                {
                    return STALE;
                }
                continue;
            }
            if (ByteTable.EXPIRED == lengths)
            {
                return SKIPPED; // its deadline has passed: the key has no value
            }
            final int keyLength = ByteTable.keyLengthOf(lengths);
            final int valueLength = ByteTable.valueLengthOf(lengths);
            if ((long)keyLength + valueLength > bytes.length - used)
            {
                needed = (long)used + keyLength + valueLength;
                return FULL;
            }
            if (withDeadlines)
            {
                final long deadline = EntryRef.expires(word) ? table.deadline(word) : ByteTable.NO_DEADLINE;
                if (ByteTable.DEADLINE_RETRY == deadline)
                {
                    if (loaded == table.word(index))
                    {
                        return STALE;
                    }
                    continue; // freed since the copy: copy the key's current entry
                }
                deadlines[size] = deadline;
            }
            keyOffsets[size] = used;
            keyLengths[size] = keyLength;
            valueLengths[size] = valueLength;
            used += keyLength + valueLength;
            return ADDED;
        }
    }

    /** Where {@link #prefetch}'s loads go, so they are not dropped as unused. */
    private long touched;

    @Override
    void prefetch(final ByteTable table, final int first, final int last)
    {
        long sum = 0;
        for (int index = first; index < last; index++)
        {
            sum += table.touchEntry(table.word(index));
        }
        touched = sum;
    }

    @Override
    long lowHashAt(final ByteTable table, final int index)
    {
        final long word = table.word(index) & ~FROZEN_BIT;
        return EMPTY == word ? -1 : table.lowKeyHash(word);
    }

    @Override
    void clear()
    {
        used = 0;
    }

    @Override
    void grow()
    {
        if (needed > 0)
        {
            if (needed > MAX_BUFFER)
            {
                // entries of one home slot larger than an array: growing cannot help, and retrying would not end
                throw new IllegalStateException("entries of one home slot do not fit an iteration buffer: bytes=" +
                    needed + ", max=" + MAX_BUFFER);
            }
            final long length = Math.min(MAX_BUFFER, Math.max(needed, 2L * bytes.length));
            bytes = new byte[(int)length]; // the span is collected again
        }
        else
        {
            keyOffsets = Arrays.copyOf(keyOffsets, 2 * keyOffsets.length);
            keyLengths = Arrays.copyOf(keyLengths, 2 * keyLengths.length);
            valueLengths = Arrays.copyOf(valueLengths, 2 * valueLengths.length);
            if (withDeadlines)
            {
                deadlines = Arrays.copyOf(deadlines, 2 * deadlines.length);
            }
        }
    }
}
