package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.SlotDescriptor.KEY_OFFSET;
import static io.slotkv.map.SlotDescriptor.VALUE_OFFSET;
import static io.slotkv.map.TableDescriptor.CAPACITY_OFFSET;
import static io.slotkv.map.TableDescriptor.COUNTS_OFFSET;
import static io.slotkv.map.TableDescriptor.homeIndex;
import static io.slotkv.map.TableDescriptor.USED_ONE;
import static io.slotkv.map.TableDescriptor.ZERO_KEY_VALUE_OFFSET;
import static io.slotkv.map.TableDescriptor.regionLength;
import static io.slotkv.map.TableDescriptor.slotOffset;

/**
 * One open-addressing table of long keys and long values with linear probing, in one {@link MemoryRegion}
 * ({@link TableDescriptor layout}). Lock-free: a key word is claimed by CAS, a value word updated by CAS. A table is
 * replaced, never resized in place, in two passes (see {@link Segment}): {@link #freezeAbsent} freezes every slot
 * without a value, {@link #copyAndFreezeInto} copies each value into the new table and only then freezes it.
 * <p>
 * Every probe is bounded by the capacity, and every index it computes stays in {@code [0, capacity)}, so no word
 * read from memory ever addresses memory.
 */
final class LongLongTable
{
    final MemoryRegion region;
    final int capacity;
    final int threshold;

    private LongLongTable(final MemoryRegion region, final int capacity, final double maxLoad)
    {
        this.region = region;
        this.capacity = capacity;
        this.threshold = threshold(capacity, maxLoad);
    }

    static int threshold(final int capacity, final double maxLoad)
    {
        return Math.min(capacity - 1, (int)(capacity * maxLoad));
    }

    /**
     * A new empty table. The region is zeroed, which is exactly a table of empty slots.
     */
    static LongLongTable allocate(final MemorySpace space, final int capacity, final double maxLoad)
    {
        final MemoryRegion region = space.allocate(regionLength(capacity));
        region.putLong(CAPACITY_OFFSET, capacity);
        return new LongLongTable(region, capacity, maxLoad);
    }

    /**
     * Attach to a table a previous process left in a store file, checking its header before use.
     *
     * @throws CorruptStoreException if the region is not a table: the message names the field and the range.
     */
    static LongLongTable attach(final MemorySpace space, final long offset, final double maxLoad, final String what)
    {
        final MemoryRegion head = space.attach(offset, TableDescriptor.HEADER_LENGTH);
        final long capacity = head.getLongVolatile(CAPACITY_OFFSET);
        if (!TableDescriptor.isValidCapacity(capacity) || regionLength((int)capacity) > space.maxRegionLength())
        {
            throw new CorruptStoreException(what + ": table capacity out of range: capacity=" + capacity +
                ", allowed: a multiple of " + TableDescriptor.CAPACITY_GRANULE + " from " +
                TableDescriptor.MIN_CAPACITY + " to " + TableDescriptor.maxCapacity(space.maxRegionLength()) +
                ", tableOffset=" + offset + ", in " + space);
        }
        return new LongLongTable(space.attach(offset, regionLength((int)capacity)), (int)capacity, maxLoad);
    }

    /**
     * Find the value word of {@code key}.
     * <p>
     * Validation without a lock: the read of a value word that is not FROZEN happened before any replacement froze
     * that slot, hence while this table was still the segment's table; for a miss, the value word of the empty slot
     * that ends the probe plays that part.
     *
     * @return the value word, {@link SlotDescriptor#ABSENT}, or {@link SlotDescriptor#FROZEN} when the caller must
     * wait for this table to be replaced and retry.
     */
    long get(final long key, final long hash)
    {
        final MemoryRegion region = this.region;
        final int capacity = this.capacity;
        int index = homeIndex(hash, capacity);
        for (int probes = capacity; probes > 0; probes--)
        {
            final int slot = slotOffset(index);
            // acquire: pairs with the claiming CAS of the key word; the value word is read after it
            final long keyWord = region.getLongAcquire(slot + KEY_OFFSET);
            if (key == keyWord)
            {
                return region.getLongAcquire(slot + VALUE_OFFSET);
            }
            if (EMPTY_KEY == keyWord)
            {
                return FROZEN == region.getLongAcquire(slot + VALUE_OFFSET) ? FROZEN : ABSENT;
            }
            index = ++index == capacity ? 0 : index;
        }
        // Full: every slot held another key when read, and claimed key words never change, so the key was not in
        // this table when the operation loaded it as the segment's table: absent, linearized at that load.
        return ABSENT;
    }

