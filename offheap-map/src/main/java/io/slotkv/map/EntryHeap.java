package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.UnsafeApi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

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
 * made, so position 0 names nothing. Position to address is one shift, one array load and one add,
 * {@link #address(long, long)} checks the arena and the length first: a position or a length read optimistically
 * from memory can be any pattern, and one that is out of range addresses nothing.
 * <p>
 * <b>Lifetime.</b> Arenas are never released while the heap is in use: a reader holding a stale position reads
 * memory that is still mapped, and validates what it read by the block's generation ({@link EntryDescriptor}). A
 * free list's head carries a version, so a pop whose CAS races with a pop and push of the same block fails; the
 * link it read from the block is used only if its CAS succeeds, that is if no one popped the block meanwhile.
 */
final class EntryHeap
{
    /** Length of the first arena; each next one is about a sixteenth of the heap, up to the space's largest region. */
    static final int FIRST_ARENA_LENGTH = 64 * 1024;

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

    private final MemorySpace space;
    private final int maxArenaLength;

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

    /** The next free position of the newest arena: advanced by CAS, moved to a new arena under the monitor. */
    @SuppressWarnings("unused") // through BUMP
    private volatile long bump;

    /** Head of each class's free list: {@code version << 36 | position}, position 0 for an empty list. */
    private final AtomicLongArray heads = new AtomicLongArray(SizeClasses.COUNT);

    /** Bytes of the blocks handed out and not freed. */
    private final java.util.concurrent.atomic.AtomicLong allocatedBytes = new java.util.concurrent.atomic.AtomicLong();

    private long arenaBytes;

    /**
     * @param space where the arenas come from; its largest region bounds an arena, and so a block.
     */
    EntryHeap(final MemorySpace space)
    {
        this.space = space;
        this.maxArenaLength = Integer.highestOneBit(space.maxRegionLength());
        this.arenaShift = Integer.numberOfTrailingZeros(maxArenaLength) - LOG2_GRANULE;
        this.offsetMask = (1L << arenaShift) - 1;
        this.maxArenas = (int)Math.min(1 << 20, (EntryRef.MAX_POSITION >>> arenaShift) + 1);
        this.arenas = new long[2];
        this.regions = new MemoryRegion[1];
        BUMP.setVolatile(this, 0L); // arena 0 does not exist: the first allocation adds arena 1
    }

    /**
     * @return the longest block this heap can hand out: its largest arena.
     */
    int maxBlockLength()
    {
        return maxArenaLength;
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
        if (length <= 0 || length > maxArenaLength)
        {
            throw new IllegalArgumentException("block length out of range: length=" + length + ", max=" +
                maxArenaLength);
        }
        final int sizeClass = SizeClasses.classOf(length);
        final int blockLength = SizeClasses.blockLength(sizeClass);
        long position = pop(sizeClass);
        if (0 == position)
        {
            position = bumpAllocate(blockLength >>> LOG2_GRANULE);
        }
        allocatedBytes.getAndAdd(blockLength);
        return position;
    }

    /**
     * Give a block back: its generation advances (so a reader or a CAS holding a reference to it sees that it was
     * reused), then it goes on its class's free list. The caller guarantees that no slot names it any more and
     * that it does not free it twice.
     *
     * @param position    of the block, from {@link #allocate(int)}.
     * @param blockLength what was asked of {@link #allocate(int)} for it (any length of the same class).
     */
    void free(final long position, final int blockLength)
    {
        final int sizeClass = SizeClasses.classOf(blockLength);
        final long address = address(position, SizeClasses.blockLength(sizeClass));
        if (0 == address)
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
    }

    /**
     * The address of {@code length} bytes from the start of the block at {@code position}, if they lie inside an
     * arena of this heap; 0 if not: a position or length read optimistically may be any pattern.
     */
    long address(final long position, final long length)
    {
        final long arena = position >>> arenaShift;
        final long offset = (position & offsetMask) << LOG2_GRANULE;
        final long[] arenas = this.arenas;
        if (arena >= (arenas.length >>> 1) || length < 0)
        {
            return 0;
        }
        final long arenaLength = (long)ARENA.getAcquire(arenas, (int)(2 * arena + 1)); // pairs with addArena's
        if (offset + length > arenaLength)
        {
            return 0; // also an arena not made (length 0), and position 0
        }
        return arenas[(int)(2 * arena)] + offset;
    }

    /**
     * @return bytes of the blocks handed out and not freed.
     */
    long allocatedBytes()
    {
        return allocatedBytes.get();
    }

    /**
     * @return bytes of all arenas.
     */
    synchronized long arenaBytes()
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
     * @return the regions of this heap's arenas, for their release when the heap is retired.
     */
    synchronized MemoryRegion[] regions()
    {
        int count = 0;
        for (final MemoryRegion region : regions)
        {
            count += null == region ? 0 : 1;
        }
        final MemoryRegion[] made = new MemoryRegion[count];
        int i = 0;
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
            final long next = UnsafeApi.getLongVolatile(null, addressOfListed(position) + NEXT_FREE_OFFSET);
            final long version = (head >>> HEAD_VERSION_SHIFT) + 1;
            if (heads.compareAndSet(sizeClass, head, (version << HEAD_VERSION_SHIFT) | (next & HEAD_POSITION_MASK)))
            {
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
            throw new IllegalStateException("free list names a position outside the heap: position=" + position);
        }
        return address;
    }

    private long bumpAllocate(final int units)
    {
        while (true)
        {
            final long position = (long)BUMP.getVolatile(this);
            final long arena = position >>> arenaShift;
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
        final long current = (long)BUMP.getVolatile(this) >>> arenaShift;
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
        // a sixteenth of the heap so far, in whole first-arena lengths (at least one, and at least the block): the
        // newest arena's unused rest stays a small share of the heap (3% on average), whatever its size
        final long needed = (long)units << LOG2_GRANULE;
        final long wanted = Math.max(Math.max(FIRST_ARENA_LENGTH, arenaBytes / 16), needed);
        final long length = Math.min((wanted + FIRST_ARENA_LENGTH - 1) / FIRST_ARENA_LENGTH * FIRST_ARENA_LENGTH,
            maxArenaLength);
        final MemoryRegion region = space.allocate((int)length); // may throw: nothing changed yet
        // in place if there is room, else in a copy twice the size (adding n arenas copies O(n) words) published by
        // a volatile store; the length last, by a release store: a reader loads it first (acquire), so it never
        // pairs a length with a missing address
        long[] grown = arenas;
        if (2 * index + 1 >= grown.length)
        {
            grown = java.util.Arrays.copyOf(grown, 4 * Integer.highestOneBit(index));
        }
        grown[2 * index] = region.address();
        ARENA.setRelease(grown, 2 * index + 1, (long)region.length());
        arenas = grown;
        if (index >= regions.length)
        {
            regions = java.util.Arrays.copyOf(regions, 2 * Integer.highestOneBit(index));
        }
        regions[index] = region;
        arenaBytes += region.length();
        final long rest = (long)BUMP.getAndSet(this, (long)index << arenaShift);
        if (0 != current)
        {
            carve(rest, (current << arenaShift) + (grown[(int)(2 * current + 1)] >>> LOG2_GRANULE));
        }
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
