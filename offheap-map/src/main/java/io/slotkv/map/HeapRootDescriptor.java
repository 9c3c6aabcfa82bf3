package io.slotkv.map;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.align;

/**
 * Layout of an {@link EntryHeap}'s root: one region per segment heap, named by the Heap Offset of every table of
 * that segment ({@link ByteTableDescriptor}). It names the newest arena (each arena names the one before it,
 * {@link ArenaDescriptor}) and, after a clean close, holds the allocator's state, so a clean open restores the
 * free lists without reading an entry.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Kind "ENTRHEAP"                            |
 *  +---------------------------------------------------------------+
 *  |                    Segment index                              |
 *  +---------------------------------------------------------------+
 *  |         Newest Arena Offset (0: no arena yet)                 |
 *  +---------------------------------------------------------------+
 *  |         Saved Bump Position (written by a clean close)        |
 *  +---------------------------------------------------------------+
 *  |         Saved Allocated Bytes (written by a clean close)      |
 *  +---------------------------------------------------------------+
 *  |         Saved Payload Bytes (written by a clean close)        |
 *  +---------------------------------------------------------------+
 *  |                         Reserved                             ...
 *  +---------------------------------------------------------------+  64
 *  |   Saved Free-List Head of size class 0 .. COUNT - 1 (positions)|
 *  |                             ...                              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Newest Arena Offset is written (a release store) when an arena is added, after the arena's header and before
 * any block of it is handed out, so a slot word can only name an arena the list reaches. The saved words are
 * meaningful only in a cleanly closed file whose clean check matches (the check covers them); otherwise the
 * allocator's state is rebuilt from the entries the tables name.
 */
final class HeapRootDescriptor
{
    /** "ENTRHEAP" in ASCII, little-endian. */
    static final long KIND = 0x5041_4548_5254_4E45L;

    static final int KIND_OFFSET = 0;
    static final int SEGMENT_OFFSET = KIND_OFFSET + SIZE_OF_LONG;
    static final int NEWEST_ARENA_OFFSET = SEGMENT_OFFSET + SIZE_OF_LONG;
    static final int SAVED_BUMP_OFFSET = NEWEST_ARENA_OFFSET + SIZE_OF_LONG;
    static final int SAVED_ALLOCATED_OFFSET = SAVED_BUMP_OFFSET + SIZE_OF_LONG;
    static final int SAVED_PAYLOAD_OFFSET = SAVED_ALLOCATED_OFFSET + SIZE_OF_LONG;
    static final int HEADS_OFFSET = CACHE_LINE_LENGTH;

    /** Length of the root region. */
    static final int LENGTH = align(HEADS_OFFSET + SizeClasses.COUNT * SIZE_OF_LONG, CACHE_LINE_LENGTH);

    private HeapRootDescriptor()
    {
    }

    static int headOffset(final int sizeClass)
    {
        return HEADS_OFFSET + sizeClass * SIZE_OF_LONG;
    }
}