    /**
     * Apply a {@link ValueUpdate} to {@code key}, claiming an empty slot first if the operation inserts.
     *
     * @return the previous value word, {@link SlotDescriptor#ABSENT}, or {@link SlotDescriptor#FROZEN} when the
     * table is frozen or too full and the caller must have it replaced and retry.
     */
    long update(final long key, final long hash, final int op, final long word, final long expected)
    {
        final MemoryRegion region = this.region;
        final int capacity = this.capacity;
        int index = homeIndex(hash, capacity);
        for (int probes = capacity; probes > 0; probes--)
        {
            final int slot = slotOffset(index);
            long keyWord = region.getLongAcquire(slot + KEY_OFFSET);
            boolean claimed = false;
            if (EMPTY_KEY == keyWord)
            {
                final long emptyValue = region.getLongAcquire(slot + VALUE_OFFSET);
                if (FROZEN == emptyValue)
                {
                    return FROZEN;
                }
                if (!ValueUpdate.inserts(op))
                {
                    return ABSENT; // validated by the unfrozen value word, as in get
                }
                if (used() >= threshold)
                {
                    return FROZEN;
                }
                keyWord = region.compareAndExchangeLong(slot + KEY_OFFSET, EMPTY_KEY, key);
                if (EMPTY_KEY == keyWord)
                {
                    claimed = true;
                    keyWord = key;
                }
            }
            if (key == keyWord)
            {
                return updateSlot(slot, op, word, expected, claimed);
            }
            index = ++index == capacity ? 0 : index;
        }
        // full and the key absent (as in get): an insert needs a replacement, anything else changes nothing
        return ValueUpdate.inserts(op) ? FROZEN : ABSENT;
    }

    private long updateSlot(final int slot, final int op, final long word, final long expected, final boolean claimed)
    {
        long previous = FROZEN;
        try
        {
            previous = ValueUpdate.apply(region, slot + VALUE_OFFSET, op, word, expected);
            return previous;
        }
        finally
        {
            final long live = FROZEN == previous ? 0 : ValueUpdate.liveDelta(op, previous, expected);
            final long delta = (claimed ? USED_ONE : 0) + live;
            if (0 != delta)
            {
                region.getAndAddLong(COUNTS_OFFSET, delta);
            }
        }
    }

    long counts()
    {
        return region.getLongOpaque(COUNTS_OFFSET);
    }

    int used()
    {
        return TableDescriptor.used(counts());
    }

    int live()
    {
        return TableDescriptor.live(counts());
    }

    /**
     * First pass of a replacement: freeze every value word that holds no value (ABSENT to FROZEN by CAS). Nothing is
     * lost by it: a frozen slot of the current table that the new table does not hold reads as absent, to the
     * operations (which wait for the new table) and to recovery alike. After it no key can claim a slot of this
     * table (every empty slot is frozen), so the slots that hold a value, counted here, bound what the copy can
     * meet. Called with the segment's write lock held.
     *
     * @return the number of slots that held a value when this pass reached them: an upper bound of the entries the
     * copy pass will copy.
     */
    int freezeAbsent()
    {
        int valued = 0;
        for (int index = -1; index < capacity; index++) // -1: the key-0 word in the header
        {
            final int offset = valueOffset(index);
            long word = region.getLongVolatile(offset);
            while (ABSENT == word)
            {
                word = region.compareAndExchangeLong(offset, ABSENT, FROZEN);
                if (ABSENT == word)
                {
                    word = FROZEN;
                }
            }
            if (FROZEN != word)
            {
                valued++;
            }
        }
        return valued;
    }

    /**
     * Undo {@link #freezeAbsent}: the replacement is abandoned before anything was copied, and the table is again
     * exactly as it was (an inserter that claimed a key word and then met the frozen value word retries here and
     * finds its key).
     */
    void thawAbsent()
    {
        for (int index = -1; index < capacity; index++)
        {
            region.compareAndExchangeLong(valueOffset(index), FROZEN, ABSENT);
        }
    }

    /**
     * @return the offset of the value word of slot {@code index}, or of key 0's word in the header for -1.
     */
    static int valueOffset(final int index)
    {
        return index < 0 ? ZERO_KEY_VALUE_OFFSET : slotOffset(index) + VALUE_OFFSET;
    }

    /**
     * @return key 0's value word (acquire): {@link SlotDescriptor#FROZEN} while the table is being replaced.
     */
    long zeroKeyWord()
    {
        return region.getLongAcquire(ZERO_KEY_VALUE_OFFSET);
    }

