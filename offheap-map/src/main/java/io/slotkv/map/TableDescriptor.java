package io.slotkv.map;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link LongLongTable} region: one header cache line, then {@code capacity} slots
 * ({@link SlotDescriptor}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Capacity (slots, power of 2)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Live (slots with a value, 32 bits)            |
 *  +---------------------------------------------------------------+
 *  |                 Used (claimed key words, 32 bits)             |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+  64
 *  |                 Slot 0 .. Slot capacity - 1                   |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Used and Live share one 64-bit counts word ({@code used << 32 | live}, little-endian so Live is the lower
 * address), so that an insert into an empty slot updates both with one atomic add. The counts belong to the
 * table, not the segment: a late writer that still adds to a dead table's counts cannot skew the live table's.
 */
final class TableDescriptor
{
    static final int CAPACITY_OFFSET;
    static final int COUNTS_OFFSET;
    static final int HEADER_LENGTH;

    /** Counts word increment for one claimed key word. */
    static final long USED_ONE = 1L << 32;

    /** Counts word increment for one slot that gained a value. */
    static final long LIVE_ONE = 1L;

    /** Smallest table: four cache lines of slots. */
    static final int MIN_CAPACITY = 16;

    /** Largest table that fits a region: 2^25 slots, 512 MiB. */
    static final int MAX_CAPACITY = 1 << 25;

    static
    {
        int offset = 0;
        CAPACITY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        COUNTS_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HEADER_LENGTH = CACHE_LINE_LENGTH;
    }

    private TableDescriptor()
    {
    }

    /**
     * @return the largest capacity whose table fits a region of {@code maxRegionLength} bytes.
     */
    static int maxCapacity(final long maxRegionLength)
    {
        int capacity = MAX_CAPACITY;
        while (capacity > MIN_CAPACITY && regionLength(capacity) > maxRegionLength)
        {
            capacity >>= 1;
        }
        return capacity;
    }

    static int regionLength(final int capacity)
    {
        return HEADER_LENGTH + (capacity << SlotDescriptor.SLOT_SHIFT);
    }

    static int slotOffset(final int index)
    {
        return HEADER_LENGTH + (index << SlotDescriptor.SLOT_SHIFT);
    }

    static int used(final long counts)
    {
        return (int)((counts - live(counts)) >>> 32);
    }

    /** Live may be transiently negative: a remove can count before the insert it undoes. */
    static int live(final long counts)
    {
        return (int)counts;
    }
}
