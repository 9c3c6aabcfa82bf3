package io.slotkv.map;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a map's directory: the root region of its space. It names every segment's current table by offset,
 * so a store file reopens at any address.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Map Kind "LONGLONG"                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Segment Count                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Max Load (per mille of capacity)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Min Capacity (slots per segment)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Clean Check (written by a clean close, see below)      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Hash Seed (random, per map)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                Hash Seed Check (~Hash Seed)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Missing Value (LONGLONG); Limits (BYTESTOR, see below)   |
 *  |                                                               |
 *  +---------------------------------------------------------------+  64
 *  |              Segment 0: Table Offset                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Segment 0: Next Table Offset (0 = no replacement under way) |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Segment 1 .. Segment Count - 1                   |
 *  |                            ...                               ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Every change after creation is one aligned 64-bit word. A segment's Table Offset names its current table (whose
 * length follows from the capacity in the table's header); Next Table Offset records a replacement in progress:
 * it is written before the first slot of the current table is frozen and cleared after Table Offset names the new
 * table, so an open after a crash finds every frozen slot's value in the table Next names and can finish the
 * replacement (docs/design.md, "Crash consistency"). Both are written only by a replacement of that segment, under
 * its write lock. The clean check
 * is {@link #cleanCheck} of the directory and the table headers, written by a clean close after everything else:
 * a clean open that computes another value trusts nothing and verifies the whole file.
 * <p>
 * The hash seed keys the hash of every key ({@link io.slotkv.core.hash.LongHashing#mix(long, long)}), so keys cannot
 * be chosen to collide without knowing it; it is stored with its complement, because a damaged seed would place
 * every key in the wrong slot: an open that finds them inconsistent refuses the file instead of repairing it. The
 * missing value is the one {@link OffHeapLongLongMap#get} returns for an absent key; an open that asks for another
 * one is refused. A byte store keeps its key and value length limits in that word instead (maxKeyLength in the high
 * 32 bits): a reopen uses them unless its builder sets others.
 */
final class DirectoryDescriptor
{
    /** "LONGLONG" in ASCII, little-endian. */
    static final long KIND_LONG_LONG = 0x474E_4F4C_474E_4F4CL;

    /** "BYTESTOR" in ASCII, little-endian: a byte store's directory ({@link OffHeapByteStore}). */
    static final long KIND_BYTES = 0x524F_5453_4554_5942L;

    static final int KIND_OFFSET;
    static final int SEGMENT_COUNT_OFFSET;
    static final int MAX_LOAD_OFFSET;
    static final int MIN_CAPACITY_OFFSET;
    static final int CLEAN_CHECK_OFFSET;
    static final int HASH_SEED_OFFSET;
    static final int HASH_SEED_CHECK_OFFSET;
    static final int MISSING_VALUE_OFFSET;

    /** The byte store's word where the long map keeps its missing value: maxKeyLength << 32 | maxValueLength. */
    static final int LIMITS_OFFSET;
    static final int HEADER_LENGTH;
    static final int SEGMENT_TABLE_OFFSET_OFFSET;
    static final int SEGMENT_NEXT_TABLE_OFFSET_OFFSET;
    static final int SEGMENT_ENTRY_LENGTH;

    /** Next Table Offset of a segment with no replacement under way (no region starts at 0: the file header does). */
    static final long NO_NEXT_TABLE = 0;

    /** Segment index bits start here in the hash; a table's slot index uses the lowest 32 bits. */
    static final int SEGMENT_SHIFT = 40;

    /** Most segments a map can have. */
    static final int MAX_SEGMENTS = 1 << 16;

    static
    {
        int offset = 0;
        KIND_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEGMENT_COUNT_OFFSET = offset;
        offset += SIZE_OF_LONG;
        MAX_LOAD_OFFSET = offset;
        offset += SIZE_OF_LONG;
        MIN_CAPACITY_OFFSET = offset;
        offset += SIZE_OF_LONG;
        CLEAN_CHECK_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HASH_SEED_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HASH_SEED_CHECK_OFFSET = offset;
        offset += SIZE_OF_LONG;
        MISSING_VALUE_OFFSET = offset;
        LIMITS_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HEADER_LENGTH = CACHE_LINE_LENGTH;

        offset = 0;
        SEGMENT_TABLE_OFFSET_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEGMENT_NEXT_TABLE_OFFSET_OFFSET = offset;
        offset += SIZE_OF_LONG;
        SEGMENT_ENTRY_LENGTH = offset;
    }

    private DirectoryDescriptor()
    {
    }

    /**
     * @return the segment of a key's hash, given the segment count minus one (a power of two minus one).
     */
    static int segmentOf(final long hash, final int segmentMask)
    {
        return (int)(hash >>> SEGMENT_SHIFT) & segmentMask;
    }

    /**
     * One step of the clean check: a hash of every word that describes the map's structure (each segment's table
     * and next-table offsets, each table's capacity and counts words), so a clean open notices damage to any of
     * them without scanning the tables.
     */
    static long cleanCheck(final long check, final long word)
    {
        return io.slotkv.core.hash.LongHashing.mix(check ^ word) + 0x9E37_79B9_7F4A_7C15L;
    }

    static int length(final int segmentCount)
    {
        return HEADER_LENGTH + segmentCount * SEGMENT_ENTRY_LENGTH;
    }

    static int segmentEntryOffset(final int segment)
    {
        return HEADER_LENGTH + segment * SEGMENT_ENTRY_LENGTH;
    }
}
