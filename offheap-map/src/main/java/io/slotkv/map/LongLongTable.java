package io.slotkv.map;

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
import static io.slotkv.map.TableDescriptor.regionLength;
import static io.slotkv.map.TableDescriptor.slotOffset;

/**
 * One open-addressing table of long keys and long values with linear probing, in one {@link MemoryRegion}
 * ({@link TableDescriptor layout}). Lock-free: a key word is claimed by CAS, a value word updated by CAS. A table is
 * replaced, never resized in place: {@link #freezeInto} freezes every value word and copies the live slots.
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
     * Attach to a table a previous process left in a store file, checking it before use.
     */
    static LongLongTable attach(final MemoryRegion region, final double maxLoad)
    {
        final long capacity = region.getLongVolatile(CAPACITY_OFFSET);
        if (!TableDescriptor.isValidCapacity(capacity) || regionLength((int)capacity) != region.length())
        {
            throw new CorruptStoreException("table header does not match its region: capacity=" + capacity +
                ", regionLength=" + region.length() + ", regionOffset=" + region.offset());
        }
        return new LongLongTable(region, (int)capacity, maxLoad);
    }

    /**
     * Find the value word of {@code key}.
     * <p>
     * Validation without a lock: the read of a value word that is not FROZEN happened before any resize froze
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
        return FROZEN; // full: only a replacement can settle it
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
        return FROZEN;
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
     * Freeze every value word of this table and copy each live slot into {@code target}, which must be private to
     * the caller (not yet published). Called with the segment's write lock held, so only one freezer runs.
     * <p>
     * After a slot's value word is frozen no CAS on it can succeed, so the word read by the freezing CAS is the
     * slot's final value; its key word, claimed before that value was written, is read after it.
     *
     * @param target the private table to copy into, or null to discard the values (clear).
     * @return the table that holds the copies: {@code target}, or a larger one if {@code target} filled up.
     */
    LongLongTable freezeInto(final LongLongTable target, final MemorySpace space, final double maxLoad)
    {
        LongLongTable to = target;
        int copied = 0;
        for (int index = 0; index < capacity; index++)
        {
            final int slot = slotOffset(index);
            long previous = region.getLongVolatile(slot + VALUE_OFFSET);
            long witness;
            while ((witness = region.compareAndExchangeLong(slot + VALUE_OFFSET, previous, FROZEN)) != previous)
            {
                previous = witness;
            }
            if (ABSENT != previous && FROZEN != previous && null != to)
            {
                final long key = region.getLongVolatile(slot + KEY_OFFSET);
                if (EMPTY_KEY == key)
                {
                    throw new CorruptStoreException("slot has a value but no key: index=" + index +
                        ", regionOffset=" + region.offset());
                }
                if (copied >= to.threshold)
                {
                    to = to.grownCopy(space, maxLoad);
                }
                to.putPrivate(key, previous);
                copied++;
            }
        }
        if (null != to)
        {
            to.region.putLong(COUNTS_OFFSET, ((long)copied << 32) | copied);
        }
        return to;
    }

    /**
     * A private copy of this private table with twice the capacity.
     */
    private LongLongTable grownCopy(final MemorySpace space, final double maxLoad)
    {
        if (capacity >= TableDescriptor.maxCapacity(space.maxRegionLength()))
        {
            throw new IllegalStateException("segment table at maximum capacity: capacity=" + capacity +
                ", maxRegionLength=" + space.maxRegionLength());
        }
        final LongLongTable grown = allocate(space, TableDescriptor.capacity(2L * capacity, Integer.MAX_VALUE), maxLoad);
        for (int index = 0; index < capacity; index++)
        {
            final int slot = slotOffset(index);
            final long key = region.getLong(slot + KEY_OFFSET);
            if (EMPTY_KEY != key)
            {
                grown.putPrivate(key, region.getLong(slot + VALUE_OFFSET));
            }
        }
        return grown;
    }

    /**
     * Plain insert of a key known to be absent, into a table no other thread can see yet.
     */
    private void putPrivate(final long key, final long valueWord)
    {
        int index = homeIndex(io.slotkv.core.hash.LongHashing.mix(key), capacity);
        while (EMPTY_KEY != region.getLong(slotOffset(index) + KEY_OFFSET))
        {
            index = ++index == capacity ? 0 : index;
        }
        final int slot = slotOffset(index);
        region.putLong(slot + KEY_OFFSET, key);
        region.putLong(slot + VALUE_OFFSET, valueWord);
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
