package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.UnsafeApi;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.SlotDescriptor.KEY_OFFSET;
import static io.slotkv.map.SlotDescriptor.SLOT_SHIFT;
import static io.slotkv.map.SlotDescriptor.VALUE_OFFSET;
import static io.slotkv.map.SlotDescriptor.isReserved;
import static io.slotkv.map.TableDescriptor.CAPACITY_OFFSET;
import static io.slotkv.map.TableDescriptor.COUNTS_OFFSET;
import static io.slotkv.map.TableDescriptor.HEADER_LENGTH;
import static io.slotkv.map.TableDescriptor.USED_ONE;
import static io.slotkv.map.TableDescriptor.VALUE_KEY_OFFSET;
import static io.slotkv.map.TableDescriptor.ZERO_KEY_VALUE_OFFSET;
import static io.slotkv.map.TableDescriptor.homeIndex;
import static io.slotkv.map.TableDescriptor.regionLength;
import static io.slotkv.map.TableDescriptor.slotOffset;

/**
 * One open-addressing table of long keys and long values with linear probing, in one {@link MemoryRegion}
 * ({@link TableDescriptor layout}). Lock-free: a key word is claimed by CAS, a value word updated by CAS. A table is
 * replaced, never resized in place, in two passes (see {@link Segment}): {@link #freezeAbsent} freezes every slot
 * without a value, {@link #copyAndFreezeInto} copies each value into the new table and only then freezes it.
 * <p>
 * <b>Bounds.</b> The capacity is checked against the region when the table is made (allocated, or attached and
 * checked), every probe is bounded by it, and every index it computes stays in {@code [0, capacity)}; so the hot
 * paths address the slots directly, without a per-access bounds check, and no word read from memory ever
 * addresses memory.
 * <p>
 * <b>Lifetime:</b> see {@link SegmentTable}.
 */
final class LongLongTable extends SegmentTable<LongLongTable>
{
    final int threshold;
    final double maxLoad;

    /** Seed of the key hash: the map's. */
    final long seed;

    /** XORed into every value word of this table ({@link SlotDescriptor}). */
    final long valueKey;

    /** Address of slot 0. */
    private final long slots;

    /** Address of the filter ({@link TableDescriptor}). */
    private final long filter;

    /** Set by a writer whose value cannot be encoded with {@link #valueKey}: the next replacement re-keys. */
    volatile boolean rekeyRequested;

    @Override
    boolean needsRekey()
    {
        return rekeyRequested;
    }

    private LongLongTable(final MemoryRegion region, final int capacity, final double maxLoad, final long seed,
        final long valueKey)
    {
        super(checkLength(region, capacity), capacity);
        this.maxLoad = maxLoad;
        this.threshold = threshold(capacity, maxLoad);
        this.seed = seed;
        this.valueKey = valueKey;
        this.slots = region.address() + HEADER_LENGTH;
        this.filter = region.address() + TableDescriptor.filterOffset(capacity);
    }

    private static MemoryRegion checkLength(final MemoryRegion region, final int capacity)
    {
        if (region.length() < regionLength(capacity))
        {
            throw new IllegalArgumentException("region too short for the table: length=" + region.length() +
                ", capacity=" + capacity);
        }
        return region;
    }

    static int threshold(final int capacity, final double maxLoad)
    {
        return Math.min(capacity - 1, (int)(capacity * maxLoad));
    }

    /**
     * A new empty table. The region is zeroed, which is exactly a table of empty slots.
     */
    static LongLongTable allocate(
        final MemorySpace space, final int capacity, final double maxLoad, final long seed, final long valueKey)
    {
        final MemoryRegion region = space.allocate(regionLength(capacity));
        region.putLong(CAPACITY_OFFSET, capacity);
        region.putLong(VALUE_KEY_OFFSET, valueKey);
        return new LongLongTable(region, capacity, maxLoad, seed, valueKey);
    }

