package io.slotkv.map;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a {@link ByteTable} region: the shape of {@link TableDescriptor} (one header line, the slots, the
 * filter) with slots of one word ({@link EntryRef}), eight to a cache line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Capacity (slots, a multiple of 8)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Live (LIVE slot words, 32 bits)               |
 *  +---------------------------------------------------------------+
 *  |                 Used (claimed slots, 32 bits)                 |
 *  +---------------------------------------------------------------+
 *  |          Heap Offset (the segment's heap root region)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+  64
 *  |          Slot word 0 .. Slot word capacity - 1                |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+  64 + 8 * capacity
 *  |      Filter: one 64-bit word per 16 home slots, zero-padded     |
 *  |                 to a whole cache line                        ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The counts word and the filter mean what they mean in {@link TableDescriptor}; a slot is "used" once its word
 * left EMPTY, "live" while it is LIVE. Heap Offset names the root of the heap whose blocks the slots name
 * ({@link HeapRootDescriptor}); a replacement's new table names the same heap.
 */
final class ByteTableDescriptor
{
    static final int CAPACITY_OFFSET = TableDescriptor.CAPACITY_OFFSET;
    static final int COUNTS_OFFSET = TableDescriptor.COUNTS_OFFSET;
    static final int HEAP_OFFSET = COUNTS_OFFSET + SIZE_OF_LONG;
    static final int HEADER_LENGTH = TableDescriptor.HEADER_LENGTH;

    static final int SLOT_LENGTH = SIZE_OF_LONG;
    static final int SLOT_SHIFT = Integer.numberOfTrailingZeros(SLOT_LENGTH);

    /** Capacities are multiples of this, so the slots are a whole number of cache lines. */
    static final int CAPACITY_GRANULE = CACHE_LINE_LENGTH / SLOT_LENGTH;

    /** Smallest table: two cache lines of slots. */
    static final int MIN_CAPACITY = 16;

    private ByteTableDescriptor()
    {
    }

    static int maxCapacity(final long maxRegionLength)
    {
        return TableDescriptor.maxCapacity(maxRegionLength, SLOT_SHIFT, CAPACITY_GRANULE, MIN_CAPACITY);
    }

    /**
     * @return {@code slots} rounded up to a multiple of {@link #CAPACITY_GRANULE}, clamped to
     * {@code [MIN_CAPACITY, maxCapacity]}.
     */
    static int capacity(final long slots, final int maxCapacity)
    {
        final long rounded = (slots + CAPACITY_GRANULE - 1) / CAPACITY_GRANULE * CAPACITY_GRANULE;
        return (int)Math.max(MIN_CAPACITY, Math.min(maxCapacity, rounded));
    }

    static int regionLength(final int capacity)
    {
        return (int)TableDescriptor.regionLength(capacity, SLOT_SHIFT);
    }

    static int slotOffset(final int index)
    {
        return HEADER_LENGTH + (index << SLOT_SHIFT);
    }

    static int filterOffset(final int capacity)
    {
        return HEADER_LENGTH + (capacity << SLOT_SHIFT);
    }
}
