package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the header at the start of every arena of an {@link EntryHeap}; blocks follow it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Kind "ENTARENA"                            |
 *  +---------------------------------------------------------------+
 *  |        Segment index (high 32 bits), Arena index (low 32)     |
 *  +---------------------------------------------------------------+
 *  |                    Length of the arena (bytes)                |
 *  +---------------------------------------------------------------+
 *  |          Previous Arena Offset (0 for arena 1)                |
 *  +---------------------------------------------------------------+
 *  |          Check: a hash of the four words above                |
 *  +---------------------------------------------------------------+
 *  |                         Reserved                             ...
 *  +---------------------------------------------------------------+  64
 *  |                         Blocks ...                           ...
 * </pre>
 * Written privately when the arena is made, before the heap's root names it, and never changed. The arena index
 * is the high part of every position in the arena ({@link EntryHeap}), so it must survive a reopen exactly; the
 * check lets an open refuse a damaged header instead of misplacing every entry of the arena.
 */
final class ArenaDescriptor
{
    /** "ENTARENA" in ASCII, little-endian. */
    static final long KIND = 0x414E_4552_4154_4E45L;

    static final int KIND_OFFSET = 0;
    static final int INDEX_OFFSET = KIND_OFFSET + SIZE_OF_LONG;
    static final int LENGTH_OFFSET = INDEX_OFFSET + SIZE_OF_LONG;
    static final int PREVIOUS_OFFSET = LENGTH_OFFSET + SIZE_OF_LONG;
    static final int CHECK_OFFSET = PREVIOUS_OFFSET + SIZE_OF_LONG;

    /** Bytes before the first block. */
    static final int HEADER_LENGTH = CACHE_LINE_LENGTH;

    private ArenaDescriptor()
    {
    }

    static long index(final int segment, final int arena)
    {
        return ((long)segment << 32) | arena;
    }

    static long check(final long index, final long length, final long previous)
    {
        long check = LongHashing.mix(KIND ^ index);
        check = LongHashing.mix(check ^ length);
        return LongHashing.mix(check ^ previous);
    }
}
