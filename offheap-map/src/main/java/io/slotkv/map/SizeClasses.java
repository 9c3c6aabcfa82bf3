package io.slotkv.map;

/**
 * The block sizes of an {@link EntryHeap}: every multiple of {@link #GRANULE} bytes from {@link #MIN_BLOCK} up to
 * {@link #LINEAR_LIMIT}, then {@link #STEPS_PER_DOUBLING} sizes per doubling. So a block is at most
 * {@code GRANULE - 1} bytes longer than what it holds below the linear limit, and less than 1/9 of its length above
 * it (the step is 1/8 of the doubling's base, and the block at least 9/8 of it when rounding wastes a step).
 */
final class SizeClasses
{
    /** Blocks are whole 8-byte words, so every entry is 8-byte aligned. */
    static final int GRANULE = 8;

    /** The smallest block: a free block holds its header and the next-block word of its free list. */
    static final int MIN_BLOCK = 16;

    /** Up to this length every multiple of {@link #GRANULE} is a class. */
    static final int LINEAR_LIMIT = 256;

    static final int STEPS_PER_DOUBLING = 8;

    private static final int LINEAR_CLASSES = (LINEAR_LIMIT - MIN_BLOCK) / GRANULE + 1;
    private static final int LOG2_LINEAR_LIMIT = Integer.numberOfTrailingZeros(LINEAR_LIMIT);
    private static final int LOG2_STEPS = Integer.numberOfTrailingZeros(STEPS_PER_DOUBLING);

    /** Classes up to blocks of 1 GiB, the largest region a space hands out. */
    static final int COUNT = classOf(1 << 30) + 1;

    private SizeClasses()
    {
    }

    /**
     * @param length bytes a block must hold, 1 to 2^30.
     * @return the class of the smallest block that holds them.
     */
    static int classOf(final int length)
    {
        if (length <= LINEAR_LIMIT)
        {
            return length <= MIN_BLOCK ? 0 : (length - MIN_BLOCK + GRANULE - 1) / GRANULE;
        }
        // above the linear limit: doubling d covers (2^(8+d), 2^(9+d)] in steps of 2^(8+d) / 8
        final int floorLog2 = 31 - Integer.numberOfLeadingZeros(length - 1);
        final int shift = floorLog2 - LOG2_STEPS;
        final int steps = ((length - 1) >>> shift) - STEPS_PER_DOUBLING; // 0..7 past the doubling's base
        return LINEAR_CLASSES + (floorLog2 - LOG2_LINEAR_LIMIT) * STEPS_PER_DOUBLING + steps;
    }

    /**
     * @param sizeClass a class from {@link #classOf}.
     * @return the block length of that class, a multiple of {@link #GRANULE}.
     */
    static int blockLength(final int sizeClass)
    {
        if (sizeClass < LINEAR_CLASSES)
        {
            return MIN_BLOCK + sizeClass * GRANULE;
        }
        final int above = sizeClass - LINEAR_CLASSES;
        final int doubling = above / STEPS_PER_DOUBLING;
        final int step = above % STEPS_PER_DOUBLING;
        final int base = LINEAR_LIMIT << doubling;
        return base + (step + 1) * (base >>> LOG2_STEPS);
    }
}
