package io.slotkv.map;

import io.slotkv.core.memory.MemorySpace;

/**
 * How a {@link Segment} makes and sizes tables of one kind: the table-specific half of the replacement protocol,
 * so the protocol itself is written once.
 *
 * @param <T> the table type.
 */
interface TableKind<T extends SegmentTable<T>>
{
    /**
     * A new empty table encoded like {@code like} (same hash seed, same value encoding).
     *
     * @throws io.slotkv.core.memory.DiskFullException if the store file cannot grow (nothing changed).
     */
    T allocate(MemorySpace space, int capacity, T like);

    /**
     * A new empty table whose value encoding can hold every value of {@code stable}, a table no writer can change.
     * Only for kinds whose tables ask for it ({@link SegmentTable#needsRekey()}).
     */
    T allocateRekeyed(MemorySpace space, int capacity, T stable);

    /**
     * A new empty table encoded like {@code like} whose entries live in fresh memory of their own (the byte store:
     * a new, empty entry heap), for a replacement that compacts ({@link SegmentTable#wantsCompaction()}). Only for
     * kinds whose tables ask for it.
     *
     * @throws io.slotkv.core.memory.DiskFullException if the store file cannot grow (nothing changed).
     */
    default T allocateCompacting(final MemorySpace space, final int capacity, final T like)
    {
        throw new UnsupportedOperationException("tables of this kind keep no entries apart: " + like);
    }

    /**
     * @return the largest capacity of a table in a region of {@code maxRegionLength} bytes.
     */
    int maxCapacity(int maxRegionLength);

    /**
     * @return the smallest valid capacity of at least {@code slots} slots (at most {@code maxCapacity}).
     */
    int capacity(long slots, int maxCapacity);

    /**
     * @return how many slots a table of {@code capacity} may use before it must be replaced.
     */
    int threshold(int capacity, double maxLoad);
}
