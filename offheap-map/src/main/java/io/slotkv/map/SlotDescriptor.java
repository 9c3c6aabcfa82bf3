package io.slotkv.map;

import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout and encoding of one slot of a {@link LongLongTable}: a key word and a value word, 16 bytes, four to a
 * cache line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           Key Word                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Value Word                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Key word:</b> {@link #EMPTY_KEY} (0) or the key itself. It goes from EMPTY to a key once per table, by CAS,
 * and never changes again, so keys never move inside a table. Key 0 is kept aside in the map's directory.
 * <p>
 * <b>Value word:</b> {@link #ABSENT} (0, no value: never set, or removed), {@link #FROZEN} (1, the slot was
 * copied by a replacement and this table is dead for it), or a value {@code v} stored as {@code v ^ valueKey}, where
 * the value key is a random word of the table's header. So all-zero memory is a table of empty slots (fresh and
 * sparse file space needs no initialisation) and every one of the 2^64 values can be stored: the two values that
 * would encode to ABSENT or FROZEN in one table ({@code valueKey} and {@code valueKey ^ 1}) make the segment
 * re-key its table (a replacement with a new value key, see {@link Segment}), which happens with probability
 * 2^-63 per write for values the writer does not choose knowing the key.
 */
final class SlotDescriptor
{
    /** Key word of a slot no key has claimed. */
    static final long EMPTY_KEY = 0;

    /** Value word of a slot without a value. */
    static final long ABSENT = 0;

    /** Value word of a slot whose table is being, or has been, replaced. */
    static final long FROZEN = 1;

    static final int KEY_OFFSET;
    static final int VALUE_OFFSET;
    static final int SLOT_LENGTH;

    /** log2 of {@link #SLOT_LENGTH}: slot index to byte offset is one shift. */
    static final int SLOT_SHIFT;

    static
    {
        int offset = 0;
        KEY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        VALUE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SLOT_LENGTH = offset;
        SLOT_SHIFT = Integer.numberOfTrailingZeros(SLOT_LENGTH);
    }

    private SlotDescriptor()
    {
    }

    /**
     * @return true if {@code word} is {@link #ABSENT} or {@link #FROZEN}: a value that encodes to it cannot be
     * stored with that value key.
     */
    static boolean isReserved(final long word)
    {
        return 0 == (word >>> 1);
    }
}
