package io.slotkv.map;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of one entry of the byte store, at the start of a block of an {@link EntryHeap}; 8-byte aligned.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Header: Value Length (bits 0-27), Key Length (28-43),   |
 *  |                Deadline flag (44), Generation (45-63)          |
 *  +---------------------------------------------------------------+
 *  |   CRC32C of the lengths, the key, the value and the deadline  |
 *  +---------------------------------------------------------------+
 *  |                      Key bytes ...                           ...
 *  +---------------------------------------------------------------+
 *  |                      Value bytes ...                         ...
 *  +---------------------------------------------------------------+
 *  |    Deadline (8 bytes, unaligned; only if the flag is set)     |
 *  +---------------------------------------------------------------+
 * </pre>
 * The first word (little-endian, one atomic load) is the <b>header</b>: the generation in its top
 * {@link #GENERATION_BITS} bits, the deadline flag, the key length, the value length. An entry with the flag ends
 * with its <b>deadline</b>: the wall-clock millisecond (since the epoch) from which the key has no value; an entry
 * without it never expires and costs nothing more. The generation belongs to the block, not to the
 * entry: freeing the block adds one to it (and clears the lengths), allocation keeps it, so a reader holding an
 * older reference to the block sees that it was reused ({@link EntryRef}). Nothing writes an entry once a slot names
 * it.
 * <p>
 * A free block keeps its header (with the new generation) and uses the next word as its free-list link
 * ({@link #NEXT_FREE_OFFSET}); every block is at least {@link SizeClasses#MIN_BLOCK} bytes.
 */
final class EntryDescriptor
{
    static final int HEADER_OFFSET;
    static final int CHECKSUM_OFFSET;
    static final int KEY_OFFSET;

    /** The free-list link of a free block: the word after the header. */
    static final int NEXT_FREE_OFFSET;

    static final int VALUE_LENGTH_BITS = 28;
    static final int KEY_LENGTH_BITS = 16;
    static final int GENERATION_BITS = 64 - KEY_LENGTH_BITS - VALUE_LENGTH_BITS - 1;

    /** Bytes of the deadline that ends an entry with the deadline flag. */
    static final int DEADLINE_LENGTH = SIZE_OF_LONG;

    /** The longest key an entry can hold: 65,535 bytes. */
    static final int MAX_KEY_LENGTH = (1 << KEY_LENGTH_BITS) - 1;

    /** The longest value an entry can hold: 256 MiB - 1. */
    static final int MAX_VALUE_LENGTH = (1 << VALUE_LENGTH_BITS) - 1;

    private static final int KEY_LENGTH_SHIFT = VALUE_LENGTH_BITS;
    private static final long DEADLINE_FLAG = 1L << (VALUE_LENGTH_BITS + KEY_LENGTH_BITS);
    private static final int GENERATION_SHIFT = VALUE_LENGTH_BITS + KEY_LENGTH_BITS + 1;
    private static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;

    static
    {
        int offset = 0;
        HEADER_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CHECKSUM_OFFSET = offset;
        NEXT_FREE_OFFSET = offset;
        offset += SIZE_OF_INT;
        KEY_OFFSET = offset;
    }

    private EntryDescriptor()
    {
    }

    /**
     * @return the bytes an entry of these lengths and no deadline occupies (before rounding to its block).
     */
    static long entryLength(final int keyLength, final int valueLength)
    {
        return (long)KEY_OFFSET + keyLength + valueLength;
    }

    /**
     * @return the bytes an entry of these lengths occupies, with or without a deadline.
     */
    static long entryLength(final int keyLength, final int valueLength, final boolean expires)
    {
        return entryLength(keyLength, valueLength) + (expires ? DEADLINE_LENGTH : 0);
    }

    /**
     * @return the bytes the entry with this header occupies.
     */
    static long entryLength(final long header)
    {
        return entryLength(keyLength(header), valueLength(header), expires(header));
    }

    /**
     * @return the bytes after the checksum that the checksum covers: key, value and the deadline if any.
     */
    static int checkedLength(final long header)
    {
        return (int)(entryLength(header) - KEY_OFFSET);
    }

    /**
     * @return the offset of the deadline of an entry with the flag, from the start of the entry.
     */
    static long deadlineOffset(final long header)
    {
        return entryLength(keyLength(header), valueLength(header));
    }

    /**
     * @return the offset of the value bytes from the start of the entry.
     */
    static int valueOffset(final int keyLength)
    {
        return KEY_OFFSET + keyLength;
    }

    static long header(final long generation, final int keyLength, final int valueLength)
    {
        return header(generation, keyLength, valueLength, false);
    }

    static long header(final long generation, final int keyLength, final int valueLength, final boolean expires)
    {
        return ((generation & GENERATION_MASK) << GENERATION_SHIFT) | (expires ? DEADLINE_FLAG : 0) |
            ((long)keyLength << KEY_LENGTH_SHIFT) | valueLength;
    }

    /**
     * @return {@code header} with the generation replaced: the same lengths and flag.
     */
    static long withGeneration(final long header, final long generation)
    {
        return ((generation & GENERATION_MASK) << GENERATION_SHIFT) | (header & ~(GENERATION_MASK << GENERATION_SHIFT));
    }

    /**
     * @return whether the entry with this header ends with a deadline.
     */
    static boolean expires(final long header)
    {
        return 0 != (header & DEADLINE_FLAG);
    }

    static long generation(final long header)
    {
        return header >>> GENERATION_SHIFT;
    }

    static int keyLength(final long header)
    {
        return (int)(header >>> KEY_LENGTH_SHIFT) & MAX_KEY_LENGTH;
    }

    static int valueLength(final long header)
    {
        return (int)header & MAX_VALUE_LENGTH;
    }

    /**
     * The lengths' share of an entry's checksum: the checksum word is the CRC32C of the key, value and deadline bytes
     * XOR this (the header without its generation, mixed), so that an entry whose lengths or deadline flag were
     * damaged fails its check too.
     */
    static int lengthsCheck(final long header)
    {
        // the constant keeps an all-zero block (empty key, empty value, CRC32C 0) from passing as an entry
        return (int)io.slotkv.core.hash.LongHashing.mix(withGeneration(header, 0) ^ LENGTHS_CHECK_KEY);
    }

    /** Mixed into {@link #lengthsCheck}: {@code mix(0 ^ it)} has non-zero low 32 bits. */
    static final long LENGTHS_CHECK_KEY = 0x9E37_79B9_7F4A_7C15L;

    /**
     * @return the header of the block after it is freed: the next generation, no lengths.
     */
    static long freedHeader(final long header)
    {
        return header((generation(header) + 1) & GENERATION_MASK, 0, 0);
    }
}
