package io.slotkv.map;

import io.slotkv.core.hash.BytesHashing;
import io.slotkv.core.memory.ByteCopy;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.UnsafeApi;

import java.time.InstantSource;

import static io.slotkv.map.ByteTableDescriptor.CAPACITY_OFFSET;
import static io.slotkv.map.ByteTableDescriptor.COUNTS_OFFSET;
import static io.slotkv.map.ByteTableDescriptor.HEADER_LENGTH;
import static io.slotkv.map.ByteTableDescriptor.SLOT_SHIFT;
import static io.slotkv.map.ByteTableDescriptor.regionLength;
import static io.slotkv.map.EntryDescriptor.KEY_OFFSET;
import static io.slotkv.map.EntryRef.EMPTY;
import static io.slotkv.map.EntryRef.FROZEN_BIT;
import static io.slotkv.map.EntryRef.LIVE;
import static io.slotkv.map.EntryRef.TOMBSTONE;
import static io.slotkv.map.TableDescriptor.LIVE_ONE;
import static io.slotkv.map.TableDescriptor.USED_ONE;
import static io.slotkv.map.TableDescriptor.homeIndex;

/**
 * One open-addressing table of the byte store, linear probing, in one {@link MemoryRegion}
 * ({@link ByteTableDescriptor layout}): a slot is one word ({@link EntryRef}) naming an entry of the segment's
 * {@link EntryHeap}, and a slot belongs to the key in the first entry it named, for the table's life (a removed key's
 * slot keeps naming its last entry as a tombstone). Lock-free: a slot is claimed and changed by CAS of its word.
 * <p>
 * <b>Keys</b> are addressed as {@code Unsafe} does: a base object ({@code byte[]}, or null for off-heap memory) and
 * an offset ({@link BytesHashing}).
 * <p>
 * <b>Reads</b> validate what they read from an entry: the header's generation must match the slot word's before the
 * bytes are used, and again after them (behind a load fence); a mismatch means the block was freed meanwhile, and the
 * read starts again from the slot word. Every position and length read from memory is checked against the heap's
 * arenas before it addresses memory ({@link EntryHeap#address}). A reader ignores the frozen bit: a frozen word names
 * what the slot held when a replacement froze it, and no writer changes it afterwards, so until the replacement is
 * published (which is after every freeze, and so after the reader loaded this table) it is the key's current word.
 * <p>
 * <b>Replacement</b> ({@link Segment}): {@link #freezeAbsent} freezes the EMPTY and TOMBSTONE words; then
 * {@link #copyAndFreezeInto} freezes each LIVE word first and then copies it. That order is crash-safe here, unlike in
 * the long map, because a frozen word keeps its entry: recovery copies a frozen LIVE word that the target lacks. A
 * frozen TOMBSTONE is not copied; its entry is freed once the replacement committed ({@link #releaseDropped}).
 * <p>
 * <b>Compaction</b> ({@link #wantsCompaction}, {@link #copyEntriesInto}): a grow or rebuild of a table whose heap is
 * mostly reclaimable gives the new table a fresh heap of its own and copies the live entries into it; every
 * position a table's word holds is resolved through that table's {@link #heap}, so a reader of the old table reads
 * the old heap (intact until it is released with the table, after {@link #retired} is set) and a reader of the new
 * one the new heap (docs/design.md, "Compaction").
 */
final class ByteTable extends SegmentTable<ByteTable>
{
    /** {@link #get} and the value readers: the key has no value. */
    static final int ABSENT_LENGTH = -1;

    /** The value readers: the entry was freed while it was read; read the slot word again. */
    static final int RETRY = -2;

    /** {@link #copyEntry}: the entry's deadline has passed, so the key has no value. */
    static final long EXPIRED = -5;

    /** {@link #deadline}: the entry has none. */
    static final long NO_DEADLINE = 0;

    /** {@link #deadline}: the entry was freed while it was read; read the slot word again. */
    static final long DEADLINE_RETRY = Long.MIN_VALUE;

    /**
     * {@link #get}: the slot word still names a block that was freed. Legitimate only in a table whose replacement
     * was published (its dropped tombstones are freed then); in the current table it means a damaged store.
     */
    static final int STALE = -4;

    /** {@link #locate}: the slot that decides is frozen: wait for the replacement, then retry. */
    static final int LOCATE_FROZEN = Integer.MIN_VALUE;

    /** {@link #locate}: every slot holds another key; the key is absent and cannot be inserted here. */
    static final int LOCATE_FULL = Integer.MIN_VALUE + 1;

    /** {@link #locate}: an entry was freed while it was compared; start again from the segment's table. */
    static final int LOCATE_RETRY = Integer.MIN_VALUE + 2;

    /** {@link #locate}: as {@link #STALE} for a read. */
    static final int LOCATE_STALE = Integer.MIN_VALUE + 3;

    private static final int NOT_THIS_KEY = -3;
    private static final int MATCH = 1;
    private static final int NO_MATCH = 0;
    private static final int MATCH_RETRY = -1;

    final EntryHeap heap;
    final long seed;

    /** The wall clock deadlines are read against: an entry whose deadline is at or before its time is expired. */
    final InstantSource clock;
    final double maxLoad;
    final int threshold;

    /** Address of slot 0. */
    private final long slots;

    /** Address of the filter. */
    private final long filter;

