package io.slotkv.core.memory;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the header at offset 0 of a SlotKV store file. Little-endian, two cache lines.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Magic "SLOTKV\0\0"                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Format Version                         |
 *  +---------------------------------------------------------------+
 *  |                        Header Length                          |
 *  +---------------------------------------------------------------+
 *  |                         Chunk Size                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   End of Allocated Space                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Root Offset (-1 = no root yet)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        State (0 = closed cleanly, 1 = open)   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  |                          ...                                 ...
 *  +---------------------------------------------------------------+  128
 * </pre>
 * A new file gets its whole header in one {@code write} call before anything else touches the file, so a creation
 * that is killed leaves either an empty file (which {@link OpenMode#CREATE_OR_OPEN} treats as absent) or a valid
 * header with no root (an empty store). Every later header change is one aligned 64-bit word: End, Root Offset
 * (written once, after the root region is complete) and State. State is set to open, and synced, before the
 * first write to the rest of the file; it is set to closed only by a clean close, after a sync. An open that
 * finds it open knows the last owner died and runs recovery.
 */
public final class FileHeaderDescriptor
{
    /** "SLOTKV" in ASCII, little-endian, two zero bytes. */
    public static final long MAGIC = 0x0000_564B_544F_4C53L;

    /** Version of the file format this code reads and writes. */
    public static final int FORMAT_VERSION = 4;

    /** Version 1: SlotKV 0.1, before crash recovery (two-word directory entries, root length in the header). */
    public static final int FORMAT_VERSION_1 = 1;

    /** Version 2: SlotKV 0.2, unseeded key hash and values stored with their sign bit flipped. */
    public static final int FORMAT_VERSION_2 = 2;

    /** Version 3: a development layout, never released, whose tables had no absent-key filter. */
    public static final int FORMAT_VERSION_3 = 3;

    /** The file was closed cleanly. */
    public static final long STATE_CLOSED = 0;

    /** The file is open, or its last owner did not close it. */
    public static final long STATE_OPEN = 1;

    /** Offset of the 64-bit {@link #MAGIC}, which an open checks before it reads any other field. */
    public static final int MAGIC_OFFSET;

    /**
     * Offset of the 32-bit format version: {@link #FORMAT_VERSION}; an open refuses {@link #FORMAT_VERSION_1},
     * {@link #FORMAT_VERSION_2}, {@link #FORMAT_VERSION_3} and any other value.
     */
    public static final int FORMAT_VERSION_OFFSET;

    /** Offset of the 32-bit header length, which must equal {@link #HEADER_LENGTH}. */
    public static final int HEADER_LENGTH_OFFSET;

    /**
     * Offset of the 64-bit mapping chunk size, fixed when the file is created: a power of two from 64 KiB to 1 GiB,
     * and the longest region the file holds.
     */
    public static final int CHUNK_SIZE_OFFSET;

    /**
     * Offset of the 64-bit end of the allocated space, from {@link #HEADER_LENGTH} to the file size: the next region
     * is appended at it (64-byte aligned), and anything past it is dropped at the first write after an open.
     */
    public static final int END_OFFSET;

    /**
     * Offset of the 64-bit offset of the root region: -1 ({@link MemorySpace#NO_ROOT}) until the root is recorded,
     * then 64-byte aligned, at least {@link #HEADER_LENGTH} and below the end.
     */
    public static final int ROOT_OFFSET_OFFSET;

    /** Offset of the 64-bit state word: {@link #STATE_CLOSED} or {@link #STATE_OPEN}. */
    public static final int STATE_OFFSET;

    /** Total length of the header; the first region starts here. */
    public static final int HEADER_LENGTH;

    static
    {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += SIZE_OF_LONG;
        FORMAT_VERSION_OFFSET = offset;
        offset += SIZE_OF_INT;
        HEADER_LENGTH_OFFSET = offset;
        offset += SIZE_OF_INT;
        CHUNK_SIZE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        END_OFFSET = offset;
        offset += SIZE_OF_LONG;
        ROOT_OFFSET_OFFSET = offset;
        offset += SIZE_OF_LONG;
        STATE_OFFSET = offset;
        offset += SIZE_OF_LONG;
        HEADER_LENGTH = 2 * CACHE_LINE_LENGTH; // the rest is reserved for later format versions
    }

    private FileHeaderDescriptor()
    {
    }
}