    /**
     * Attach to a table a previous process left in a store file, checking its header before use.
     *
     * @throws CorruptStoreException if the region is not a table: the message names the field and the range.
     */
    static LongLongTable attach(
        final MemorySpace space, final long offset, final double maxLoad, final long seed, final String what)
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
        final long valueKey = head.getLongVolatile(VALUE_KEY_OFFSET);
        return new LongLongTable(space.attach(offset, regionLength((int)capacity)), (int)capacity, maxLoad, seed,
            valueKey);
    }

    long hash(final long key)
    {
        return LongHashing.mix(key, seed);
    }

    long encode(final long value)
    {
        return value ^ valueKey;
    }

    long decode(final long word)
    {
        return word ^ valueKey;
    }

    void requestRekey()
    {
        rekeyRequested = true;
    }

    private long slotAddress(final int index)
    {
        return slots + ((long)index << SLOT_SHIFT);
    }

    /**
     * Find the value word of {@code key}, as a reader: lock-free, no write.
     * <p>
     * A value word that is not FROZEN is the key's current value: nothing writes a slot after a replacement froze
     * it, and until then the slot is where writers change the key. An empty key word ends the probe: the key is
     * absent, even if that slot is frozen (a replacement in progress admits no new key until it is done, so the
     * key was absent when this slot was frozen and still was when it was read).
     *
     * @return the value word, {@link SlotDescriptor#ABSENT}, or {@link SlotDescriptor#FROZEN} when the key's slot
     * is frozen: its word is in {@link #next}.
     */
    long get(final long key, final long hash)
    {
        final int capacity = this.capacity;
        int index = homeIndex(hash, capacity);
        if (!mayHold(hash, index))
        {
            return ABSENT; // never claimed here: as an empty key word, it ends the probe
        }
        for (int probes = capacity; probes > 0; probes--)
        {
            final long slot = slotAddress(index);
            // acquire: pairs with the claiming CAS of the key word; the value word is read after it
            final long keyWord = UnsafeApi.getLongAcquire(null, slot + KEY_OFFSET);
            if (key == keyWord)
            {
                return UnsafeApi.getLongAcquire(null, slot + VALUE_OFFSET);
            }
            if (EMPTY_KEY == keyWord)
            {
                return ABSENT;
            }
            index = ++index == capacity ? 0 : index;
        }
        // Full: every slot held another key when read, and claimed key words never change, so the key was not in
        // this table when the operation loaded it: absent, linearized at that load.
        return ABSENT;
    }

    /**
     * Whether a key of {@code hash} may have claimed a slot of this table ({@link AbsentKeyFilter}).
     */
    boolean mayHold(final long hash, final int home)
    {
        return AbsentKeyFilter.mayHold(filter, hash, home);
    }

    /**
     * Set the filter bits of {@code hash} in a table no other thread writes (a replacement's copy, or recovery's).
     *
     * @return true if a bit was not set before.
     */
    boolean addToFilterPrivate(final long hash)
    {
        return AbsentKeyFilter.addPrivate(filter, hash, homeIndex(hash, capacity));
    }

    /**
     * @return the key word of the home slot of {@code hash}: a load whose only purpose is to bring the slot's cache
     * line in ({@link OffHeapLongLongMap#getAll}); its value means nothing.
     */
    long touch(final long hash)
    {
        return UnsafeApi.getLong(null, slotAddress(homeIndex(hash, capacity)));
    }

    /**
     * Apply a {@link ValueUpdate} to {@code key}, claiming an empty slot first if the operation inserts; key 0's
     * value word is in the header.
     *
     * @param value    the value to store (PUT, PUT_IF_ABSENT, REPLACE, REPLACE_IF_EQUAL) or the delta (ADD).
     * @param expected the value to compare with (REPLACE_IF_EQUAL, REMOVE_IF_EQUAL) or the forbidden sum (ADD).
     * @return the previous value word of this table, {@link SlotDescriptor#ABSENT}, or
     * {@link SlotDescriptor#FROZEN} when the table is frozen, too full, or needs a new value key, and the caller
     * must have it replaced and retry.
     */
    long update(final long key, final long hash, final int op, final long value, final long expected)
    {
        final long word = ValueUpdate.storesWord(op) ? encode(value) : value;
        if (ValueUpdate.storesWord(op) && isReserved(word))
        {
            requestRekey();
            return FROZEN;
        }
        final long expectedWord = ValueUpdate.comparesWord(op) ? encode(expected) : expected;
        if (ValueUpdate.comparesWord(op) && isReserved(expectedWord))
        {
            return ABSENT; // no slot of this table can hold the expected value: the comparison fails
        }
        if (EMPTY_KEY == key)
        {
            return ValueUpdate.apply(this, region.address() + ZERO_KEY_VALUE_OFFSET, op, word, expectedWord);
        }
        final int capacity = this.capacity;
        final int home = homeIndex(hash, capacity);
        int index = home;
        for (int probes = capacity; probes > 0; probes--)
        {
            final long slot = slotAddress(index);
            long keyWord = UnsafeApi.getLongAcquire(null, slot + KEY_OFFSET);
            boolean claimed = false;
            if (EMPTY_KEY == keyWord)
            {
                final long emptyValue = UnsafeApi.getLongAcquire(null, slot + VALUE_OFFSET);
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
                // the bits before the claim (both full fences): a get that finds them unset knows the key unclaimed
                AbsentKeyFilter.add(filter, hash, home);
                keyWord = UnsafeApi.compareAndExchangeLong(null, slot + KEY_OFFSET, EMPTY_KEY, key);
                if (EMPTY_KEY == keyWord)
                {
                    claimed = true;
                    keyWord = key;
                }
                else if (null != counters)
                {
                    counters.increment(StoreCounters.CAS_RETRIES); // another key (or this one) claimed it first
                }
            }
            if (key == keyWord)
            {
                return updateWord(slot + VALUE_OFFSET, op, word, expectedWord, claimed);
            }
            index = ++index == capacity ? 0 : index;
        }
        // full and the key absent (as in get): an insert needs a replacement, anything else changes nothing
        return ValueUpdate.inserts(op) ? FROZEN : ABSENT;
    }

    private long updateWord(final long address, final int op, final long word, final long expected,
        final boolean claimed)
    {
        long previous = FROZEN;
        try
        {
            previous = ValueUpdate.apply(this, address, op, word, expected);
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

    @Override
    int live()
    {
        return TableDescriptor.live(counts());
    }

    /**
     * First pass of a replacement: freeze every value word that holds no value (ABSENT to FROZEN by CAS). Nothing is
     * lost by it: a frozen slot without a value reads as absent, to readers and to recovery alike, and writers wait
     * for the new table. After it no key can claim a slot of this table (every empty slot is frozen), so the slots
     * that hold a value, counted here, bound what the copy can meet. Called with the segment's write lock held.
     *
     * @return the number of slots that held a value when this pass reached them: an upper bound of the entries the
     * copy pass will copy.
     */
    @Override
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
    @Override
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
     * @return key 0's value word (acquire): {@link SlotDescriptor#FROZEN} once a replacement copied it.
     */
    long zeroKeyWord()
    {
        return UnsafeApi.getLongAcquire(null, region.address() + ZERO_KEY_VALUE_OFFSET);
    }

    /**
     * @return the key word of slot {@code index} (acquire), for iteration.
     */
    long keyAt(final int index)
    {
        return UnsafeApi.getLongAcquire(null, slotAddress(index) + KEY_OFFSET);
    }

    /**
     * @return the value word of slot {@code index} (acquire), for iteration.
     */
    long valueAt(final int index)
    {
        return UnsafeApi.getLongAcquire(null, slotAddress(index) + VALUE_OFFSET);
    }

    /**
     * Second pass of a replacement: for every slot that has a value, write the value into {@code target} first and
     * only then freeze the old slot with a CAS that expects exactly the value copied; if the CAS fails (a writer
     * changed it), copy the new word and try again. So at every instant a frozen slot's last value is in
     * {@code target}, which the directory names as the next table from before this pass: a crash anywhere in it
     * loses nothing (recovery finishes the copy). Called with the segment's write lock held; only this thread
     * writes {@code target}, readers may read it (a key's slot there is written before the key's old slot is
     * frozen, and a reader goes there only after seeing that).
     * <p>
     * Allocates nothing and cannot fail: {@code target} has more slots than {@link #freezeAbsent} counted values;
     * a value is re-encoded for the target's value key, and a re-keying replacement picks that key, while no
     * writer can change this table, so that every value here encodes ({@link #chooseValueKey}).
     *
     * @param target the new table, or null to discard every value (clear).
     * @param slots  how many slots to process from the first: {@link #capacity} (a smaller number only for tests
     *               that stop a replacement part-way; the counts are then incomplete).
     * @param zeroKey true for segment 0's tables, whose header holds key 0's word; other tables' key-0 words are
     *               frozen but never copied.
     */
    @Override
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
                        target.region.putLong(slotOffset(copy) + VALUE_OFFSET, target.recode(word, this));
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
     * @return {@code word}, a value word of {@code source}, as a value word of this table.
     * @throws IllegalStateException if the value cannot be encoded here: the value key was chosen wrongly.
     */
    long recode(final long word, final LongLongTable source)
    {
        if (ABSENT == word || source.valueKey == valueKey)
        {
            return word;
        }
        final long recoded = encode(source.decode(word));
        if (isReserved(recoded))
        {
            throw new IllegalStateException("value cannot be encoded with the new table's value key: value=" +
                source.decode(word) + ", valueKey=" + valueKey);
        }
        return recoded;
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
                target.region.putLong(ZERO_KEY_VALUE_OFFSET, target.recode(word, this));
            }
            final long witness = region.compareAndExchangeLong(ZERO_KEY_VALUE_OFFSET, word, FROZEN);
            word = witness == word ? FROZEN : witness;
        }
    }

    /**
     * Pick a value key with which every value of this table can be encoded. Only for a table no writer can change
     * (a replacement's private copy, before it is published).
     *
     * @param candidates random words to try, in order; the first that encodes every value wins.
     * @return the value key.
     */
    long chooseValueKey(final java.util.function.LongSupplier candidates)
    {
        while (true)
        {
            final long candidate = candidates.getAsLong();
            if (encodesAll(candidate))
            {
                return candidate;
            }
        }
    }

    private boolean encodesAll(final long candidate)
    {
        final long zero = region.getLongVolatile(ZERO_KEY_VALUE_OFFSET);
        if (ABSENT != zero && FROZEN != zero && isReserved(decode(zero) ^ candidate))
        {
            return false;
        }
        for (int index = 0; index < capacity; index++)
        {
            final long word = region.getLongVolatile(slotOffset(index) + VALUE_OFFSET);
            if (ABSENT != word && FROZEN != word && isReserved(decode(word) ^ candidate))
            {
                return false;
            }
        }
        return true;
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
        addToFilterPrivate(hash(key)); // before the key word, for readers that follow next here
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
        int index = homeIndex(hash(key), capacity);
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
     * Long-map tables for {@link Segment}: same seed and value key as the table replaced, or a new value key chosen
     * from the map's random words when re-keying.
     */
    static final class Kind implements TableKind<LongLongTable>
    {
        private final ValueKeys valueKeys;

        /**
         * @param valueKeys the map's source of value keys, for re-keying.
         */
        Kind(final ValueKeys valueKeys)
        {
            this.valueKeys = valueKeys;
        }

        @Override
        public LongLongTable allocate(final MemorySpace space, final int capacity, final LongLongTable like)
        {
            return LongLongTable.allocate(space, capacity, like.maxLoad, like.seed, like.valueKey);
        }

        @Override
        public LongLongTable allocateRekeyed(final MemorySpace space, final int capacity, final LongLongTable stable)
        {
            final long valueKey = stable.chooseValueKey(valueKeys::next);
            return LongLongTable.allocate(space, capacity, stable.maxLoad, stable.seed, valueKey);
        }

        @Override
        public int maxCapacity(final int maxRegionLength)
        {
            return TableDescriptor.maxCapacity(maxRegionLength);
        }

        @Override
        public int capacity(final long slots, final int maxCapacity)
        {
            return TableDescriptor.capacity(slots, maxCapacity);
        }

        @Override
        public int threshold(final int capacity, final double maxLoad)
        {
            return LongLongTable.threshold(capacity, maxLoad);
        }
    }
}
