package io.slotkv.core.memory;

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
     * Allocate a new zeroed region.
     *
     * @param length in bytes, 1 to {@link #MAX_REGION_LENGTH}.
     * @return the region.
     * @throws IllegalArgumentException if the length is out of range.
     * @throws IllegalStateException    if the space is closed.
     */
    MemoryRegion allocate(int length);

    /**
     * @return the longest region this space can hand out: {@link #MAX_REGION_LENGTH}, or a file's chunk size.
     */
    int maxRegionLength();

    /**
     * Attach to a region this space handed out before, for example in an earlier process.
     *
     * @throws CorruptStoreException         if offset and length do not describe a region of this space.
     * @throws UnsupportedOperationException if the space is not persistent.
     */
    MemoryRegion attach(long offset, int length);

    /**
     * @return the offset of the root region, or {@link #NO_ROOT}.
     */
    long rootOffset();

    /**
     * @return the length of the root region, or 0 if there is none.
     */
    int rootLength();

    /**
     * Record {@code region} as the root, so that a later {@link #attach} after reopening can find it.
     */
    void root(MemoryRegion region);

    /**
     * @return true if the contents outlive the process (a file).
     */
    boolean isPersistent();

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

    static void checkRegionLength(final long length)
    {
        if (length <= 0 || length > MAX_REGION_LENGTH)
        {
            throw new IllegalArgumentException(
                "region length out of range: length=" + length + ", max=" + MAX_REGION_LENGTH);
        }
    }
}
