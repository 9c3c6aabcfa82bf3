package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import static io.slotkv.map.DirectoryDescriptor.HASH_SEED_CHECK_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.HASH_SEED_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.KIND_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.MAX_LOAD_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.MAX_SEGMENTS;
import static io.slotkv.map.DirectoryDescriptor.MIN_CAPACITY_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_COUNT_OFFSET;

/**
 * The fields of a directory's header ({@link DirectoryDescriptor}) that both maps have, written at creation and
 * checked at open with plain reads before anything else of the file is trusted: the kind, the segment count, the
 * max load, the first tables' capacity and the hash seed with its check word.
 */
final class DirectoryHeader
{
    final int segmentCount;
    final double maxLoad;
    final int minCapacity;
    final long seed;

    private DirectoryHeader(final int segmentCount, final double maxLoad, final int minCapacity, final long seed)
    {
        this.segmentCount = segmentCount;
        this.maxLoad = maxLoad;
        this.minCapacity = minCapacity;
        this.seed = seed;
    }

    /**
     * Write the header of a new directory of {@code kind}.
     */
    static void write(final MemoryRegion directory, final long kind, final int segmentCount, final double maxLoad,
        final int minCapacity, final long seed)
    {
        directory.putLong(KIND_OFFSET, kind);
        directory.putLong(SEGMENT_COUNT_OFFSET, segmentCount);
        directory.putLong(MAX_LOAD_OFFSET, Math.round(maxLoad * 1000));
        directory.putLong(MIN_CAPACITY_OFFSET, minCapacity);
        directory.putLong(HASH_SEED_OFFSET, seed);
        directory.putLong(HASH_SEED_CHECK_OFFSET, ~seed);
    }

    /**
     * Read and check the header of the directory at the space's root.
     *
     * @param kind     the kind word the directory must hold.
     * @param what     what the directory must be, for messages ("long->long map", "byte store").
     * @param tables   the kind of the map's tables: which capacities are valid.
     * @throws CorruptStoreException naming the field, its value and the allowed range.
     */
    static DirectoryHeader read(final MemorySpace space, final long kind, final String kindName, final String what,
        final TableKind<?> tables)
    {
        final MemoryRegion head = space.attach(space.rootOffset(), DirectoryDescriptor.HEADER_LENGTH);
        final long storedKind = head.getLongVolatile(KIND_OFFSET);
        final long segmentCount = head.getLongVolatile(SEGMENT_COUNT_OFFSET);
        final long maxLoadPerMille = head.getLongVolatile(MAX_LOAD_OFFSET);
        final long minCapacity = head.getLongVolatile(MIN_CAPACITY_OFFSET);
        final long seed = head.getLongVolatile(HASH_SEED_OFFSET);
        final long seedCheck = head.getLongVolatile(HASH_SEED_CHECK_OFFSET);
        final String prefix = "not a " + what + " directory: ";
        check(kind == storedKind, prefix, "kind", "0x" + Long.toHexString(storedKind),
            "0x" + Long.toHexString(kind) + " (" + kindName + ")", space);
        check(segmentCount >= 1 && segmentCount <= MAX_SEGMENTS && Long.bitCount(segmentCount) == 1, prefix,
            "segmentCount", segmentCount, "a power of two from 1 to " + MAX_SEGMENTS, space);
        check(maxLoadPerMille >= 100 && maxLoadPerMille <= 950, prefix, "maxLoadPerMille", maxLoadPerMille,
            "100 to 950", space);
        final int maxCapacity = tables.maxCapacity(space.maxRegionLength());
        check(minCapacity >= 1 && minCapacity <= maxCapacity && tables.capacity(minCapacity, maxCapacity) ==
            minCapacity, prefix, "minCapacity", minCapacity, "a valid table capacity (" + tables.capacity(1,
            maxCapacity) + " to " + maxCapacity + ", see the table's layout)", space);
        check(seedCheck == ~seed, prefix, "hashSeedCheck", "0x" + Long.toHexString(seedCheck),
            "0x" + Long.toHexString(~seed) + " (the complement of hashSeed 0x" + Long.toHexString(seed) +
            "; a damaged seed would misplace every key, so it is not repaired)", space);
        return new DirectoryHeader((int)segmentCount, maxLoadPerMille / 1000.0, (int)minCapacity, seed);
    }

    private static void check(final boolean valid, final String prefix, final String field, final Object value,
        final String allowed, final MemorySpace space)
    {
        if (!valid)
        {
            throw new CorruptStoreException(prefix + field + "=" + value + ", allowed: " + allowed + ", in " + space);
        }
    }
}
