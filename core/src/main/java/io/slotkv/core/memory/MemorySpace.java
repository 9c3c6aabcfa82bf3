package io.slotkv.core.memory;

import java.util.List;

/**
 * Where {@link MemoryRegion}s come from: anonymous off-heap memory or a memory-mapped file.
 * <p>
 * A space hands out zeroed, 64-byte aligned regions of at most {@link #MAX_REGION_LENGTH} bytes. It never frees
 * or unmaps a region that is still reachable (see the package documentation). A persistent space additionally
 * records one <em>root</em> region, from which its user finds every other region by offset when it reopens.
 */
public interface MemorySpace extends AutoCloseable
{
    /** Alignment of every region: one cache line. */
    int REGION_ALIGNMENT = 64;

    /** Largest region a space hands out: 1 GiB (the mapping chunk of a file-backed space). */
    int MAX_REGION_LENGTH = 1 << 30;

    /** {@link #rootOffset()} of a space that has no root yet. */
    long NO_ROOT = -1;

    /**
     * Allocate a new zeroed region. For a file, its disk space is reserved first, so running out of disk is this
     * exception and never a signal when the memory is written later.
     *
     * @param length in bytes, 1 to {@link #maxRegionLength()}.
     * @return the region.
     * @throws IllegalArgumentException if the length is out of range.
     * @throws IllegalStateException    if the space is closed or read-only.
     * @throws DiskFullException        if the file system cannot reserve the space (nothing changed).
     * @throws OutOfMemoryError         if anonymous memory cannot be allocated (nothing changed).
     */
    MemoryRegion allocate(int length);

    /**
     * The upper bound of {@link #allocate(int)}'s length.
     *
     * @return the longest region this space can hand out: {@link #MAX_REGION_LENGTH}, or a file's chunk size.
     */
    int maxRegionLength();

    /**
     * Attach to a region this space handed out before, for example in an earlier process.
     *
     * @param offset of the region in this space, as {@link MemoryRegion#offset()} reported it.
     * @param length of the region in bytes, as {@link MemoryRegion#length()} reported it.
     * @return a region over the same memory; for a file, what the earlier owner wrote there.
     * @throws CorruptStoreException         if offset and length do not describe a region of this space.
     * @throws UnsupportedOperationException if the space is not persistent.
     */
    MemoryRegion attach(long offset, int length);

    /**
     * The offset last recorded by {@link #root(MemoryRegion)}, the entry point of a reopened store.
     *
     * @return the offset of the root region, or {@link #NO_ROOT}.
     */
    long rootOffset();

    /**
     * Record {@code region} as the root, so that a later {@link #attach} after reopening can find it. One atomic
     * word: call it once the root region holds everything a reopen needs.
     *
     * @param region the root, a region of this space.
     */
    void root(MemoryRegion region);

    /**
     * Whether the memory is backed by a store file, so that {@link #attach} and {@link #rootOffset()} apply.
     *
     * @return true if the contents outlive the process (a file).
     */
    boolean isPersistent();

    /**
     * Whether the space refuses {@link #allocate(int)}, {@link #root(MemoryRegion)} and {@link #markDirty()} with an
     * {@link IllegalStateException}; its regions are only for reading.
     *
     * @return true if the space can only be read (a store file opened {@link OpenMode#READ_ONLY}).
     */
    default boolean isReadOnly()
    {
        return false;
    }

    /**
     * Whether the state word of a store file said "closed" when this space opened it; always true for anonymous
     * memory.
     *
     * @return false if the last owner of a store file did not close it: it died, and the file needs recovery.
     */
    default boolean wasClosedCleanly()
    {
        return true;
    }

    /**
     * Record, durably, that the space is being written: called once before the first write to any region, so that a
     * crash from then on is seen by the next open. Nothing for anonymous memory.
     */
    default void markDirty()
    {
    }

    /**
     * Hand out the space between the given regions again: they are everything a reopened store still references,
     * so the rest of the file (tables replaced before the last close or crash) is free. Only called right after
     * opening, before any region was allocated. A space that cannot tell that no thread of this JVM still reads
     * the old memory keeps appending instead.
     *
     * @param live every region the reopened store still references; the space outside them is free.
     */
    default void reuseSpaceOutside(final List<MemoryRegion> live)
    {
    }

    /**
     * The page size a large region of this space is backed by when it is a whole multiple of it and at least that
     * long: callers that grow memory in steps (the byte store's arenas) size their steps in it, so that the kernel
     * can back each step with huge pages and a random read costs one TLB entry per huge page, not per 4 KiB.
     *
     * @return the huge page size regions ask for ({@link AnonymousMemorySpace} with huge pages: 2 MiB), or 0 if
     * this space does not ask for huge pages.
     */
    default long hugePageSize()
    {
        return 0;
    }

    /**
     * What a region costs, for a map's off-heap byte count.
     *
     * @param region a region of this space.
     * @return the bytes {@code region} costs this space: its length, rounded up to whole pages for anonymous memory
     * (each region is its own mapping).
     */
    default long footprint(final MemoryRegion region)
    {
        return region.length();
    }

    /**
     * Return a region the caller no longer uses: anonymous memory gives its pages back to the operating system at
     * once (the range stays mapped and reads as zeros until the region is unreachable); a store file hands its
     * space out again to later allocations. The caller guarantees that no thread writes the region any more and
     * that every reader that may still read it validates what it read (docs/design.md, "Memory lifetime").
     * Nothing happens for a read-only or closed space.
     *
     * @param region a region of this space that nothing writes any more.
     */
    default void release(final MemoryRegion region)
    {
    }

    /**
     * Hint that {@code region} is about to be read whole (recovery's scan): a file space maps its pages in ahead,
     * in one call, instead of one page fault at a time. Nothing for anonymous memory; never fails.
     *
     * @param region a region of this space.
     */
    default void willRead(final MemoryRegion region)
    {
    }

    /**
     * Write all changes through to storage; nothing for anonymous memory.
     */
    void sync();

    /**
     * Stop handing out regions and, for a file, sync it, mark it cleanly closed and release its lock. Memory of
     * regions that are still reachable stays valid until they are not. Closing twice is harmless.
     */
    @Override
    void close();

    /**
     * Release the space like {@link #close()}, but leave a file's state as it is (never mark it clean): for an
     * open that failed, or a close that could not fence out every writer.
     */
    default void abandon()
    {
        close();
    }

    /**
     * Check a requested region length against the limit every space shares; each space checks its own, smaller
     * limit (a file's chunk size) after this.
     *
     * @param length in bytes.
     * @throws IllegalArgumentException if {@code length} is not from 1 to {@link #MAX_REGION_LENGTH}; the message
     *                                  carries the length and the maximum.
     */
    static void checkRegionLength(final long length)
    {
        if (length <= 0 || length > MAX_REGION_LENGTH)
        {
            throw new IllegalArgumentException(
                "region length out of range: length=" + length + ", max=" + MAX_REGION_LENGTH);
        }
    }
}