    /**
     * Second pass of a replacement: for every slot that has a value, write the value into {@code target} first and
     * only then freeze the old slot with a CAS that expects exactly the value copied; if the CAS fails (a writer
     * changed it), copy the new word and try again. So at every instant a frozen slot's last value is in
     * {@code target}, which the directory names as the next table from before this pass: a crash anywhere in it
     * loses nothing (recovery finishes the copy). Allocates nothing and cannot fail: {@code target} has more slots
     * than {@link #freezeAbsent} counted values. Called with the segment's write lock held; {@code target} is private.
     *
     * @param target the new table, or null to discard every value (clear).
     * @param slots  how many slots to process from the first: {@link #capacity} (a smaller number only for tests
     *               that stop a replacement part-way; the counts are then incomplete).
     * @param zeroKey true for segment 0's tables, whose header holds key 0's word; other tables' key-0 words are
     *               frozen but never copied.
     */
    void copyAndFreezeInto(final LongLongTable target, final int slots, final boolean zeroKey)
    {
        copyAndFreezeZeroKey(zeroKey ? target : null);
        int used = 0;
        int live = 0;
        for (int index = 0; index < slots; index++)
        {
            final int offset = slotOffset(index) + VALUE_OFFSET;
            long word = region.getLongVolatile(offset);
            if (FROZEN == word)
            {
                continue; // frozen by the first pass: no value
            }
            // the value CAS that stored the word released the key claimed before it; our volatile read acquired it
            final long key = region.getLongVolatile(slotOffset(index) + KEY_OFFSET);
            int copy = -1;
            while (true)
            {
                if (null != target && EMPTY_KEY != key)
                {
                    if (ABSENT != word)
                    {
                        copy = copy < 0 ? target.claimPrivate(key) : copy;
                        target.region.putLong(slotOffset(copy) + VALUE_OFFSET, word);
                    }
                    else if (copy >= 0)
                    {
                        target.region.putLong(slotOffset(copy) + VALUE_OFFSET, ABSENT);
                    }
                }
                // the copy above is ordered before this CAS (a full fence): it is in memory before the slot is frozen
                final long witness = region.compareAndExchangeLong(offset, word, FROZEN);
                if (witness == word)
                {
                    break;
                }
                word = witness; // only this thread freezes, so the witness is a value or ABSENT
            }
            if (copy >= 0)
            {
                used++;
                live += ABSENT == word ? 0 : 1;
            }
        }
        if (null != target)
        {
            target.region.putLong(COUNTS_OFFSET, ((long)used << 32) | live);
        }
    }

    /**
     * The key-0 word goes first, by the same rule as a slot: copy, then freeze by a CAS that expects the copy.
     */
    private void copyAndFreezeZeroKey(final LongLongTable target)
    {
        long word = region.getLongVolatile(ZERO_KEY_VALUE_OFFSET);
        while (FROZEN != word)
        {
            if (null != target)
            {
                target.region.putLong(ZERO_KEY_VALUE_OFFSET, word);
            }
            final long witness = region.compareAndExchangeLong(ZERO_KEY_VALUE_OFFSET, word, FROZEN);
            word = witness == word ? FROZEN : witness;
        }
    }

    /**
     * Find {@code key} in this private table, or claim the empty slot its probe ends at; plain accesses.
     *
     * @return the slot index.
     * @throws IllegalStateException if the table is full (the caller sized it so that this cannot happen).
     */
    int claimPrivate(final long key)
    {
        final int found = findPrivate(key);
        if (found >= 0)
        {
            return found;
        }
        final int slot = -found - 1;
        if (slot >= capacity)
        {
            throw new IllegalStateException("private table is full: capacity=" + capacity);
        }
        region.putLong(slotOffset(slot) + KEY_OFFSET, key);
        return slot;
    }

    /**
     * Probe a table no other thread writes (private, or attached by recovery) for {@code key}; plain reads, bounded.
     *
     * @return the slot index of the key; else {@code -(index of the empty slot that ends the probe) - 1}, or
     * {@code -capacity - 1} if the table has no empty slot.
     */
    int findPrivate(final long key)
    {
        int index = homeIndex(LongHashing.mix(key), capacity);
        for (int probes = capacity; probes > 0; probes--)
        {
            final long keyWord = region.getLong(slotOffset(index) + KEY_OFFSET);
            if (key == keyWord)
            {
                return index;
            }
            if (EMPTY_KEY == keyWord)
            {
                return -index - 1;
            }
            index = ++index == capacity ? 0 : index;
        }
        return -capacity - 1;
    }

    /**
     * Visit every slot that has a value, reading each value word with acquire.
     *
     * @return false if a frozen slot was met: the visit is incomplete and the table is being replaced.
     */
    boolean forEachLive(final SlotVisitor visitor)
    {
        for (int index = 0; index < capacity; index++)
        {
            final int slot = slotOffset(index);
            final long key = region.getLongAcquire(slot + KEY_OFFSET);
            final long value = region.getLongAcquire(slot + VALUE_OFFSET);
            if (FROZEN == value)
            {
                return false;
            }
            if (EMPTY_KEY != key && ABSENT != value)
            {
                visitor.visit(key, value);
            }
        }
        return true;
    }

    @FunctionalInterface
    interface SlotVisitor
    {
        void visit(long key, long valueWord);
    }
}
