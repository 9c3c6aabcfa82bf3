package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;

/**
 * What a {@link Segment} needs of its table, whatever the table holds: the passes of the replacement protocol, the
 * link a reader follows to the table being filled, and the flag that tells a reader the table's memory may have
 * been reused. The long map's {@link LongLongTable} is one; each kind of table keeps its own slot logic.
 * <p>
 * <b>Lifetime.</b> {@link #next} names the table a replacement copies this one into, from before its first slot is
 * frozen: a reader that meets a frozen slot of its key reads the key there instead of waiting. {@link #retired} is
 * set once no operation can newly reach the table; from then on its memory may be given back or reused, so a reader
 * that read anything from it checks this flag afterwards and starts again if it is set (docs/design.md,
 * "Memory lifetime").
 *
 * @param <T> the concrete table type.
 */
abstract class SegmentTable<T extends SegmentTable<T>>
{
    final MemoryRegion region;
    final int capacity;

    /**
     * The table a replacement of this one copies into; null while none runs. Written by the replacement (under
     * the segment's write lock) before it freezes the first slot; the volatile store pairs with the read of a
     * reader that saw a frozen slot (the freezing CAS is after the store, the reader's load of the frozen word is
     * an acquire).
     */
    volatile T next;

    /**
     * Set (volatile, then a full fence) before the table's memory is released or reused; a reader reads it after
     * the words it used (acquire loads) and discards them if it is set.
     */
    volatile boolean retired;

    /**
     * The store's counters, for the CAS retries (and expiries) counted inside the table's own loops; null when
     * statistics are off. Set by the segment while the table is private ({@code Segment.adopt}).
     */
    StoreCounters counters;

    SegmentTable(final MemoryRegion region, final int capacity)
    {
        this.region = region;
        this.capacity = capacity;
    }

    /**
     * First pass of a replacement: freeze every slot that holds no value, so that no key can claim a slot any more.
     * Called with the segment's write lock held.
     *
     * @return the number of slots that held a value when this pass reached them: an upper bound of the entries the
     * copy pass will copy.
     */
    abstract int freezeAbsent();

    /**
     * Undo {@link #freezeAbsent} (and the freezes of {@link #copyEntriesInto}): the replacement is abandoned before
     * the directory names anything it copied, and the table is again exactly as it was.
     */
    abstract void thawAbsent();

    /**
     * Second pass of a replacement: freeze every slot that holds a value and copy the value into {@code target},
     * in an order that keeps every value reachable from this table or the target at every instant (the long map
     * copies first, since its frozen word no longer holds the value; the byte store freezes first, since its frozen
     * word still names the entry). Allocates nothing and cannot fail.
     *
     * @param target the new table, or null to discard every value (clear).
     * @param slots  how many slots to process from the first (fewer than the capacity only for tests that stop a
     *               replacement part-way).
     * @param first  true for segment 0's tables (the long map keeps key 0's word in their header).
     */
    abstract void copyAndFreezeInto(T target, int slots, boolean first);

    /**
     * @return the slots that hold a value, as the table's counts say.
     */
    abstract int live();

    /**
     * After the replacement that copied this table was published: give back what the new table does not carry
     * over (the byte store's tombstoned entries, or every entry after a clear). Nothing for the long map, whose
     * values live in the slots. Called by the replacing thread under the segment's write lock.
     *
     * @param copied whether the replacement copied the values.
     */
    void releaseDropped(final boolean copied)
    {
    }

    /**
     * @return true if a writer asked for the next replacement to choose a new encoding of the values (the long
     * map's value key): the segment then copies the table privately first, and picks the encoding from the copy.
     */
    boolean needsRekey()
    {
        return false;
    }

    /**
     * @return true if the memory this table's entries live in is fragmented enough that its next grow or rebuild
     * should move the entries into fresh memory ({@link TableKind#allocateCompacting}). Never for the long map,
     * whose values live in the slots.
     */
    boolean wantsCompaction()
    {
        return false;
    }

    /**
     * Between the passes of a replacement, before its intent is recorded, under the segment's write lock: if
     * {@code target} keeps its entries in other memory than this table (a compacting replacement), freeze every
     * slot and copy every entry into the target's memory and its slot into the target, so that
     * {@link #copyAndFreezeInto} then allocates nothing. Nothing otherwise. May throw (an arena cannot be
     * allocated): the target is still private, and the replacement thaws this table and gives up.
     */
    void copyEntriesInto(final T target)
    {
    }

    /**
     * @return whether {@code other} keeps its entries in the same memory as this table: if not, that memory is
     * released with this table when it is retired in favour of {@code other}.
     */
    boolean sharesEntriesWith(final T other)
    {
        return true;
    }

    /**
     * @return the regions this table's entries live in besides its own region (the byte store's heap: its root and
     * arenas); none for the long map.
     */
    MemoryRegion[] entryRegions()
    {
        return NO_REGIONS;
    }

    private static final MemoryRegion[] NO_REGIONS = new MemoryRegion[0];
}
