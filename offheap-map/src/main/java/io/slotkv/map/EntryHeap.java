package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.UnsafeApi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32C;

import static io.slotkv.map.EntryDescriptor.HEADER_OFFSET;
import static io.slotkv.map.EntryDescriptor.NEXT_FREE_OFFSET;

/**
 * The blocks that hold one segment's byte-store entries: arenas (regions of the store's {@link MemorySpace}) carved
 * into blocks of the {@link SizeClasses}, by a bump pointer, and reused through one free list per class. Lock-free:
 * an allocation is a pop (one CAS) or a bump (one CAS); only adding an arena takes this heap's monitor, which no
 * reader ever takes.
 * <p>
 * <b>Positions.</b> A block is named by its position in 8-byte units: {@code arena << arenaShift | offset / 8},
 * where every arena has a slot of {@code 2^arenaShift} units (the space's largest region); arena 0 is never
 * made, so position 0 names nothing. Each arena starts with its header ({@link ArenaDescriptor}), blocks follow. Position to address is one shift, one array load and one add,
 * {@link #address(long, long)} checks the arena and the length first: a position or a length read optimistically
 * from memory can be any pattern, and one that is out of range addresses nothing.
 * <p>
 * <b>Lifetime.</b> Arenas are never released while the heap is in use: a reader holding a stale position reads
 * memory that is still mapped, and validates what it read by the block's generation ({@link EntryDescriptor}). A
 * free list's head carries a version, so a pop whose CAS races with a pop and push of the same block fails; the
 * link it read from the block is used only if its CAS succeeds, that is if no one popped the block meanwhile.
 * <p>
 * <b>In a store file.</b> The heap's root region ({@link HeapRootDescriptor}) names the newest arena, each arena
 * names the one before it. Adding an arena writes its header, then the root's word (a release store), before any
 * block of it is handed out. The free lists live in the free blocks themselves; their heads and the bump pointer
 * are saved in the root by a clean close ({@link #save}) and restored by a clean open ({@link #restore}); after a
 * crash they are rebuilt from the blocks the tables name ({@link #rebuild}): the heap needs no crash consistency
 * of its own.
 */
final class EntryHeap
{
    /** Length of the first arena; each next one is about a sixteenth of the heap, up to the space's largest region. */
    static final int FIRST_ARENA_LENGTH = 64 * 1024;

    /**
     * A grow or rebuild compacts the heap ({@link #wantsCompaction}) only if it gives back at least this much: four
     * first arenas (256 KiB).
     */
    static final long COMPACTION_MIN_BYTES = 4L * FIRST_ARENA_LENGTH;

    private static final int HEAD_VERSION_SHIFT = EntryRef.POSITION_BITS;
    private static final long HEAD_POSITION_MASK = EntryRef.MAX_POSITION;
    private static final int LOG2_GRANULE = Integer.numberOfTrailingZeros(SizeClasses.GRANULE);
    private static final VarHandle BUMP;
    private static final VarHandle ARENA = MethodHandles.arrayElementVarHandle(long[].class);

