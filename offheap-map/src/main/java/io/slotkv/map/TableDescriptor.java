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
 *  |               Capacity (slots, a multiple of 4)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Live (slots with a value, 32 bits)            |
 *  +---------------------------------------------------------------+
 *  |                 Used (claimed key words, 32 bits)             |
 *  +---------------------------------------------------------------+
 *  |          Value Word of Key 0 (segment 0's tables only)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Value Key (XORed into every value word)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+  64
 *  |                 Slot 0 .. Slot capacity - 1                   |
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+  64 + 16 * capacity
 *  |      Filter: one 64-bit word per 16 home slots, zero-padded     |
 *  |                 to a whole cache line                        ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Filter.</b> Filter word {@code w} covers the keys whose home slot is in {@code [16w, 16w + 16)}: each such key
 * sets three bits of it, chosen from its hash ({@link #filterBits}), before it claims a slot. So a key whose bits are
 * not all set in its word has never been claimed in this table, and a get of it answers absent without probing: the
 * filter never forgets a key (bits are only ever set, also for removed keys, whose key words stay claimed too), and
 * it is rebuilt with the table. At a load of 0.7 a word holds about 11 keys' bits, so about 7% of the absent keys
 * still probe. Four bits per slot: 0.5 bytes on 16.
 * Used and Live share one 64-bit counts word ({@code used << 32 | live}, little-endian so Live is the lower
 * address), so that an insert into an empty slot updates both with one atomic add. The counts belong to the
 * table, not the segment: a late writer that still adds to a dead table's counts cannot skew the live table's.
 * <p>
 * Key 0 is the {@link SlotDescriptor#EMPTY_KEY empty key word}, so no slot can hold it: its value word lives in the
 * header of segment 0's table (always ABSENT in other segments' tables) and is copied, then frozen, by every
 * replacement exactly like a slot's value word, so it moves to every new table, and a closed map's late writer
 * can never reach the copy a later owner uses.
 * <p>
 * The value key ({@link SlotDescriptor}) is written once, before the table is published, and a replacement copies
 * it, except a re-keying one. Capacity and value key never change while the table is in use.
 */
final class TableDescriptor
{
    static final int CAPACITY_OFFSET;
    static final int COUNTS_OFFSET;
    static final int ZERO_KEY_VALUE_OFFSET;
    static final int VALUE_KEY_OFFSET;
    static final int HEADER_LENGTH;

    /** Counts word increment for one claimed key word. */
    static final long USED_ONE = 1L << 32;

    /** Counts word increment for one slot that gained a value. */
    static final long LIVE_ONE = 1L;

    /** Smallest table: four cache lines of slots. */
    static final int MIN_CAPACITY = 16;

    /** Capacities are multiples of this, so a table is a whole number of cache lines. */
    static final int CAPACITY_GRANULE = 4;

    /** Home slots per filter word. */
    static final int SLOTS_PER_FILTER_WORD = 16;

    /** Largest table that fits the largest region (1 GiB). */
    static final int MAX_CAPACITY;

    static
    {
        int offset = 0;
        CAPACITY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        COUNTS_OFFSET = offset;
        offset += SIZE_OF_LONG;
        ZERO_KEY_VALUE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        VALUE_KEY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HEADER_LENGTH = CACHE_LINE_LENGTH;
        MAX_CAPACITY = maxCapacity(io.slotkv.core.memory.MemorySpace.MAX_REGION_LENGTH); // needs HEADER_LENGTH
    }

    private TableDescriptor()
    {
    }

    /**
     * @return the largest capacity whose table fits a region of {@code maxRegionLength} bytes.
     */
    static int maxCapacity(final long maxRegionLength)
    {
        return maxCapacity(maxRegionLength, SlotDescriptor.SLOT_SHIFT, CAPACITY_GRANULE, MIN_CAPACITY);
    }

    /**
     * The largest capacity of a table laid out as this class describes (a header line, the slots, the filter) with
     * slots of {@code 1 << slotShift} bytes, in a region of {@code maxRegionLength} bytes: shared by every table
     * kind with this shape.
     */
    static int maxCapacity(final long maxRegionLength, final int slotShift, final int granule, final int minCapacity)
    {
        // the slot plus 0.5 byte of filter: a guess within a filter line of the answer, then the exact fit
        long slots = (maxRegionLength - CACHE_LINE_LENGTH) * 2 / ((2L << slotShift) + 1);
        slots -= slots % granule;
        while (regionLength(slots + granule, slotShift) <= maxRegionLength)
        {
            slots += granule;
        }
        while (slots > minCapacity && regionLength(slots, slotShift) > maxRegionLength)
        {
            slots -= granule;
        }
        return (int)Math.max(minCapacity, slots);
    }

    /**
     * @return {@code slots} rounded up to a valid capacity (a multiple of {@link #CAPACITY_GRANULE}), clamped to
     * {@code [MIN_CAPACITY, maxCapacity]}.
     */
    static int capacity(final long slots, final int maxCapacity)
    {
        final long rounded = (slots + CAPACITY_GRANULE - 1) / CAPACITY_GRANULE * CAPACITY_GRANULE;
        return (int)Math.max(MIN_CAPACITY, Math.min(maxCapacity, rounded));
    }

    /**
     * @return true if {@code capacity} is one a table can have.
     */
    static boolean isValidCapacity(final long capacity)
    {
        return capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && capacity % CAPACITY_GRANULE == 0;
    }

    /**
     * The home slot of a hash: the low 32 bits scaled to {@code [0, capacity)} by one multiply (Lemire's
     * reduction), so capacities need not be powers of two. The segment is chosen from bits 40 and up.
     */
    static int homeIndex(final long hash, final int capacity)
    {
        return (int)(((hash & 0xFFFF_FFFFL) * capacity) >>> 32);
    }

    static int regionLength(final int capacity)
    {
        return (int)regionLength((long)capacity);
    }

    private static long regionLength(final long capacity)
    {
        return regionLength(capacity, SlotDescriptor.SLOT_SHIFT);
    }

    /**
     * @return the bytes of a table of this shape with {@code capacity} slots of {@code 1 << slotShift} bytes.
     */
    static long regionLength(final long capacity, final int slotShift)
    {
        final long filterOffset = HEADER_LENGTH + (capacity << slotShift);
        return filterOffset + filterLength(capacity);
    }

    /**
     * @return the offset of the filter: right after the slots, so slot offsets do not depend on it.
     */
    static int filterOffset(final int capacity)
    {
        return (int)filterOffset((long)capacity);
    }

    private static long filterOffset(final long capacity)
    {
        return HEADER_LENGTH + (capacity << SlotDescriptor.SLOT_SHIFT);
    }

    /**
     * @return the bytes of the filter of {@code capacity} slots: a word per 16 home slots, whole cache lines.
     */
    static long filterLength(final long capacity)
    {
        final long words = (capacity + SLOTS_PER_FILTER_WORD - 1) / SLOTS_PER_FILTER_WORD;
        final long wordsPerLine = CACHE_LINE_LENGTH / SIZE_OF_LONG;
        return (words + wordsPerLine - 1) / wordsPerLine * CACHE_LINE_LENGTH;
    }

    /**
     * @return the offset, from the filter's start, of the filter word of home slot {@code home}.
     */
    static int filterWordOffset(final int home)
    {
        return (home / SLOTS_PER_FILTER_WORD) * SIZE_OF_LONG;
    }

    /**
     * The three filter bits of a hash, taken from the top of one multiply of it (every bit of the hash reaches
     * them, though the home slot uses only its low 32 bits and the segment bits 40 and up). Bits may coincide.
     */
    static long filterBits(final long hash)
    {
        final long mixed = hash * 0x9E37_79B9_7F4A_7C15L;
        return (1L << (mixed >>> 58)) | (1L << (mixed >>> 52)) | (1L << (mixed >>> 46)); // shifts use 6 bits each
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