    private ByteTable(final MemoryRegion region, final int capacity, final double maxLoad, final long seed,
        final InstantSource clock, final EntryHeap heap)
    {
        super(checkLength(region, capacity), capacity);
        this.heap = heap;
        this.seed = seed;
        this.clock = clock;
        this.maxLoad = maxLoad;
        this.threshold = LongLongTable.threshold(capacity, maxLoad);
        this.slots = region.address() + HEADER_LENGTH;
        this.filter = region.address() + ByteTableDescriptor.filterOffset(capacity);
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

    /**
     * A new empty table: a zeroed region is a table of EMPTY slots.
     */
    static ByteTable allocate(final MemorySpace space, final int capacity, final double maxLoad, final long seed,
        final InstantSource clock, final EntryHeap heap)
    {
        final MemoryRegion region = space.allocate(regionLength(capacity));
        region.putLong(CAPACITY_OFFSET, capacity);
        region.putLong(ByteTableDescriptor.HEAP_OFFSET, heap.root().offset());
        return new ByteTable(region, capacity, maxLoad, seed, clock, heap);
    }

    /**
     * @return the capacity in the header of the table at {@code offset}, checked.
     * @throws CorruptStoreException if it is out of range.
     */
    static int capacityAt(final MemorySpace space, final long offset, final String what)
    {
        final MemoryRegion head = space.attach(offset, HEADER_LENGTH);
        final long capacity = head.getLongVolatile(CAPACITY_OFFSET);
        final int max = ByteTableDescriptor.maxCapacity(space.maxRegionLength());
        if (capacity < ByteTableDescriptor.MIN_CAPACITY || capacity > max ||
            0 != capacity % ByteTableDescriptor.CAPACITY_GRANULE)
        {
            throw new CorruptStoreException(what + ": table capacity out of range: capacity=" + capacity +
                ", allowed: a multiple of " + ByteTableDescriptor.CAPACITY_GRANULE + " from " +
                ByteTableDescriptor.MIN_CAPACITY + " to " + max + ", tableOffset=" + offset + ", in " + space);
        }
        return (int)capacity;
    }

    /**
     * @return the region of the table at {@code offset}, its capacity checked, its heap not looked at.
     * @throws CorruptStoreException if its capacity is out of range.
     */
    static MemoryRegion regionAt(final MemorySpace space, final long offset, final String what)
    {
        return space.attach(offset, regionLength(capacityAt(space, offset, what)));
    }

    /**
     * @return the Heap Offset in the header of the table at {@code offset}.
     */
    static long heapOffsetAt(final MemorySpace space, final long offset)
    {
        return space.attach(offset, HEADER_LENGTH).getLongVolatile(ByteTableDescriptor.HEAP_OFFSET);
    }

    /**
     * Attach the table at {@code offset} of a store file, whose heap is {@code heap}; reads only its header.
     *
     * @throws CorruptStoreException if its header is out of range or names another heap.
     */
    static ByteTable attach(final MemorySpace space, final long offset, final double maxLoad, final long seed,
        final InstantSource clock, final EntryHeap heap, final String what)
    {
        final int capacity = capacityAt(space, offset, what);
        final long heapOffset = heapOffsetAt(space, offset);
        if (heapOffset != heap.root().offset())
        {
            throw new CorruptStoreException(what + ": table names another heap: heapOffset=" + heapOffset +
                ", allowed: " + heap.root().offset() + " (the segment's heap), tableOffset=" + offset + ", in " + space);
        }
        return new ByteTable(space.attach(offset, regionLength(capacity)), capacity, maxLoad, seed, clock, heap);
    }

    long hash(final Object keyBase, final long keyOffset, final int keyLength)
    {
        return BytesHashing.hash(keyBase, keyOffset, keyLength, seed);
    }

    private long slotAddress(final int index)
    {
        return slots + ((long)index << SLOT_SHIFT);
    }

    /**
     * @return the word of slot {@code index} (acquire: pairs with the CAS that stored it, which released the entry).
     */
    long word(final int index)
    {
        return UnsafeApi.getLongAcquire(null, slotAddress(index));
    }

    /**
     * @return the word the slot held: {@code expected} if the CAS stored {@code update}.
     */
    long compareAndExchange(final int index, final long expected, final long update)
    {
        return UnsafeApi.compareAndExchangeLong(null, slotAddress(index), expected, update);
    }

    /**
     * Copy the value of {@code key} into {@code [dstBase, dstOffset)}, if it has one and it fits {@code room} bytes;
     * lock-free, writes nothing shared. The caller validates {@link #retired} afterwards.
     *
     * @return the value's length (copied only if it is at most {@code room}), {@link #ABSENT_LENGTH}, or
     * {@link #RETRY} if an entry was freed while it was read (the slot names another one now): the caller starts
     * again from the segment's current table; or {@link #STALE}.
     */
    int get(final Object keyBase, final long keyOffset, final int keyLength, final long hash,
        final Object dstBase, final long dstOffset, final int room)
    {
        final int capacity = this.capacity;
        int index = homeIndex(hash, capacity);
        if (!AbsentKeyFilter.mayHold(filter, hash, index))
        {
            return ABSENT_LENGTH;
        }
        final long fingerprint = EntryRef.fingerprint(hash);
        for (int probes = capacity; probes > 0; probes--)
        {
            final long loaded = word(index);
            final long word = loaded & ~FROZEN_BIT;
            if (EMPTY == word)
            {
                return ABSENT_LENGTH;
            }
            if (EntryRef.hasFingerprint(word, fingerprint))
            {
                final int found = readIfKey(word, keyBase, keyOffset, keyLength, dstBase, dstOffset, room);
                if (RETRY == found)
                {
                    return loaded == word(index) ? STALE : RETRY;
                }
                if (NOT_THIS_KEY != found)
                {
                    return found; // a length or absent
                }
            }
            index = ++index == capacity ? 0 : index;
        }
        return ABSENT_LENGTH;
    }

    /**
     * If the entry {@code word} names holds the key, copy its value (if LIVE and it fits).
     *
     * @return the value length, {@link #ABSENT_LENGTH} for the key's tombstone, {@link #NOT_THIS_KEY}, or
     * {@link #RETRY}.
     */
    private int readIfKey(final long word, final Object keyBase, final long keyOffset, final int keyLength,
        final Object dstBase, final long dstOffset, final int room)
    {
        final long position = EntryRef.position(word);
        final EntryHeap heap = this.heap;
        final long[] arenas = heap.arenas(); // one arena lookup: the header and then the whole entry are checked
        final long extent = heap.room(arenas, position); // against the same arena's end
        if (extent < KEY_OFFSET)
        {
            return NOT_THIS_KEY; // not a block of the heap: a damaged word names no key
        }
        final long address = heap.blockAddress(arenas, position);
        final long header = UnsafeApi.getLongAcquire(null, address);
        if (!EntryRef.sameGeneration(word, EntryDescriptor.generation(header)))
        {
            return RETRY;
        }
        if (EntryDescriptor.keyLength(header) != keyLength)
        {
            return NOT_THIS_KEY; // the header is one word with the generation: its lengths are the entry's
        }
        final int valueLength = EntryDescriptor.valueLength(header);
        if (EntryDescriptor.entryLength(header) > extent) // with the deadline, if the entry has one
        {
            return NOT_THIS_KEY; // the lengths reach past the arena
        }
        final boolean same = equalBytes(address + KEY_OFFSET, keyBase, keyOffset, keyLength);
        final boolean live = LIVE == EntryRef.state(word) && !expired(address, header);
        if (same && live && valueLength <= room)
        {
            ByteCopy.copy(null, address + EntryDescriptor.valueOffset(keyLength), dstBase, dstOffset, valueLength);
        }
        UnsafeApi.loadFence(); // the bytes above were read before the generation is read again
        if (UnsafeApi.getLong(null, address) != header)
        {
            return RETRY;
        }
        if (!same)
        {
            return NOT_THIS_KEY;
        }
        return live ? valueLength : ABSENT_LENGTH;
    }

    /**
     * Find the slot of {@code key}, as a writer: the slot that belongs to it, or the EMPTY slot its probe ends at.
     * Validated like a read; the caller reads the slot's word again and decides by it (the slot's key never
     * changes, whatever its word becomes).
     *
     * @return the key's slot index (its word may be frozen), {@code -(index of the EMPTY slot) - 1},
     * {@link #LOCATE_FROZEN} if the probe ends at a frozen EMPTY slot, {@link #LOCATE_FULL}, or
     * {@link #LOCATE_RETRY} if an entry was freed while it was compared (start again from the segment's table).
     */
    int locate(final Object keyBase, final long keyOffset, final int keyLength, final long hash)
    {
        final int capacity = this.capacity;
        int index = homeIndex(hash, capacity);
        final long fingerprint = EntryRef.fingerprint(hash);
        for (int probes = capacity; probes > 0; probes--)
        {
            final long word = word(index);
            if (EMPTY == word)
            {
                return -index - 1;
            }
            if (FROZEN_BIT == word)
            {
                return LOCATE_FROZEN;
            }
            if (EntryRef.hasFingerprint(word, fingerprint))
            {
                final int match = matches(word & ~FROZEN_BIT, keyBase, keyOffset, keyLength);
                if (MATCH_RETRY == match)
                {
                    return word == word(index) ? LOCATE_STALE : LOCATE_RETRY;
                }
                if (MATCH == match)
                {
                    return index;
                }
            }
            index = ++index == capacity ? 0 : index;
        }
        return LOCATE_FULL;
    }

    private int matches(final long word, final Object keyBase, final long keyOffset, final int keyLength)
    {
        final long position = EntryRef.position(word);
        final long address = heap.address(position, KEY_OFFSET);
        if (0 == address)
        {
            return NO_MATCH;
        }
        final long header = UnsafeApi.getLongAcquire(null, address);
        if (!EntryRef.sameGeneration(word, EntryDescriptor.generation(header)))
        {
            return MATCH_RETRY;
        }
        if (EntryDescriptor.keyLength(header) != keyLength || 0 == heap.address(position, EntryDescriptor.entryLength(header)))
        {
            return NO_MATCH;
        }
        final boolean same = equalBytes(address + KEY_OFFSET, keyBase, keyOffset, keyLength);
        UnsafeApi.loadFence();
        if (UnsafeApi.getLong(null, address) != header)
        {
            return MATCH_RETRY;
        }
        return same ? MATCH : NO_MATCH;
    }

    /**
     * Compare the value of the entry {@code word} names with the given bytes, validated.
     *
     * @return 1 if equal, 0 if not, {@link #RETRY} if the entry was freed meanwhile.
     */
    int valueEquals(final long word, final Object base, final long offset, final int length)
    {
        final long address = headerAddress(word);
        final long header = 0 == address ? 0 : UnsafeApi.getLongAcquire(null, address);
        if (0 == address || !validHeader(word, header))
        {
            return RETRY;
        }
        final int keyLength = EntryDescriptor.keyLength(header);
        final boolean same = EntryDescriptor.valueLength(header) == length &&
            equalBytes(address + EntryDescriptor.valueOffset(keyLength), base, offset, length);
        return unchanged(address, header) ? (same ? 1 : 0) : RETRY;
    }

    /**
     * Copy the key and then the value of the entry {@code word} names to {@code [dstBase, dstOffset)}, back to back,
     * if both fit {@code room} bytes; validated.
     *
     * @return the key and value lengths ({@link #lengths}) (copied only if their sum is at most {@code room}),
     * {@link #EXPIRED} if the entry's deadline has passed (nothing copied), or {@link #RETRY} if the entry was freed
     * meanwhile.
     */
    long copyEntry(final long word, final Object dstBase, final long dstOffset, final int room)
    {
        final long address = headerAddress(word);
        final long header = 0 == address ? 0 : UnsafeApi.getLongAcquire(null, address);
        if (0 == address || !validHeader(word, header))
        {
            return RETRY;
        }
        final int keyLength = EntryDescriptor.keyLength(header);
        final int valueLength = EntryDescriptor.valueLength(header);
        final boolean expired = expired(address, header);
        if (!expired && (long)keyLength + valueLength <= room)
        {
            ByteCopy.copy(null, address + KEY_OFFSET, dstBase, dstOffset, keyLength + valueLength);
        }
        if (!unchanged(address, header))
        {
            return RETRY;
        }
        return expired ? EXPIRED : lengths(keyLength, valueLength);
    }

    /**
     * @return the deadline of the entry {@code word} names ({@link #NO_DEADLINE} if it has none), validated, or
     * {@link #DEADLINE_RETRY} if the entry was freed meanwhile.
     */
    long deadline(final long word)
    {
        final long address = headerAddress(word);
        final long header = 0 == address ? 0 : UnsafeApi.getLongAcquire(null, address);
        if (0 == address || !validHeader(word, header))
        {
            return DEADLINE_RETRY;
        }
        final long deadline = EntryDescriptor.expires(header) ?
            UnsafeApi.getLongUnaligned(null, address + EntryDescriptor.deadlineOffset(header)) : NO_DEADLINE;
        return unchanged(address, header) ? deadline : DEADLINE_RETRY;
    }

    /**
     * Build, privately in this table's heap, a copy of the entry {@code word} names (LIVE) with the key and value it
     * has and {@code deadline} ({@link #NO_DEADLINE} for none): the write of an expire or persist. The source is
     * read as a validated read reads it: a copy of an entry freed meanwhile is freed again and not returned.
     *
     * @return the copy's LIVE word, or 0 if the entry was freed meanwhile (read the slot word again).
     * @throws CorruptStoreException if the heap hands out a block outside its arenas (a damaged free list).
     */
    long copyWithDeadline(final long word, final long deadline)
    {
        final long from = headerAddress(word);
        final long header = 0 == from ? 0 : UnsafeApi.getLongAcquire(null, from);
        if (0 == from || !validHeader(word, header))
        {
            return 0;
        }
        final int keyLength = EntryDescriptor.keyLength(header);
        final int valueLength = EntryDescriptor.valueLength(header);
        final boolean expires = NO_DEADLINE != deadline;
        final long length = EntryDescriptor.entryLength(keyLength, valueLength, expires);
        final long position = heap.allocate((int)length);
        final long to = heap.allocatedAddress(position, length);
        final long generation = EntryDescriptor.generation(UnsafeApi.getLong(null, to));
        ByteCopy.copy(null, from + KEY_OFFSET, null, to + KEY_OFFSET, keyLength + valueLength);
        if (!unchanged(from, header))
        {
            heap.free(position, (int)length); // never published, and its header still says free
            return 0;
        }
        heap.seal(position, to, EntryDescriptor.header(generation, keyLength, valueLength, expires), deadline);
        return EntryRef.live(EntryRef.fingerprintOf(word), generation, position, expires);
    }

    /**
     * The expiry sweep of slots {@code [from, to)}: each LIVE word with a deadline whose entry's deadline (read
     * validated) is at or before {@code now} becomes a TOMBSTONE by a CAS expecting exactly that word, as a remove
     * does. So the sweep never removes a key whose current entry it did not see expire: a write that replaced the
     * entry meanwhile changed the word, and the CAS fails. Frozen words are left to the replacement. Lock-free.
     *
     * @return the words with a deadline seen (high 32 bits) and the keys expired (low 32 bits).
     */
    long sweep(final int from, final int to, final long now)
    {
        int seen = 0;
        int expired = 0;
        for (int index = from; index < to; index++)
        {
            final long word = word(index);
            if (!EntryRef.isLive(word) || !EntryRef.expires(word))
            {
                continue;
            }
            seen++;
            final long deadline = deadline(word);
            if (DEADLINE_RETRY == deadline || deadline > now)
            {
                continue; // changed meanwhile: the next sweep looks at the slot again
            }
            // linearization point of the expiry: this CAS, on the word whose entry was seen expired
            if (word == compareAndExchange(index, word, EntryRef.tombstone(word)))
            {
                countLive(-1); // the tombstone keeps the entry until the next replacement, as a remove's does
                expired++;
            }
        }
        return ((long)seen << 32) | expired;
    }

    /**
     * @return whether the entry at {@code address} (its extent checked, its {@code header} loaded) has a deadline
     * that is not after the clock's time; unvalidated: the caller validates the header afterwards.
     */
    private boolean expired(final long address, final long header)
    {
        return EntryDescriptor.expires(header) &&
            UnsafeApi.getLongUnaligned(null, address + EntryDescriptor.deadlineOffset(header)) <= clock.millis();
    }

    /**
     * Read the first word of the entry a slot word names: plain, unvalidated, only if it lies inside the heap. A
     * walk calls it for a run of slots before it copies their entries one by one, so their cache misses overlap
     * instead of coming one after the other; the value means nothing.
     *
     * @return the entry's first word, or 0 if the word names none.
     */
    long touchEntry(final long loaded)
    {
        final long word = loaded & ~FROZEN_BIT;
        if (EMPTY == word)
        {
            return 0;
        }
        final long address = headerAddress(word);
        return 0 == address ? 0 : UnsafeApi.getLong(null, address);
    }

    /**
     * @return the low 32 bits of the hash of the key in the entry {@code word} names, validated; -1 if the entry was
     * freed meanwhile.
     */
    long lowKeyHash(final long word)
    {
        final long address = headerAddress(word);
        final long header = 0 == address ? 0 : UnsafeApi.getLongAcquire(null, address);
        if (0 == address || !validHeader(word, header))
        {
            return -1;
        }
        final long hash = BytesHashing.hash(null, address + KEY_OFFSET, EntryDescriptor.keyLength(header), seed);
        return unchanged(address, header) ? hash & 0xFFFF_FFFFL : -1;
    }

    /**
     * @return a key length and a value length in one non-negative long, as {@link #copyEntry} returns them.
     */
    static long lengths(final int keyLength, final int valueLength)
    {
        return ((long)keyLength << 32) | valueLength;
    }

    static int keyLengthOf(final long lengths)
    {
        return (int)(lengths >>> 32);
    }

    static int valueLengthOf(final long lengths)
    {
        return (int)lengths;
    }

    /**
     * @return the address of the header of the entry {@code word} names, 0 if its position is not in the heap.
     */
    private long headerAddress(final long word)
    {
        return heap.address(EntryRef.position(word), KEY_OFFSET);
    }

    /**
     * @return whether {@code header}, loaded (acquire) from the entry {@code word} names, carries the word's
     * generation and describes an entry that lies inside the heap: the first check of a validated read.
     */
    private boolean validHeader(final long word, final long header)
    {
        return EntryRef.sameGeneration(word, EntryDescriptor.generation(header)) &&
            0 != heap.address(EntryRef.position(word), EntryDescriptor.entryLength(header));
    }

    /**
     * @return whether the entry's header is still {@code header} after the bytes read before this call: the last
     * check of a validated read (a freed block has a new generation).
     */
    private static boolean unchanged(final long address, final long header)
    {
        UnsafeApi.loadFence(); // the bytes were read before the header is read again
        return UnsafeApi.getLong(null, address) == header;
    }

    /**
     * Make the filter admit {@code hash}, whose key a writer found in this table: its bits are set before the key's
     * slot is claimed, so only a damaged filter word (a trusted clean file) lacks them; then they are set again and
     * the store is marked as having met damage. Costs one load of the filter word when they are there.
     */
    void healFilter(final long hash)
    {
        final int home = homeIndex(hash, capacity);
        if (!AbsentKeyFilter.mayHold(filter, hash, home))
        {
            AbsentKeyFilter.add(filter, hash, home);
            heap.damaged = true;
        }
    }

    /**
     * Claim the EMPTY slot {@code index} for {@code update} (a LIVE word): the filter bits first, then the CAS.
     *
     * @return true if claimed; false if another word got there first (locate again).
     */
    boolean claim(final int index, final long hash, final long update)
    {
        AbsentKeyFilter.add(filter, hash, homeIndex(hash, capacity));
        if (EMPTY == compareAndExchange(index, EMPTY, update))
        {
            region.getAndAddLong(COUNTS_OFFSET, USED_ONE + LIVE_ONE);
            return true;
        }
        return false;
    }

    /**
     * Count a LIVE word gained (+1) or lost (-1) by a CAS of a writer.
     */
    void countLive(final int delta)
    {
        region.getAndAddLong(COUNTS_OFFSET, delta);
    }

    long counts()
    {
        return region.getLongOpaque(COUNTS_OFFSET);
    }

    /**
     * @return whether a rebuild would free entries: some slot is a tombstone (its entry is freed by the next
     * replacement).
     */
    boolean holdsDropped()
    {
        return used() > live();
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

    @Override
    int freezeAbsent()
    {
        int valued = 0;
        for (int index = 0; index < capacity; index++)
        {
            final long address = slotAddress(index);
            long word = UnsafeApi.getLongVolatile(null, address);
            while (!EntryRef.isFrozen(word) && !EntryRef.isLive(word))
            {
                final long witness = UnsafeApi.compareAndExchangeLong(null, address, word, word | FROZEN_BIT);
                word = witness == word ? word | FROZEN_BIT : witness;
            }
            if (EntryRef.isLive(word))
            {
                valued++;
            }
        }
        return valued;
    }

    /**
     * Clear the frozen bit of every word, LIVE ones too (a compaction froze them in {@link #copyEntriesInto}): a
     * frozen word keeps its entry, so the thawed word is exactly the one frozen, and a writer that saw it frozen
     * waits for the lock and then finds it again.
     */
    @Override
    void thawAbsent()
    {
        for (int index = 0; index < capacity; index++)
        {
            final long address = slotAddress(index);
            final long word = UnsafeApi.getLongVolatile(null, address);
            if (EntryRef.isFrozen(word))
            {
                UnsafeApi.compareAndExchangeLong(null, address, word, word & ~FROZEN_BIT);
            }
        }
    }

    /**
     * Freeze every LIVE word, then (if there is a target) copy it: the frozen word keeps naming the entry, so at
     * every instant the value is reachable from this table, and no writer can change it once it is frozen. For a
     * compacting target, {@link #copyEntriesInto} already froze and copied every slot: this only counts.
     */
    @Override
    void copyAndFreezeInto(final ByteTable target, final int slotCount, final boolean first)
    {
        final boolean copied = null != target && target.heap != heap;
        final long now = null == target ? 0 : clock.millis();
        int live = 0;
        for (int index = 0; index < slotCount; index++)
        {
            final long address = slotAddress(index);
            long word = UnsafeApi.getLongVolatile(null, address);
            while (!EntryRef.isFrozen(word))
            {
                final long witness = UnsafeApi.compareAndExchangeLong(null, address, word, word | FROZEN_BIT);
                word = witness == word ? word | FROZEN_BIT : witness;
            }
            if (null != target && !copied)
            {
                word = dropIfExpired(address, word, now);
            }
            final long unfrozen = word & ~FROZEN_BIT;
            if (null != target && LIVE == EntryRef.state(unfrozen))
            {
                if (!copied)
                {
                    target.claimPrivate(unfrozen, keyHashOf(unfrozen));
                }
                live++;
            }
        }
        if (null != target)
        {
            target.region.putLong(COUNTS_OFFSET, ((long)live << 32) | live);
        }
    }

    /**
     * The compaction of a replacement into {@code target}, whose heap is fresh and private: freeze every LIVE word
     * (after pass 1 froze the others, the whole table is frozen, so no writer changes it any more and the set of
     * entries to move is fixed), reserve one arena for all of their blocks, then copy each entry into a block of
     * its exact size class in the target's heap and put a word naming it (the block's own generation) into the
     * target. The entries in this table's heap stay as they are: a reader of this table still reads them, until the
     * heap is released with this table. Tombstones are not copied (the target never knew the key).
     *
     * @throws io.slotkv.core.memory.DiskFullException if the arena cannot be allocated (the caller thaws).
     */
    @Override
    void copyEntriesInto(final ByteTable target)
    {
        if (target.heap == heap)
        {
            return;
        }
        long bytes = 0;
        final long now = clock.millis();
        for (int index = 0; index < capacity; index++)
        {
            final long address = slotAddress(index);
            long word = UnsafeApi.getLongVolatile(null, address);
            while (!EntryRef.isFrozen(word))
            {
                final long witness = UnsafeApi.compareAndExchangeLong(null, address, word, word | FROZEN_BIT);
                word = witness == word ? word | FROZEN_BIT : witness;
            }
            word = dropIfExpired(address, word, now);
            if (LIVE == EntryRef.state(word & ~FROZEN_BIT))
            {
                bytes += SizeClasses.blockLength(SizeClasses.classOf(stableEntryLength(word & ~FROZEN_BIT)));
            }
        }
        target.heap.reserve(bytes);
        for (int index = 0; index < capacity; index++)
        {
            final long word = UnsafeApi.getLong(null, slotAddress(index)) & ~FROZEN_BIT; // frozen: stable
            if (LIVE == EntryRef.state(word))
            {
                final long hash = keyHashOf(word);
                target.claimPrivate(moveEntry(word, EntryRef.fingerprint(hash), target.heap), hash);
            }
        }
        target.heap.limit(heap.limit()); // from now on its new arenas count against the store's limit
    }

    /**
     * The reclamation a replacement does on the way: a frozen LIVE word whose entry's deadline is at or before
     * {@code now} becomes a frozen TOMBSTONE naming the same entry, so the replacement drops it and frees its entry
     * after the commit ({@link #releaseDropped}), as it does for a removed key. The slot is frozen, so no writer or
     * sweeper changes it (their CASes expect an unfrozen word), and the replacing thread holds the segment's lock;
     * a reader of this table sees the key absent, which it is. A crash at any point leaves either word in this table,
     * and recovery drops both (an expired entry is absent; a TOMBSTONE is dropped).
     *
     * @return the word now in the slot (frozen).
     */
    private long dropIfExpired(final long slot, final long frozen, final long now)
    {
        final long word = frozen & ~FROZEN_BIT;
        if (LIVE != EntryRef.state(word) || !EntryRef.expires(word))
        {
            return frozen;
        }
        final long entry = heap.address(EntryRef.position(word), stableEntryLength(word)); // checked extent
        final long header = UnsafeApi.getLong(null, entry);
        if (!EntryDescriptor.expires(header) ||
            UnsafeApi.getLongUnaligned(null, entry + EntryDescriptor.deadlineOffset(header)) > now)
        {
            return frozen;
        }
        final long dropped = EntryRef.tombstone(word) | FROZEN_BIT;
        UnsafeApi.putLongVolatile(null, slot, dropped);
        countLive(-1);
        final StoreCounters counters = this.counters;
        if (null != counters)
        {
            counters.increment(StoreCounters.EXPIRED);
        }
        return dropped;
    }

    /**
     * @return the length of the entry a stable word names, checked against its block.
     * @throws CorruptStoreException if the word names no entry of its generation (a damaged trusted file).
     */
    private int stableEntryLength(final long word)
    {
        final long position = EntryRef.position(word);
        final long header = UnsafeApi.getLong(null, checkedAddress(position, KEY_OFFSET));
        final long length = EntryDescriptor.entryLength(header);
        if (!EntryRef.sameGeneration(word, EntryDescriptor.generation(header)) || length > heap.maxBlockLength())
        {
            heap.damaged = true;
            throw new CorruptStoreException("slot names no entry of its generation: word=0x" + Long.toHexString(word) +
                ", header=0x" + Long.toHexString(header) + ", in " + region);
        }
        checkedAddress(position, length);
        return (int)length;
    }

    /**
     * Copy the entry a stable word names into a new block of {@code into} (private: plain stores, published with the
     * new table): the checksum, key and value bytes as they are, the header with the new block's generation.
     *
     * @return the LIVE word naming the copy.
     */
    private long moveEntry(final long word, final long fingerprint, final EntryHeap into)
    {
        final int length = stableEntryLength(word);
        final long from = heap.address(EntryRef.position(word), length);
        final long header = UnsafeApi.getLong(null, from);
        final long position = into.allocate(length);
        final long to = into.address(position, length);
        final long generation = EntryDescriptor.generation(UnsafeApi.getLong(null, to));
        UnsafeApi.copyMemory(null, from + EntryDescriptor.CHECKSUM_OFFSET, null, to + EntryDescriptor.CHECKSUM_OFFSET,
            length - EntryDescriptor.CHECKSUM_OFFSET);
        UnsafeApi.putLong(null, to, EntryDescriptor.withGeneration(header, generation));
        return EntryRef.live(fingerprint, generation, position, EntryDescriptor.expires(header));
    }

    /**
     * @return the hash of the key in the entry a frozen (so stable) word names.
     */
    private long keyHashOf(final long word)
    {
        final long position = EntryRef.position(word);
        final long header = UnsafeApi.getLong(null, checkedAddress(position, KEY_OFFSET));
        final int keyLength = EntryDescriptor.keyLength(header);
        final long address = checkedAddress(position, EntryDescriptor.entryLength(keyLength, 0));
        return BytesHashing.hash(null, address + KEY_OFFSET, keyLength, seed);
    }

    /**
     * @return the address of a block that a stable word names; a word naming nothing is a damaged table.
     */
    private long checkedAddress(final long position, final long length)
    {
        final long address = heap.address(position, length);
        if (0 == address)
        {
            throw new CorruptStoreException("slot names no block of the heap: position=" + position + ", length=" +
                length + ", in " + region);
        }
        return address;
    }

    /**
     * Put {@code word} in the first EMPTY slot of its probe in this private table (plain stores: no other thread
     * reads it before it is published).
     */
    private void claimPrivate(final long word, final long hash)
    {
        int index = homeIndex(hash, capacity);
        for (int probes = capacity; probes > 0; probes--)
        {
            final long address = slotAddress(index);
            if (EMPTY == UnsafeApi.getLong(null, address))
            {
                AbsentKeyFilter.addPrivate(filter, hash, homeIndex(hash, capacity));
                UnsafeApi.putLong(null, address, word);
                return;
            }
            index = ++index == capacity ? 0 : index;
        }
        throw new IllegalStateException("private table is full: capacity=" + capacity);
    }

    // ---------------------------------------------------------------- recovery (private tables, one thread)

    /**
     * @return the word of slot {@code index} with the frozen bit cleared, read plainly: recovery owns the file.
     */
    long wordAt(final int index)
    {
        return UnsafeApi.getLong(null, slotAddress(index)) & ~FROZEN_BIT;
    }

    /**
     * Check the entry a LIVE word names as recovery must before trusting it: the block lies past an arena's header
     * and inside it, the generation matches the word's, the lengths fit the block, the checksum matches (if the
     * heap keeps them), and the key's hash gives this table's segment and the word's fingerprint.
     *
     * @return the entry's block length, or a negative {@link EntryCheck} code saying what failed.
     */
    int checkEntry(final long word, final int segment, final int segmentMask)
    {
        final long position = EntryRef.position(word);
        if (!heap.isBlockStart(position))
        {
            return EntryCheck.OUTSIDE_HEAP;
        }
        final long address = heap.address(position, KEY_OFFSET);
        final long header = UnsafeApi.getLong(null, address);
        if (!EntryRef.sameGeneration(word, EntryDescriptor.generation(header)))
        {
            return EntryCheck.GENERATION;
        }
        final int keyLength = EntryDescriptor.keyLength(header);
        final long entryLength = EntryDescriptor.entryLength(header);
        if (entryLength > heap.maxBlockLength() || EntryRef.expires(word) != EntryDescriptor.expires(header))
        {
            return EntryCheck.LENGTHS;
        }
        final int blockLength = SizeClasses.blockLength(SizeClasses.classOf((int)entryLength));
        if (0 == heap.address(position, blockLength))
        {
            return EntryCheck.LENGTHS;
        }
        if (heap.checksummed() && UnsafeApi.getInt(null, address + EntryDescriptor.CHECKSUM_OFFSET) !=
            (heap.checksum(position, KEY_OFFSET, EntryDescriptor.checkedLength(header)) ^
                EntryDescriptor.lengthsCheck(header)))
        {
            return EntryCheck.CHECKSUM;
        }
        final long hash = BytesHashing.hash(null, address + KEY_OFFSET, keyLength, seed);
        if (DirectoryDescriptor.segmentOf(hash, segmentMask) != segment)
        {
            return EntryCheck.WRONG_SEGMENT;
        }
        if (!EntryRef.hasFingerprint(word, EntryRef.fingerprint(hash)))
        {
            return EntryCheck.FINGERPRINT;
        }
        return blockLength;
    }

    /**
     * @return the block length of the entry a checked word names (its size class's).
     */
    int blockLengthOf(final long word)
    {
        final long header = UnsafeApi.getLong(null, heap.address(EntryRef.position(word), KEY_OFFSET));
        return SizeClasses.blockLength(SizeClasses.classOf((int)EntryDescriptor.entryLength(header)));
    }

    /**
     * @return the key, value and deadline bytes of the entry a checked word names, as the heap counts them
     * ({@link EntryHeap#payloadBytes}).
     */
    long payloadOf(final long word)
    {
        final long header = UnsafeApi.getLong(null, heap.address(EntryRef.position(word), KEY_OFFSET));
        return EntryDescriptor.checkedLength(header);
    }

    /**
     * Put the checked LIVE {@code word} into this private table unless a slot already names an entry of its key.
     *
     * @return false for a duplicate key (the table is unchanged).
     */
    boolean claimPrivateUnique(final long word)
    {
        final long position = EntryRef.position(word);
        final long address = heap.address(position, KEY_OFFSET);
        final int keyLength = EntryDescriptor.keyLength(UnsafeApi.getLong(null, address));
        final long keyAddress = address + KEY_OFFSET;
        final long hash = BytesHashing.hash(null, keyAddress, keyLength, seed);
        int index = homeIndex(hash, capacity);
        for (int probes = capacity; probes > 0; probes--)
        {
            final long slot = slotAddress(index);
            final long held = UnsafeApi.getLong(null, slot);
            if (EMPTY == held)
            {
                AbsentKeyFilter.addPrivate(filter, hash, homeIndex(hash, capacity));
                UnsafeApi.putLong(null, slot, word);
                return true;
            }
            if (EntryRef.hasFingerprint(held, EntryRef.fingerprint(hash)))
            {
                final long other = heap.address(EntryRef.position(held), KEY_OFFSET);
                if (EntryDescriptor.keyLength(UnsafeApi.getLong(null, other)) == keyLength &&
                    equalBytes(other + KEY_OFFSET, null, keyAddress, keyLength))
                {
                    return false;
                }
            }
            index = ++index == capacity ? 0 : index;
        }
        throw new IllegalStateException("private table is full: capacity=" + capacity);
    }

    /**
     * @return the word of slot {@code index} as stored, frozen bit included, read plainly: a check owns the file.
     */
    long storedWordAt(final int index)
    {
        return UnsafeApi.getLong(null, slotAddress(index));
    }

    /**
     * Check, reading only, that a lookup of the key of {@code word} (LIVE or TOMBSTONE, in slot {@code index}, and
     * passed by {@link #checkEntry}) finds this slot: the filter admits the key, and the probe from the key's home
     * reaches {@code index} with no EMPTY slot before it and no other slot naming the same key (a key has one slot:
     * its tombstone is revived by the next put). Slots before it whose entry is not addressable are not compared
     * (their own check fails them).
     *
     * @param maxProbes the longest probe to follow; a longer one is {@link EntryCheck#UNVERIFIABLE}.
     * @return the slots probed before {@code index}, or a negative {@link EntryCheck} code.
     */
    int checkLookup(final long word, final int index, final int maxProbes)
    {
        final long address = heap.address(EntryRef.position(word), KEY_OFFSET);
        final int keyLength = EntryDescriptor.keyLength(UnsafeApi.getLong(null, address));
        final long keyAddress = address + KEY_OFFSET;
        final long hash = BytesHashing.hash(null, keyAddress, keyLength, seed);
        final int home = homeIndex(hash, capacity);
        if (!AbsentKeyFilter.mayHold(filter, hash, home))
        {
            return EntryCheck.FILTER;
        }
        final int probes = index >= home ? index - home : index - home + capacity;
        if (probes > maxProbes)
        {
            return EntryCheck.UNVERIFIABLE;
        }
        final long fingerprint = EntryRef.fingerprint(hash);
        for (int i = home; i != index; i = i + 1 == capacity ? 0 : i + 1)
        {
            final long held = wordAt(i);
            if (EMPTY == held)
            {
                return EntryCheck.UNREACHABLE;
            }
            if (EntryRef.hasFingerprint(held, fingerprint))
            {
                final long other = heap.address(EntryRef.position(held), KEY_OFFSET);
                if (0 != other && EntryDescriptor.keyLength(UnsafeApi.getLong(null, other)) == keyLength &&
                    0 != heap.address(EntryRef.position(held), EntryDescriptor.entryLength(keyLength, 0)) &&
                    equalBytes(other + KEY_OFFSET, null, keyAddress, keyLength))
                {
                    return EntryCheck.DUPLICATE;
                }
            }
        }
        return probes;
    }

    /**
     * Set this private table's counts to {@code live} LIVE slots, all of them used.
     */
    void countPrivate(final int live)
    {
        region.putLong(COUNTS_OFFSET, ((long)live << 32) | live);
    }

    /**
     * What {@link #checkEntry} found wrong with an entry; each is a negative code.
     */
    static final class EntryCheck
    {
        static final int OUTSIDE_HEAP = -1;
        static final int GENERATION = -2;
        static final int LENGTHS = -3;
        static final int CHECKSUM = -4;
        static final int WRONG_SEGMENT = -5;
        static final int FINGERPRINT = -6;
        /** {@link #checkLookup}: an EMPTY slot lies between the key's home and its slot. */
        static final int UNREACHABLE = -7;
        /** {@link #checkLookup}: an earlier slot of the probe holds the same key. */
        static final int DUPLICATE = -8;
        /** {@link #checkLookup}: the filter does not admit the key, so a lookup stops before the probe. */
        static final int FILTER = -9;
        /** {@link #checkLookup}: the slot is further from its home than the check may probe. */
        static final int UNVERIFIABLE = -10;

        private EntryCheck()
        {
        }
    }

    /**
     * After a replacement committed: free the entries it did not carry over (tombstones; with no copy, every
     * entry). Only the replacing thread runs it, under the segment's write lock; no slot of the new table names
     * these entries, and a late reader of this table sees their new generation and starts again.
     *
     * @param copied whether the replacement copied the LIVE entries.
     */
    @Override
    void releaseDropped(final boolean copied)
    {
        final ByteTable successor = next;
        if (null != successor && successor.heap != heap)
        {
            return; // compacted: nothing is freed into this heap, the whole heap is released with this table
        }
        for (int index = 0; index < capacity; index++)
        {
            final long word = UnsafeApi.getLongVolatile(null, slotAddress(index)) & ~FROZEN_BIT;
            final long state = EntryRef.state(word);
            if (TOMBSTONE == state || (!copied && LIVE == state))
            {
                free(word);
            }
        }
    }

    /**
     * @return whether this table's next grow or rebuild should move its entries into a fresh heap: whether the
     * heap is fragmented enough ({@link EntryHeap#wantsCompaction}), counting the entries of tombstones, which
     * the replacement drops anyway.
     */
    @Override
    boolean wantsCompaction()
    {
        return heap.wantsCompaction(live(), used());
    }

    @Override
    boolean sharesEntriesWith(final ByteTable other)
    {
        return other.heap == heap;
    }

    @Override
    MemoryRegion[] entryRegions()
    {
        return heap.regions();
    }

    /**
     * Free the entry {@code word} names (no slot may name it any more).
     */
    void free(final long word)
    {
        final long position = EntryRef.position(word);
        final long address = heap.isBlockStart(position) ? heap.address(position, KEY_OFFSET) : 0;
        final long header = 0 == address ? 0 : UnsafeApi.getLong(null, address);
        final int length = (int)EntryDescriptor.entryLength(header);
        if (0 == address || !EntryRef.sameGeneration(word, EntryDescriptor.generation(header)) ||
            length > heap.maxBlockLength() || 0 == heap.address(position, length))
        {
            heap.damaged = true; // a damaged word of a trusted clean file names no entry of its own: leak, not free
            return;
        }
        heap.free(position, length);
    }

    /**
     * @return whether {@code length} bytes at {@code address} equal those at {@code (base, offset)}.
     */
    static boolean equalBytes(final long address, final Object base, final long offset, final int length)
    {
        if (length >= 8)
        {
            // words, the last one ending at the last byte (it may overlap the one before): no byte loop
            final int last = length - 8;
            for (int i = 0; i < last; i += 8)
            {
                if (UnsafeApi.getLong(null, address + i) != UnsafeApi.getLong(base, offset + i))
                {
                    return false;
                }
            }
            return UnsafeApi.getLong(null, address + last) == UnsafeApi.getLong(base, offset + last);
        }
        for (int i = 0; i < length; i++)
        {
            if (UnsafeApi.getByte(null, address + i) != UnsafeApi.getByte(base, offset + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Byte-store tables for {@link Segment}: same seed, load and heap as the table replaced. Values are not
     * encoded, so nothing ever asks for re-keying.
     */
    static final class Kind implements TableKind<ByteTable>
    {
        @Override
        public ByteTable allocate(final MemorySpace space, final int capacity, final ByteTable like)
        {
            if (capacity > like.capacity)
            {
                // growth counts against the memory limit; a rebuild, a clear or close's fence, of the same size or
                // smaller, does not: it gives the old table back once it is done
                like.heap.limit().check(regionLength(capacity), "a new table of " + capacity +
                    " slots for segment " + like.heap.segment());
            }
            return ByteTable.allocate(space, capacity, like.maxLoad, like.seed, like.clock, like.heap);
        }

        /**
         * A table with a new, empty heap of the same segment: a compacting replacement fills it
         * ({@link ByteTable#copyEntriesInto}).
         */
        @Override
        public ByteTable allocateCompacting(final MemorySpace space, final int capacity, final ByteTable like)
        {
            if (capacity > like.capacity)
            {
                like.heap.limit().check(regionLength(capacity), "a new table of " + capacity +
                    " slots for segment " + like.heap.segment());
            }
            // the fresh heap is not limited until the copy is in it (copyEntriesInto): a compaction gives memory back
            final EntryHeap heap = EntryHeap.create(space, like.heap.segment(), like.heap.checksummed());
            try
            {
                return ByteTable.allocate(space, capacity, like.maxLoad, like.seed, like.clock, heap);
            }
            catch (final RuntimeException | Error ex)
            {
                space.release(heap.root()); // nothing names it yet
                throw ex;
            }
        }

        @Override
        public ByteTable allocateRekeyed(final MemorySpace space, final int capacity, final ByteTable stable)
        {
            throw new UnsupportedOperationException("byte-store tables are never re-keyed");
        }

        @Override
        public int maxCapacity(final int maxRegionLength)
        {
            return ByteTableDescriptor.maxCapacity(maxRegionLength);
        }

        @Override
        public int capacity(final long slots, final int maxCapacity)
        {
            return ByteTableDescriptor.capacity(slots, maxCapacity);
        }

        @Override
        public int threshold(final int capacity, final double maxLoad)
        {
            return LongLongTable.threshold(capacity, maxLoad);
        }
    }
}