    static
    {
        try
        {
            BUMP = MethodHandles.lookup().findVarHandle(EntryHeap.class, "bump", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private static final int HEADER_UNITS = ArenaDescriptor.HEADER_LENGTH >>> 3;

    private final MemorySpace space;
    private final MemoryRegion root;
    private final int segment;
    private final boolean checksummed;
    private final int maxArenaLength;
    private final int maxBlockLength;

    /** log2 of an arena's slot of positions (8-byte units). */
    private final int arenaShift;
    private final long offsetMask;
    private final int maxArenas;

    /**
     * {@code [address, length]} of arena {@code i} at {@code 2i, 2i + 1}; length 0 for an arena not made. Replaced
     * (copy, then a volatile store) when an arena is added, so a reader that loaded it sees complete pairs.
     */
    private volatile long[] arenas;

    /** The regions of the arenas, for release and for the space's accounting; guarded by this. */
    private MemoryRegion[] regions;

    /**
     * With checksums: a buffer over each arena (index as in {@link #arenas}), replaced like it; each thread
     * checksums through its own duplicates ({@link #scratch}).
     */
    private volatile ByteBuffer[] buffers;

    private final ThreadLocal<Scratch> scratch;

    /** The next free position of the newest arena: advanced by CAS, moved to a new arena under the monitor. */
    @SuppressWarnings("unused") // through BUMP
    private volatile long bump;

    /** Head of each class's free list: {@code version << 36 | position}, position 0 for an empty list. */
    private final AtomicLongArray heads = new AtomicLongArray(SizeClasses.COUNT);

    /** Bytes of the blocks handed out and not freed. */
    private final AtomicLong allocatedBytes = new AtomicLong();

    /** Bytes of the keys and values of the entries in those blocks: what was asked for, less the entry header. */
    private final AtomicLong payloadBytes = new AtomicLong();

    private volatile long arenaBytes; // written under this heap's monitor, read without it

    /** Checked before each new arena; set by the store once it is built. */
    private volatile MemoryLimit limit = MemoryLimit.NONE;

    /**
     * Set when a free-list link or a freed word was found damaged (only a damaged file can show that): the store
     * then leaves the file for recovery at its close.
     */
    volatile boolean damaged;

    private EntryHeap(final MemorySpace space, final MemoryRegion root, final int segment, final boolean checksummed)
    {
        this.space = space;
        this.root = root;
        this.segment = segment;
        this.checksummed = checksummed;
        this.maxArenaLength = Integer.highestOneBit(space.maxRegionLength());
        this.maxBlockLength = maxBlockLength(space);
        this.arenaShift = Integer.numberOfTrailingZeros(maxArenaLength) - LOG2_GRANULE;
        this.offsetMask = (1L << arenaShift) - 1;
        this.maxArenas = (int)Math.min(1 << 20, (EntryRef.MAX_POSITION >>> arenaShift) + 1);
        this.arenas = new long[2];
        this.regions = new MemoryRegion[1];
        this.buffers = new ByteBuffer[1];
        this.scratch = checksummed ? ThreadLocal.withInitial(Scratch::new) : null;
        BUMP.setVolatile(this, 0L); // arena 0 does not exist: the first allocation adds arena 1
    }

    /**
     * A new empty heap for {@code segment}: its root region is allocated, no arena yet.
     *
     * @param checksummed whether entries carry a checksum (store files; anonymous memory does not outlive the
     *                    process).
     */
    static EntryHeap create(final MemorySpace space, final int segment, final boolean checksummed)
    {
        final MemoryRegion root = space.allocate(HeapRootDescriptor.LENGTH);
        root.putLong(HeapRootDescriptor.KIND_OFFSET, HeapRootDescriptor.KIND);
        root.putLong(HeapRootDescriptor.SEGMENT_OFFSET, segment);
        return new EntryHeap(space, root, segment, checksummed);
    }

    /**
     * Attach the heap whose root is at {@code rootOffset} and every arena its list names, reading only; the free
     * lists are empty until {@link #restore} or {@link #rebuild}.
     *
     * @throws CorruptStoreException if the root or an arena header is not what this segment's heap holds.
     */
    static EntryHeap attach(final MemorySpace space, final long rootOffset, final int segment, final String what)
    {
        final MemoryRegion root = space.attach(rootOffset, HeapRootDescriptor.LENGTH);
        final long kind = root.getLongVolatile(HeapRootDescriptor.KIND_OFFSET);
        final long owner = root.getLongVolatile(HeapRootDescriptor.SEGMENT_OFFSET);
        if (HeapRootDescriptor.KIND != kind || owner != segment)
        {
            throw new CorruptStoreException(what + ": not an entry heap root: kind=0x" + Long.toHexString(kind) +
                ", segment=" + owner + ", allowed: kind=0x" + Long.toHexString(HeapRootDescriptor.KIND) +
                " (ENTRHEAP), segment=" + segment + ", heapOffset=" + rootOffset + ", in " + space);
        }
        final EntryHeap heap = new EntryHeap(space, root, segment, space.isPersistent());
        heap.attachArenas(what);
        return heap;
    }

    /**
     * Walk the list of arenas from the newest back to arena 1, checking each header.
     */
    private synchronized void attachArenas(final String what)
    {
        long offset = root.getLongVolatile(HeapRootDescriptor.NEWEST_ARENA_OFFSET);
        if (0 == offset)
        {
            return;
        }
        final MemoryRegion newest = checkedArena(offset, -1, what);
        final int count = (int)newest.getLong(ArenaDescriptor.INDEX_OFFSET);
        final long[] grown = new long[2 * (count + 1)];
        final ByteBuffer[] views = new ByteBuffer[count + 1];
        regions = new MemoryRegion[count + 1];
        MemoryRegion arena = newest;
        for (int index = count; index >= 1; index--)
        {
            if (index < count)
            {
                arena = checkedArena(offset, index, what);
            }
            regions[index] = arena;
            grown[2 * index] = arena.address();
            grown[2 * index + 1] = arena.length();
            views[index] = checksummed ? arena.byteBuffer() : null;
            arenaBytes += arena.length();
            offset = arena.getLong(ArenaDescriptor.PREVIOUS_OFFSET);
        }
        if (0 != offset)
        {
            throw new CorruptStoreException(what + ": arena 1 names a previous arena: previousOffset=" + offset +
                ", allowed: 0, in " + space);
        }
        buffers = views;
        arenas = grown; // volatile: publishes the pairs
        BUMP.setVolatile(this, endOf(count)); // full: nothing is handed out before restore or rebuild
    }

    /**
     * @param index the arena index the list expects there, or -1 for the newest (any index from 1).
     */
    private MemoryRegion checkedArena(final long offset, final int index, final String what)
    {
        final MemoryRegion head = space.attach(offset, ArenaDescriptor.HEADER_LENGTH);
        final long kind = head.getLongVolatile(ArenaDescriptor.KIND_OFFSET);
        final long indexWord = head.getLongVolatile(ArenaDescriptor.INDEX_OFFSET);
        final long length = head.getLongVolatile(ArenaDescriptor.LENGTH_OFFSET);
        final long previous = head.getLongVolatile(ArenaDescriptor.PREVIOUS_OFFSET);
        final long check = head.getLongVolatile(ArenaDescriptor.CHECK_OFFSET);
        final long arena = indexWord & 0xFFFF_FFFFL;
        final boolean valid = ArenaDescriptor.KIND == kind && (indexWord >>> 32) == segment &&
            (index < 0 ? arena >= 1 && arena < maxArenas : arena == index) &&
            length >= ArenaDescriptor.HEADER_LENGTH + SizeClasses.MIN_BLOCK && length <= maxArenaLength &&
            0 == (length & (SizeClasses.GRANULE - 1)) && ArenaDescriptor.check(indexWord, length, previous) == check;
        if (!valid)
        {
            throw new CorruptStoreException(what + ": damaged arena header at offset " + offset + ": kind=0x" +
                Long.toHexString(kind) + ", segment=" + (indexWord >>> 32) + ", arena=" + arena + ", length=" +
                length + ", check " + (ArenaDescriptor.check(indexWord, length, previous) == check ? "ok" : "failed") +
                ", allowed: kind ENTARENA, segment " + segment + ", arena " + (index < 0 ? "1 to " + (maxArenas - 1) :
                index) + ", length a multiple of 8 from " + (ArenaDescriptor.HEADER_LENGTH + SizeClasses.MIN_BLOCK) +
                " to " + maxArenaLength + ", in " + space);
        }
        return space.attach(offset, (int)length);
    }

    /**
     * @return the longest block a heap in {@code space} can hand out: the largest size class that fits an arena
     * after its header.
     */
    static int maxBlockLength(final MemorySpace space)
    {
        final int room = Integer.highestOneBit(space.maxRegionLength()) - ArenaDescriptor.HEADER_LENGTH;
        int sizeClass = SizeClasses.classOf(room);
        if (SizeClasses.blockLength(sizeClass) > room)
        {
            sizeClass--;
        }
        return SizeClasses.blockLength(sizeClass);
    }

    /**
     * @return the root region of this heap, which every table of its segment names.
     */
    MemoryRegion root()
    {
        return root;
    }

    /**
     * @return the segment this heap belongs to.
     */
    int segment()
    {
        return segment;
    }

    /**
     * Whether a replacement of a table of this heap, with {@code live} LIVE slots of {@code used}, should move the
     * entries into a fresh heap: yes if at least half of the arenas' bytes, and at least
     * {@link #COMPACTION_MIN_BYTES}, would be free after it. The blocks of tombstones are counted as free, since
     * the replacement drops them; their share of the blocks in use is estimated by their share of the used slots
     * (the counts, not a scan of the entries), so a heuristic, never a correctness matter.
     */
    boolean wantsCompaction(final int live, final int used)
    {
        final long arenas = arenaBytes();
        final long allocated = allocatedBytes();
        final double liveShare = used <= 0 ? 1.0 : (double)Math.max(0, Math.min(live, used)) / used;
        final long reclaimable = arenas - (long)(allocated * liveShare);
        return reclaimable >= COMPACTION_MIN_BYTES && 2 * reclaimable > arenas;
    }

    /**
     * Give this fresh heap (no arena yet) a first arena that holds {@code bytes} of blocks (up to the largest arena):
     * a compaction that then allocates that many fills one arena, not a chain of growing ones, and leaves less than
     * one first-arena length of it unused. Nothing for a heap that has an arena, or for 0 bytes.
     *
     * @throws io.slotkv.core.memory.DiskFullException if the arena cannot get disk space (nothing changed).
     */
    synchronized void reserve(final long bytes)
    {
        if (0 != (long)BUMP.getVolatile(this) || bytes <= 0)
        {
            return;
        }
        final long room = maxArenaLength - ArenaDescriptor.HEADER_LENGTH;
        addArena(0, (int)(Math.min(bytes, room) >>> LOG2_GRANULE));
    }

    /**
     * @return the longest block this heap can hand out: its largest arena.
     */
    int maxBlockLength()
    {
        return maxBlockLength;
    }

    /**
     * Hand out a block of at least {@code length} bytes: its header holds the block's generation (allocation
     * keeps it) and no lengths; the rest is garbage. The caller owns it until it publishes it or frees it.
     *
     * @param length bytes the block must hold, 1 to {@link #maxBlockLength()}.
     * @return the block's position.
     * @throws IllegalArgumentException if {@code length} is out of range.
     * @throws io.slotkv.core.memory.DiskFullException if a new arena cannot get disk space (nothing changed).
     * @throws OutOfMemoryError if a new arena cannot be mapped (nothing changed).
     */
    long allocate(final int length)
    {
        if (length <= 0 || length > maxBlockLength)
        {
            throw new IllegalArgumentException("block length out of range: length=" + length + ", max=" +
                maxBlockLength);
        }
        final int sizeClass = SizeClasses.classOf(length);
        final int blockLength = SizeClasses.blockLength(sizeClass);
        long position = pop(sizeClass);
        if (0 == position)
        {
            position = bumpAllocate(blockLength >>> LOG2_GRANULE);
        }
        allocatedBytes.getAndAdd(blockLength);
        payloadBytes.getAndAdd(Math.max(0, length - EntryDescriptor.KEY_OFFSET));
        return position;
    }

    /**
     * Give a block back: its generation advances (so a reader or a CAS holding a reference to it sees that it was
     * reused), then it goes on its class's free list. The caller guarantees that no slot names it any more and
     * that it does not free it twice.
     *
     * @param position    of the block, from {@link #allocate(int)}.
     * @param blockLength what was asked of {@link #allocate(int)} for it (the accounting of keys and values counts
     *                    it; any length of the same class frees the same block).
     */
    void free(final long position, final int blockLength)
    {
        final int sizeClass = SizeClasses.classOf(blockLength);
        final long address = address(position, SizeClasses.blockLength(sizeClass));
        if (0 == address || !isBlockStart(position))
        {
            throw new IllegalArgumentException("not a block of this heap: position=" + position + ", blockLength=" +
                blockLength);
        }
        final long header = UnsafeApi.getLong(null, address + HEADER_OFFSET);
        // release: the next generation is visible before the block is on the free list (the push is a full fence
        // too), so whoever reuses it writes after it, and a reader that saw the new writer's bytes sees it
        UnsafeApi.putLongRelease(null, address + HEADER_OFFSET, EntryDescriptor.freedHeader(header));
        VarHandle.storeStoreFence(); // the new generation before the free-list link overwrites the entry's bytes
        push(sizeClass, position, address);
        allocatedBytes.getAndAdd(-SizeClasses.blockLength(sizeClass));
        payloadBytes.getAndAdd(-Math.max(0, blockLength - EntryDescriptor.KEY_OFFSET));
    }

    /**
     * The length of the next arena: a sixteenth of the heap so far, in whole first-arena lengths (at least one, and
     * at least the block), so that the newest arena's unused rest stays a small share of the heap (3% on average).
     * In a space with huge pages, once the heap reaches a huge page, in whole huge pages: the kernel backs each such
     * arena with huge pages (one TLB entry per 2 MiB for a reader's random entry, one page fault per 2 MiB for a
     * writer filling it; a fill of 1M entries ran four times faster), at the cost of at most one huge page unused
     * in the newest arena.
     *
     * @param arenaBytes     bytes of the heap's arenas so far.
     * @param needed         bytes the arena must hold at least (the block and the arena header).
     * @param hugePageSize   the space's huge page size, or 0.
     * @param maxArenaLength the longest arena.
     * @return the new arena's length.
     */
    static long arenaLength(final long arenaBytes, final long needed, final long hugePageSize,
        final int maxArenaLength)
    {
        final long wanted = Math.max(Math.max(FIRST_ARENA_LENGTH, arenaBytes / 16), needed);
        final long step = hugePageSize > 0 && arenaBytes + wanted >= hugePageSize ? hugePageSize : FIRST_ARENA_LENGTH;
        return Math.min((wanted + step - 1) / step * step, maxArenaLength);
    }

    /**
     * The address of {@code length} bytes from the start of the block at {@code position}, if they lie inside an
     * arena of this heap; 0 if not: a position or length read optimistically may be any pattern.
     */
    long address(final long position, final long length)
    {
        final long[] arenas = this.arenas;
        if (length < 0 || length > room(arenas, position))
        {
            return 0; // also an arena not made (room 0 or less), and position 0
        }
        return blockAddress(arenas, position);
    }

    /**
     * The address of the {@code length} bytes of a block {@link #allocate} just handed out at {@code position}. A
     * block outside the arenas can only come from a damaged free list (a damaged file): the heap is marked
     * {@link #damaged} and the write fails.
     *
     * @throws CorruptStoreException if the block is not inside an arena of this heap.
     */
    long allocatedAddress(final long position, final long length)
    {
        final long address = address(position, length);
        if (0 == address)
        {
            damaged = true;
            throw new CorruptStoreException("the entry heap handed out a block outside its arenas: position=" +
                position + ", length=" + length + " (a damaged free list); the next open recovers the store");
        }
        return address;
    }

    /**
     * The arenas as a reader sees them at one instant (volatile: pairs with {@link #addArena}'s store), for
     * {@link #room} and {@link #blockAddress}: a reader that checks a header and then the lengths read from it loads
     * them once and checks both against the same arena. An arena's pair never changes once it is published.
     */
    long[] arenas()
    {
        return arenas;
    }

    /**
     * The bytes from the start of the block at {@code position} to the end of its arena in {@code arenas}
     * ({@link #arenas()}); 0 or less if no arena of it holds the position (a position read optimistically may be any
     * pattern; position 0 is never a block).
     */
    long room(final long[] arenas, final long position)
    {
        final long arena = position >>> arenaShift;
        if (arena >= (arenas.length >>> 1))
        {
            return 0;
        }
        final long arenaLength = (long)ARENA.getAcquire(arenas, (int)(2 * arena + 1)); // pairs with addArena's
        return arenaLength - ((position & offsetMask) << LOG2_GRANULE);
    }

    /**
     * The address of the block at {@code position}: only once {@link #room} of the same {@code arenas} was positive
     * (its acquire load of the arena's length orders this load of the arena's address after it).
     */
    long blockAddress(final long[] arenas, final long position)
    {
        return arenas[(int)(2 * (position >>> arenaShift))] + ((position & offsetMask) << LOG2_GRANULE);
    }

    /**
     * @return bytes of the blocks handed out and not freed.
     */
    long allocatedBytes()
    {
        return allocatedBytes.get();
    }

    /**
     * @return bytes of the keys and values of the entries in the blocks handed out (published or not, tombstones
     * included).
     */
    long payloadBytes()
    {
        return payloadBytes.get();
    }

    /**
     * @return bytes of all arenas.
     */
    long arenaBytes()
    {
        return arenaBytes;
    }

    /**
     * @return bytes of the blocks on free lists and of the newest arena's unused rest: arenas minus handed out.
     */
    long freeBytes()
    {
        return arenaBytes() - allocatedBytes();
    }

    /**
     * @return bytes of the newest arena past the bump pointer: never handed out, so not fragmentation (a racy
     * sample while writers bump).
     */
    synchronized long untouchedBytes()
    {
        final long position = (long)BUMP.getVolatile(this);
        return 0 == position ? 0 : (endOf(arenaOfBump(position)) - position) << LOG2_GRANULE;
    }

    /**
     * @return bytes of the blocks on free lists: {@link #freeBytes()} less the arena headers and the untouched rest
     * of the newest arena (a racy sample while writers allocate and free).
     */
    synchronized long freedBytes()
    {
        long headers = 0;
        for (int i = 3; i < arenas.length; i += 2)
        {
            headers += 0 == arenas[i] ? 0 : ArenaDescriptor.HEADER_LENGTH;
        }
        return Math.max(0, freeBytes() - headers - untouchedBytes());
    }

    /**
     * @return the regions of this heap: its root and its arenas, for their release when the heap is retired and as
     * the live space of a store file.
     */
    synchronized MemoryRegion[] regions()
    {
        int count = 1;
        for (final MemoryRegion region : regions)
        {
            count += null == region ? 0 : 1;
        }
        final MemoryRegion[] made = new MemoryRegion[count];
        made[0] = root;
        int i = 1;
        for (final MemoryRegion region : regions)
        {
            if (null != region)
            {
                made[i++] = region;
            }
        }
        return made;
    }

    private long pop(final int sizeClass)
    {
        while (true)
        {
            final long head = heads.get(sizeClass);
            final long position = head & HEAD_POSITION_MASK;
            if (0 == position)
            {
                return 0;
            }
            // racy, but benign: if another thread popped this block meanwhile, the version moved and the CAS fails
            final long next = UnsafeApi.getLongVolatile(null, addressOfListed(position) + NEXT_FREE_OFFSET) &
                HEAD_POSITION_MASK;
            final long version = (head >>> HEAD_VERSION_SHIFT) + 1;
            // a link that names no block of this class in an arena was damaged in the file (a clean open trusts the
            // free lists), unless the block was popped meanwhile and this read its new bytes: then the CAS fails.
            // A damaged list is dropped from here on (leaked until the next open, which then recovers)
            final boolean broken = 0 != next &&
                (!isBlockStart(next) || 0 == address(next, SizeClasses.blockLength(sizeClass)));
            if (heads.compareAndSet(sizeClass, head, (version << HEAD_VERSION_SHIFT) | (broken ? 0 : next)))
            {
                damaged |= broken;
                return position;
            }
        }
    }

    private void push(final int sizeClass, final long position, final long address)
    {
        while (true)
        {
            final long head = heads.get(sizeClass);
            UnsafeApi.putLong(null, address + NEXT_FREE_OFFSET, head & HEAD_POSITION_MASK); // published by the CAS
            final long version = (head >>> HEAD_VERSION_SHIFT) + 1;
            if (heads.compareAndSet(sizeClass, head, (version << HEAD_VERSION_SHIFT) | position))
            {
                return;
            }
        }
    }

    /**
     * @return the address of a block that was on a free list: its arena exists, so the position is in range.
     */
    private long addressOfListed(final long position)
    {
        final long address = address(position, SizeClasses.MIN_BLOCK);
        if (0 == address)
        {
            throw new CorruptStoreException("free list names a position outside the heap: position=" + position +
                ", in " + space);
        }
        return address;
    }

    private long bumpAllocate(final int units)
    {
        while (true)
        {
            final long position = (long)BUMP.getVolatile(this);
            final long arena = arenaOfBump(position);
            // the end of the arena this position is in, not of the newest: a racing grow cannot stretch it
            final long[] arenas = this.arenas;
            final long end = arena < (arenas.length >>> 1) ?
                (arena << arenaShift) + (arenas[(int)(2 * arena + 1)] >>> LOG2_GRANULE) : 0;
            if (0 != position && position + units <= end)
            {
                if (BUMP.compareAndSet(this, position, position + units))
                {
                    return position;
                }
                continue;
            }
            addArena(arena, units);
        }
    }

    /**
     * Add an arena, unless another thread did since {@code seenArena} was the newest; the rest of the newest arena
     * goes to free lists.
     */
    private synchronized void addArena(final long seenArena, final int units)
    {
        final long current = arenaOfBump((long)BUMP.getVolatile(this));
        if (current != seenArena)
        {
            return;
        }
        final int index = (int)current + 1;
        if (index >= maxArenas)
        {
            throw new IllegalStateException("entry heap is full: arenas=" + (index - 1) + ", maxArenas=" +
                (maxArenas - 1) + ", arenaBytes=" + arenaBytes);
        }
        final long needed = ((long)units << LOG2_GRANULE) + ArenaDescriptor.HEADER_LENGTH;
        final long length = arenaLength(arenaBytes, needed, space.hugePageSize(), maxArenaLength);
        limit.check(length, "a new arena of " + length + " bytes for segment " + segment);
        final MemoryRegion region = space.allocate((int)length); // may throw: nothing changed yet
        final ByteBuffer view = checksummed ? region.byteBuffer() : null;
        // the header, then the root's word (release): a crash leaves either no arena or a complete one in the list,
        // and the list names the arena before any block of it can be published
        final long indexWord = ArenaDescriptor.index(segment, index);
        final long previous = root.getLong(HeapRootDescriptor.NEWEST_ARENA_OFFSET);
        region.putLong(ArenaDescriptor.KIND_OFFSET, ArenaDescriptor.KIND);
        region.putLong(ArenaDescriptor.INDEX_OFFSET, indexWord);
        region.putLong(ArenaDescriptor.LENGTH_OFFSET, length);
        region.putLong(ArenaDescriptor.PREVIOUS_OFFSET, previous);
        region.putLong(ArenaDescriptor.CHECK_OFFSET, ArenaDescriptor.check(indexWord, length, previous));
        // every array grown before the root names the arena (nothing after that may fail): in place if there is
        // room, else in a copy twice the size (adding n arenas copies O(n) words) published by a volatile store
        long[] grown = arenas;
        if (2 * index + 1 >= grown.length)
        {
            grown = Arrays.copyOf(grown, 4 * Integer.highestOneBit(index));
        }
        if (index >= regions.length)
        {
            regions = Arrays.copyOf(regions, 2 * Integer.highestOneBit(index));
            buffers = Arrays.copyOf(buffers, 2 * Integer.highestOneBit(index));
        }
        root.putLongRelease(HeapRootDescriptor.NEWEST_ARENA_OFFSET, region.offset());
        // the length last, by a release store: a reader loads it first (acquire), so it never pairs a length with a
        // missing address
        grown[2 * index] = region.address();
        ARENA.setRelease(grown, 2 * index + 1, (long)region.length());
        buffers[index] = view; // before the arenas: a block of it is checksummed only after the bump moves there
        arenas = grown;
        regions[index] = region;
        arenaBytes += region.length();
        final long rest = (long)BUMP.getAndSet(this, ((long)index << arenaShift) + HEADER_UNITS);
        if (0 != current)
        {
            carve(rest, endOf(current));
        }
    }

    /**
     * @return the arena a bump position belongs to. The position just past a full-length arena is the first of the
     * next arena's slot, so the arena is that of the position before it: a bump position is never an arena's first
     * (its header is there), and 0 (no arena yet) is arena 0.
     */
    private long arenaOfBump(final long position)
    {
        return 0 == position ? 0 : (position - 1) >>> arenaShift;
    }

    /**
     * @return the position just past arena {@code index} (which exists).
     */
    private long endOf(final long index)
    {
        return (index << arenaShift) + (arenas[(int)(2 * index + 1)] >>> LOG2_GRANULE);
    }

    /**
     * Save the allocator's state in the root, for a clean close: the bump pointer, the bytes handed out and each
     * free list's head. The caller guarantees that nothing allocates or frees any more.
     */
    synchronized void save()
    {
        root.putLong(HeapRootDescriptor.SAVED_BUMP_OFFSET, (long)BUMP.getVolatile(this));
        root.putLong(HeapRootDescriptor.SAVED_ALLOCATED_OFFSET, allocatedBytes.get());
        root.putLong(HeapRootDescriptor.SAVED_PAYLOAD_OFFSET, payloadBytes.get());
        for (int c = 0; c < SizeClasses.COUNT; c++)
        {
            root.putLong(HeapRootDescriptor.headOffset(c), heads.get(c) & HEAD_POSITION_MASK);
        }
    }

    /**
     * Restore what {@link #save} wrote, after a clean open (the clean check covers those words). Each head must
     * name a block inside an arena, and the bump pointer a position of the newest arena.
     *
     * @throws CorruptStoreException if not.
     */
    synchronized void restore()
    {
        final int count = (arenas.length >>> 1) - 1;
        final long bump = root.getLongVolatile(HeapRootDescriptor.SAVED_BUMP_OFFSET);
        final long allocated = root.getLongVolatile(HeapRootDescriptor.SAVED_ALLOCATED_OFFSET);
        final long payload = root.getLongVolatile(HeapRootDescriptor.SAVED_PAYLOAD_OFFSET);
        final boolean bumpValid = 0 == count ? 0 == bump :
            bump >= ((long)count << arenaShift) + HEADER_UNITS && bump <= endOf(count);
        if (!bumpValid || allocated < 0 || allocated > arenaBytes || payload < 0 || payload > allocated)
        {
            throw new CorruptStoreException("segment " + segment + " heap: saved state out of range: bump=" + bump +
                ", allocatedBytes=" + allocated + ", payloadBytes=" + payload + ", arenas=" + count + ", arenaBytes=" +
                arenaBytes + ", allowed: bump inside the newest arena, 0 <= payload <= allocated <= arenaBytes, in " +
                space);
        }
        for (int c = 0; c < SizeClasses.COUNT; c++)
        {
            final long head = root.getLongVolatile(HeapRootDescriptor.headOffset(c));
            if (0 != head && (!isBlockStart(head) || 0 == address(head, SizeClasses.blockLength(c))))
            {
                throw new CorruptStoreException("segment " + segment + " heap: saved free-list head names no block " +
                    "of its class: class=" + c + ", position=" + head + ", in " + space);
            }
            heads.set(c, head);
        }
        allocatedBytes.set(allocated);
        payloadBytes.set(payload);
        BUMP.setVolatile(this, bump);
    }

    /**
     * Check, reading only, the allocator state a clean close saved ({@link #save}) against the blocks in use, for a
     * read-only full check: the bytes handed out and their keys and values are those of the blocks, no block in use
     * ends past the saved bump pointer in the newest arena, and every free list names blocks of its class inside
     * the arenas (in the newest one, below the bump pointer), none overlapping a block in use, and ends within as
     * many links as the arenas have smallest blocks (no cycle). Free blocks are not checked against each other.
     *
     * @param positions the positions of the blocks in use, sorted, not overlapping, each inside an arena.
     * @param lengths   their block lengths.
     * @param count     how many of the two arrays' elements are blocks.
     * @param payload   bytes of the keys and values of their entries.
     * @return null if the saved state matches the blocks, else what does not.
     */
    String checkSaved(final long[] positions, final int[] lengths, final int count, final long payload)
    {
        final long bump = root.getLongVolatile(HeapRootDescriptor.SAVED_BUMP_OFFSET);
        final long allocated = root.getLongVolatile(HeapRootDescriptor.SAVED_ALLOCATED_OFFSET);
        final long savedPayload = root.getLongVolatile(HeapRootDescriptor.SAVED_PAYLOAD_OFFSET);
        long inUse = 0;
        for (int i = 0; i < count; i++)
        {
            inUse += lengths[i];
        }
        if (allocated != inUse || savedPayload != payload)
        {
            return "saved allocatedBytes=" + allocated + ", payloadBytes=" + savedPayload + " but the blocks in use " +
                "hold " + inUse + " bytes with " + payload + " of keys and values";
        }
        final long newest = (arenas.length >>> 1) - 1;
        if (count > 0 && positions[count - 1] >>> arenaShift == newest &&
            positions[count - 1] + (lengths[count - 1] >>> LOG2_GRANULE) > bump)
        {
            return "the block in use at position " + positions[count - 1] + " ends past the saved bump pointer " + bump;
        }
        final long maxLinks = arenaBytes / SizeClasses.MIN_BLOCK;
        long links = 0;
        for (int c = 0; c < SizeClasses.COUNT; c++)
        {
            final long units = SizeClasses.blockLength(c) >>> LOG2_GRANULE;
            long position = root.getLongVolatile(HeapRootDescriptor.headOffset(c)) & HEAD_POSITION_MASK;
            while (0 != position)
            {
                if (++links > maxLinks)
                {
                    return "the free lists have more links than the arenas have blocks of " + SizeClasses.MIN_BLOCK +
                        " bytes: a cycle";
                }
                final long address = isBlockStart(position) ? address(position, SizeClasses.blockLength(c)) : 0;
                if (0 == address || (position >>> arenaShift == newest && position + units > bump))
                {
                    return "the free list of class " + c + " names no free block of its class: position=" + position;
                }
                final int after = -Arrays.binarySearch(positions, 0, count, position) - 1; // first block past it
                if (after < 0 || (after > 0 && positions[after - 1] + (lengths[after - 1] >>> LOG2_GRANULE) > position) ||
                    (after < count && positions[after] < position + units))
                {
                    return "the free list of class " + c + " names a block in use: position=" + position;
                }
                position = UnsafeApi.getLong(null, address + NEXT_FREE_OFFSET) & HEAD_POSITION_MASK;
            }
        }
        return null;
    }

    /**
     * Rebuild the free lists and the bump pointer from the blocks in use, after a crash: every other byte of the
     * arenas is free. What the newest arena holds past its last block in use is left to the bump pointer.
     *
     * @param positions the positions of the blocks in use, sorted, not overlapping, each inside an arena and past
     *                  its header.
     * @param lengths   their block lengths (of their size class).
     * @param count     how many of the two arrays' elements are blocks.
     * @param payload   bytes of the keys and values of their entries.
     */
    synchronized void rebuild(final long[] positions, final int[] lengths, final int count, final long payload)
    {
        for (int c = 0; c < SizeClasses.COUNT; c++)
        {
            heads.set(c, 0);
        }
        final int arenaCount = (arenas.length >>> 1) - 1;
        long allocated = 0;
        int next = 0;
        long bump = 0;
        for (long arena = 1; arena <= arenaCount; arena++)
        {
            long cursor = (arena << arenaShift) + HEADER_UNITS;
            final long end = endOf(arena);
            while (next < count && positions[next] >>> arenaShift == arena)
            {
                carve(cursor, positions[next]);
                cursor = positions[next] + (lengths[next] >>> LOG2_GRANULE);
                allocated += lengths[next];
                next++;
            }
            if (arena == arenaCount)
            {
                bump = cursor;
            }
            else
            {
                carve(cursor, end);
            }
        }
        if (next != count)
        {
            throw new IllegalArgumentException("blocks outside the arenas: " + (count - next) + " from position " +
                positions[next]);
        }
        allocatedBytes.set(allocated);
        payloadBytes.set(payload);
        BUMP.setVolatile(this, bump);
    }

    /**
     * @return whether {@code position} is at or past the first block of an existing arena (not inside its header).
     */
    boolean isBlockStart(final long position)
    {
        return (position & offsetMask) >= HEADER_UNITS && 0 != address(position, SizeClasses.MIN_BLOCK);
    }

    /**
     * @return the CRC32C of {@code length} bytes at {@code offset} of the block at {@code position}, which lie in
     * an arena (checked by the caller).
     */
    int checksum(final long position, final int offset, final int length)
    {
        final int arena = (int)(position >>> arenaShift);
        final int start = (int)(((position & offsetMask) << LOG2_GRANULE) + offset);
        final Scratch thread = scratch.get();
        ByteBuffer[] views = thread.views;
        if (arena >= views.length || null == views[arena])
        {
            views = thread.views = Arrays.copyOf(views, Math.max(views.length, buffers.length));
            views[arena] = buffers[arena].duplicate();
        }
        final ByteBuffer view = views[arena];
        view.limit(start + length).position(start);
        final CRC32C crc = thread.crc;
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * Finish an entry written privately into the block at {@code position} ({@code address}), whose key and value
     * are in place: its deadline (if {@code header} has the flag), its checksum (0 in anonymous memory, which does not
     * outlive the process), then its header. Plain stores: the CAS that publishes the entry's word releases them.
     */
    void seal(final long position, final long address, final long header, final long deadline)
    {
        if (EntryDescriptor.expires(header))
        {
            UnsafeApi.putLongUnaligned(null, address + EntryDescriptor.deadlineOffset(header), deadline);
        }
        UnsafeApi.putInt(null, address + EntryDescriptor.CHECKSUM_OFFSET, checksummed ?
            checksum(position, EntryDescriptor.KEY_OFFSET, EntryDescriptor.checkedLength(header)) ^
                EntryDescriptor.lengthsCheck(header) : 0);
        UnsafeApi.putLong(null, address, header);
    }

    /**
     * Check {@code limit} before each new arena from now on.
     */
    void limit(final MemoryLimit limit)
    {
        this.limit = limit;
    }

    /**
     * @return the limit this heap checks.
     */
    MemoryLimit limit()
    {
        return limit;
    }

    /**
     * @return whether entries of this heap carry a checksum.
     */
    boolean checksummed()
    {
        return checksummed;
    }

    /**
     * One thread's checksum state: a CRC32C and its own duplicate of each arena's buffer (position and limit are
     * per buffer).
     */
    private static final class Scratch
    {
        final CRC32C crc = new CRC32C();
        ByteBuffer[] views = new ByteBuffer[0];
    }

    /**
     * Put the never-used range {@code [from, to)} of positions on free lists, largest blocks first; a rest shorter
     * than the smallest block stays unused.
     */
    private void carve(final long from, final long to)
    {
        long position = from;
        while ((to - position) << LOG2_GRANULE >= SizeClasses.MIN_BLOCK)
        {
            final long rest = (to - position) << LOG2_GRANULE;
            int sizeClass = SizeClasses.classOf((int)Math.min(rest, maxArenaLength));
            if (SizeClasses.blockLength(sizeClass) > rest)
            {
                sizeClass--; // the class that fits, not the one that holds the rest
            }
            final int blockLength = SizeClasses.blockLength(sizeClass);
            final long address = address(position, blockLength);
            push(sizeClass, position, address);
            position += blockLength >>> LOG2_GRANULE;
        }
        // the handed-out count is of blocks; the carved ones are free, as the rest of the arena was
    }
}
