package io.slotkv.stress.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.slotkv.stress.fuzz.ByteStoreLayout.*;
import static io.slotkv.stress.fuzz.Mutator.choose;
import static io.slotkv.stress.fuzz.Mutator.pick;

/**
 * The byte store's mutation families, aimed with {@link ByteStoreLayout}; {@link Mutator} picks the seed and calls
 * {@link #mutate}, and the generic families (bit flips, random bytes and words, truncation, extension, zero-filled
 * files, the header's bit flips and state toggle) are {@link Mutator}'s. Aimed: the directory's header fields and
 * limits word, table offsets and next offsets, table headers (capacity, counts, heap offset), slot words (state bits,
 * frozen bit, fingerprint, generation, position; duplicates within and across segments), entry headers (lengths,
 * generation), checksums, key and value bytes, entries rewritten with a matching checksum (forged), heap roots
 * (kind, segment, newest arena, saved bump and allocated bytes, free-list heads), free-list links, and arena headers
 * (kind, index, length, previous, check, with the check recomputed or not).
 */
final class ByteMutator
{
    static final String[] FAMILIES = {
        "none", "header-bit-flip", "header-field", "directory-field", "directory-bit-flip", "limits", "table-offset",
        "table-header", "slot-word", "duplicate-slot", "entry-header", "entry-checksum", "entry-bytes", "forged-entry",
        "heap-root", "free-list", "arena-header", "state-toggle", "random-bytes", "random-words", "bit-flips",
        "truncate", "extend", "zero-filled", "garbage-block", "combo"};
    private static final int[] WEIGHTS = {
        1, 3, 5, 6, 3, 4, 6, 7, 14, 5, 7, 3, 5, 3, 9, 4, 9, 2, 4, 3, 5, 5, 3, 1, 4, 7};

    private ByteMutator()
    {
    }

    /**
     * @return the family applied to {@code work}.
     */
    static String mutate(final Mutator.Work work, final SplittableRandom random)
    {
        final String family = FAMILIES[pick(random, WEIGHTS)];
        apply(family, work, random);
        return family;
    }

    private static void apply(final String family, final Mutator.Work work, final SplittableRandom random)
    {
        final ByteStoreLayout layout = (ByteStoreLayout)work.fileLayout;
        if (0 == layout.segments && !family.equals("none") && !family.startsWith("header") && !family.equals("combo"))
        {
            generic(family, work, random); // a header without a store: only the generic families apply
            return;
        }
        switch (family)
        {
            case "none":
                work.note("unmutated seed");
                break;
            case "header-bit-flip":
                Mutator.headerBitFlip(work, random);
                break;
            case "header-field":
                headerField(work, random, layout);
                break;
            case "directory-field":
                directoryField(work, random, layout);
                break;
            case "directory-bit-flip":
                for (int i = 0, flips = 1 + random.nextInt(4); i < flips; i++)
                {
                    work.flip(layout.root + random.nextInt(DIRECTORY_HEADER_LENGTH + layout.segments *
                        SEGMENT_ENTRY_LENGTH), random.nextInt(8));
                }
                break;
            case "limits":
                limits(work, random, layout);
                break;
            case "table-offset":
                tableOffset(work, random, layout);
                break;
            case "table-header":
                tableHeader(work, random, layout);
                break;
            case "slot-word":
                slotWord(work, random, layout);
                break;
            case "duplicate-slot":
                duplicateSlot(work, random, layout);
                break;
            case "entry-header":
                entryHeader(work, random, layout);
                break;
            case "entry-checksum":
                entryChecksum(work, random, layout);
                break;
            case "entry-bytes":
                entryBytes(work, random, layout);
                break;
            case "forged-entry":
                forgedEntry(work, random, layout);
                break;
            case "heap-root":
                heapRoot(work, random, layout);
                break;
            case "free-list":
                freeList(work, random, layout);
                break;
            case "arena-header":
                arenaHeader(work, random, layout);
                break;
            case "truncate":
                truncate(work, random, layout);
                break;
            case "garbage-block":
                garbageBlock(work, random, layout);
                break;
            case "combo":
                final int count = 2 + random.nextInt(3);
                work.note("combo of " + count + ": ");
                for (int i = 0; i < count; i++)
                {
                    String part = FAMILIES[pick(random, WEIGHTS)];
                    while (part.equals("combo") || part.equals("none") || part.equals("zero-filled") ||
                        part.equals("truncate"))
                    {
                        part = FAMILIES[pick(random, WEIGHTS)];
                    }
                    work.note("[" + part + "] ");
                    apply(part, work, random);
                }
                break;
            default:
                generic(family, work, random);
                break;
        }
    }

    private static void generic(final String family, final Mutator.Work work, final SplittableRandom random)
    {
        switch (family)
        {
            case "state-toggle":
                Mutator.stateToggle(work);
                break;
            case "random-bytes":
                Mutator.randomBytes(work, random);
                break;
            case "random-words":
                Mutator.randomWords(work, random);
                break;
            case "extend":
                Mutator.extend(work, random);
                break;
            case "zero-filled":
                Mutator.zeroFilled(work, random);
                break;
            case "truncate":
                final int length = work.bytes.length;
                final int size = (int)Math.max(0, Math.min(length - 1, Mutator.pick(random, 0, 1, 64, 127, 128,
                    129, length - 1, random.nextInt(Math.max(1, length)))));
                work.bytes = Arrays.copyOf(work.bytes, size);
                work.note("truncated " + length + " -> " + size + "; ");
                break;
            default:
                Mutator.bitFlips(work, random);
                break;
        }
    }

    /** Offsets a structure of this file holds, and near misses: for offset fields. */
    private static long offsetCandidate(final ByteStoreLayout layout, final SplittableRandom random)
    {
        final List<Long> candidates = new ArrayList<>(List.of(0L, -1L, 1L, 64L, 127L, 128L, layout.root,
            layout.root + 64, layout.end, layout.end - 64, layout.end + 64, (long)layout.length, Long.MAX_VALUE,
            Long.MIN_VALUE, 1L << 40, layout.chunkSize, layout.chunkSize - 64, layout.chunkSize + 128));
        for (final Table table : layout.referenced)
        {
            candidates.addAll(List.of(table.offset, table.offset + 64, table.offset - 64, table.offset + 8));
        }
        for (final Heap heap : layout.heaps)
        {
            candidates.add(heap.root);
            candidates.add(heap.root + 64);
            for (final long[] arena : heap.arenas)
            {
                candidates.add(arena[0]);
                candidates.add(arena[0] + 64);
                candidates.add(arena[0] + arena[1]);
            }
        }
        if (layout.end > 192)
        {
            candidates.add(128 + 64 * random.nextLong((layout.end - 128) / 64));
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private static void headerField(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        switch (random.nextInt(5))
        {
            case 0:
                work.putLong("chunkSize", CHUNK_SIZE_OFFSET, choose(random, 0, 4096, 1 << 16, 1 << 17, 1 << 19,
                    1 << 20, 1 << 21, 1 << 30, layout.chunkSize * 2, layout.chunkSize / 2, layout.chunkSize + 8));
                break;
            case 1:
                work.putLong("end", END_OFFSET, choose(random, 0, 128, layout.end - 8, layout.end - 64, layout.end + 64,
                    layout.length + 1, offsetCandidate(layout, random)));
                break;
            case 2:
                work.putLong("rootOffset", ROOT_OFFSET_OFFSET, choose(random, -1, 0, 128, layout.root + 64,
                    offsetCandidate(layout, random), offsetCandidate(layout, random)));
                break;
            case 3:
                work.putLong("state", STATE_OFFSET, choose(random, 0, 1, 2, -1, Long.MIN_VALUE));
                break;
            default:
                work.putLong("magic", MAGIC_OFFSET, choose(random, 0, ~MAGIC, MAGIC ^ 1, KIND_BYTES));
                break;
        }
    }

    private static void directoryField(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final long dir = layout.root;
        final long minCapacity = Bytes.getLong(work.bytes, dir + MIN_CAPACITY_OFFSET);
        switch (random.nextInt(9))
        {
            case 0:
                work.putLong("directory kind", dir + KIND_OFFSET, choose(random, 0, ~KIND_BYTES,
                    KIND_BYTES ^ (1L << random.nextInt(64)), StoreLayout.KIND_LONG_LONG, HEAP_KIND, ARENA_KIND));
                break;
            case 1:
                work.putLong("segmentCount", dir + SEGMENT_COUNT_OFFSET, choose(random, 0, 1, 2, 3, 4, 8, 16,
                    65536, 65537, layout.segments * 2L, Math.max(1, layout.segments / 2), layout.segments + 1));
                break;
            case 2:
                work.putLong("maxLoadPerMille", dir + MAX_LOAD_OFFSET, choose(random, 0, 99, 100, 101, 500, 750,
                    950, 951, 1000));
                break;
            case 3:
                work.putLong("minCapacity", dir + MIN_CAPACITY_OFFSET, choose(random, 0, 8, 15, 16, 17, 24, 64, 4096,
                    1 << 16, 1 << 20, minCapacity * 2, minCapacity + 8, minCapacity - 8,
                    (layout.chunkSize - 1024) / 8 & ~7L));
                break;
            case 4:
                work.putLong("clean check", dir + CLEAN_CHECK_OFFSET, choose(random, 0, 1, -1,
                    Bytes.getLong(work.bytes, dir + CLEAN_CHECK_OFFSET) ^ (1L << random.nextInt(64))));
                break;
            case 5:
                final boolean check = random.nextBoolean();
                final long offset = dir + (check ? HASH_SEED_CHECK_OFFSET : HASH_SEED_OFFSET);
                final long word = Bytes.getLong(work.bytes, offset);
                work.putLong(check ? "hash seed check" : "hash seed", offset, word ^ (1L << random.nextInt(64)));
                break;
            case 6:
                limits(work, random, layout);
                break;
            default:
                tableOffset(work, random, layout);
                break;
        }
    }

    /** The limits word: below, at and above what the entries need, and out of range. */
    private static void limits(final Mutator.Work work, final SplittableRandom random, final ByteStoreLayout layout)
    {
        final long key = layout.limits >>> 32;
        final long value = layout.limits & 0xFFFF_FFFFL;
        final long[] keys = {0, 1, 3, key - 1, key, key + 1, 65_535, 65_536, 1L << 31};
        final long[] values = {0, 1, 10, value - 1, value, value + 1, layout.chunkSize, 1 << 28, (1L << 28) - 1};
        final long word = random.nextInt(5) == 0 ? choose(random, 0, -1, Long.MIN_VALUE, layout.limits ^ 1) :
            (keys[random.nextInt(keys.length)] << 32) | (values[random.nextInt(values.length)] & 0xFFFF_FFFFL);
        work.putLong("limits (maxKeyLength << 32 | maxValueLength)", layout.root + LIMITS_OFFSET, word);
    }

    private static void tableOffset(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final int segment = random.nextInt(layout.segments);
        final boolean next = random.nextInt(3) == 0;
        final long candidate = random.nextInt(4) == 0 ? layout.current.get(random.nextInt(layout.segments)).offset :
            next && random.nextBoolean() ? layout.current.get(segment).offset : offsetCandidate(layout, random);
        work.putLong("segment " + segment + (next ? " next table offset" : " table offset"),
            layout.entryOffset(segment) + (next ? NEXT_TABLE_OFFSET_OFFSET : TABLE_OFFSET_OFFSET), candidate);
    }

    private static void tableHeader(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Table table = layout.referenced.get(random.nextInt(layout.referenced.size()));
        final int capacity = table.capacity;
        switch (random.nextInt(4))
        {
            case 0:
                work.putLong(table + " capacity", table.offset + CAPACITY_OFFSET, choose(random, 0, 8, 15, 16, 24,
                    capacity - 8, capacity + 8, capacity - 1, capacity + 1, capacity * 2L, capacity / 2 & ~7,
                    1 << 20, -1, Long.MAX_VALUE));
                break;
            case 1:
                final long counts = Bytes.getLong(work.bytes, table.offset + COUNTS_OFFSET);
                final long live = (int)counts;
                final long used = counts >>> 32;
                work.putLong(table + " counts (used<<32|live)", table.offset + COUNTS_OFFSET, choose(random, 0, -1,
                    (used << 32) | (live + 1), (used << 32) | (live - 1 & 0xFFFF_FFFFL), ((used + 1) << 32) | live,
                    ((long)capacity + 1) << 32 | live, (used << 32) | 0xFFFF_FFFFL, (live << 32) | used,
                    ((long)capacity << 32) | capacity, Long.MIN_VALUE));
                break;
            case 2:
                final Heap other = layout.heaps.get(random.nextInt(layout.heaps.size()));
                work.putLong(table + " heap offset", table.offset + HEAP_OFFSET, random.nextBoolean() ?
                    other.root : choose(random, 0, table.heapOffset + 8, table.heapOffset + 64, table.heapOffset - 64,
                    offsetCandidate(layout, random)));
                break;
            default:
                work.putLong(table + " reserved", table.offset + TABLE_RESERVED_OFFSET + 8 * random.nextInt(5),
                    random.nextLong());
                break;
        }
    }

    private static Slot anySlot(final ByteStoreLayout layout, final SplittableRandom random, final boolean live)
    {
        final List<Slot> slots = new ArrayList<>();
        for (final Slot slot : layout.slots)
        {
            if (!live || slot.live())
            {
                slots.add(slot);
            }
        }
        return slots.isEmpty() ? null : slots.get(random.nextInt(slots.size()));
    }

    private static void slotWord(final Mutator.Work work, final SplittableRandom random, final ByteStoreLayout layout)
    {
        final Slot slot = anySlot(layout, random, random.nextInt(4) > 0);
        if (null == slot)
        {
            final Table table = layout.current.get(random.nextInt(layout.segments));
            final int index = random.nextInt(table.capacity);
            work.putLong(table + " empty slot " + index, table.slot(index), choose(random, LIVE, TOMBSTONE,
                FROZEN_BIT, LIVE | 8, random.nextLong()));
            return;
        }
        final long word = slot.word;
        final long position = word & POSITION_MASK;
        final long value;
        final String what;
        switch (random.nextInt(8))
        {
            case 0:
                what = "state";
                value = (word & ~STATE_MASK) | ((long)random.nextInt(4) << 61);
                break;
            case 1:
                what = "frozen bit";
                value = word | FROZEN_BIT;
                break;
            case 2:
                what = "fingerprint";
                value = word ^ (1L << (FINGERPRINT_SHIFT + random.nextInt(9)));
                break;
            case 3:
                what = "generation";
                value = word ^ (random.nextBoolean() ? 1L << (GENERATION_SHIFT + random.nextInt(16)) :
                    (((word >>> GENERATION_SHIFT) + 1 & 0xFFFF) ^ (word >>> GENERATION_SHIFT & 0xFFFF)) <<
                        GENERATION_SHIFT);
                break;
            case 4:
            case 5:
                what = "position";
                final Slot other = anySlot(layout, random, false);
                final long target = choose(random, position + 1, position - 1, position + 2, position ^ 1, 0,
                    POSITION_MASK, position + 8, position - 8, null == other ? 1 : other.word & POSITION_MASK,
                    position & ~((1L << layout.arenaShift) - 1), (position & ~((1L << layout.arenaShift) - 1)) + 7,
                    position + (1L << layout.arenaShift));
                value = (word & ~POSITION_MASK) | (target & POSITION_MASK);
                break;
            case 6:
                what = "word (another slot's)";
                final Slot from = anySlot(layout, random, false);
                value = null == from ? 0 : from.word;
                break;
            default:
                what = "word";
                value = choose(random, 0, LIVE, TOMBSTONE, FROZEN_BIT, word ^ 1, ~word);
                break;
        }
        work.putLong(slot.table + " slot " + slot.index + " " + what, slot.address(), value);
    }

    /** A LIVE word copied into another slot: of the same table (a key twice) or of another segment's. */
    private static void duplicateSlot(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Slot slot = anySlot(layout, random, true);
        if (null == slot)
        {
            slotWord(work, random, layout);
            return;
        }
        final Table target = random.nextBoolean() ? slot.table : layout.current.get(random.nextInt(layout.segments));
        int index = random.nextInt(target.capacity);
        if (random.nextBoolean())
        {
            // the first empty slot after it: a duplicate a lookup can reach
            for (int probes = 0; probes < target.capacity; probes++)
            {
                index = (slot.index + 1 + probes) % target.capacity;
                if (0 == Bytes.getLong(work.bytes, target.slot(index)))
                {
                    break;
                }
            }
        }
        work.note("LIVE word of " + slot.table + " slot " + slot.index + " copied to " + target + " slot " + index +
            ": ");
        work.putLong("slot", target.slot(index), slot.word);
    }

    private static Slot entrySlot(final ByteStoreLayout layout, final SplittableRandom random)
    {
        final List<Slot> slots = new ArrayList<>();
        for (final Slot slot : layout.slots)
        {
            if (slot.entry >= 0)
            {
                slots.add(slot);
            }
        }
        return slots.isEmpty() ? null : slots.get(random.nextInt(slots.size()));
    }

    private static void entryHeader(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Slot slot = entrySlot(layout, random);
        if (null == slot)
        {
            slotWord(work, random, layout);
            return;
        }
        final long header = Bytes.getLong(work.bytes, slot.entry);
        final int key = keyLength(header);
        final int value = valueLength(header);
        final long generation = generation(header);
        final long update;
        switch (random.nextInt(5))
        {
            case 0:
                update = header(generation, (int)Mutator.pick(random, key + 1, Math.max(0, key - 1), 0, 65_535,
                    key ^ 1 << random.nextInt(16)) & 0xFFFF, value);
                break;
            case 1:
                update = header(generation, key, (int)Mutator.pick(random, value + 1, Math.max(0, value - 1), 0,
                    value + 8, value + 4096, (1 << 28) - 1, (int)layout.chunkSize) & ((1 << 28) - 1));
                break;
            case 2:
                update = header((generation + Mutator.pick(random, 1, -1, 1 << 16)) & 0xFFFFF, key, value);
                break;
            case 3:
                update = header((generation + 1) & 0xFFFFF, 0, 0); // as freed
                break;
            default:
                update = header ^ (1L << random.nextInt(64));
                break;
        }
        work.putLong(slot.table + " slot " + slot.index + " entry header", slot.entry, update);
    }

    private static void entryChecksum(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Slot slot = entrySlot(layout, random);
        if (null == slot)
        {
            slotWord(work, random, layout);
            return;
        }
        final long at = slot.entry + ENTRY_CHECKSUM_OFFSET;
        for (int i = 0, flips = 1 + random.nextInt(3); i < flips; i++)
        {
            work.flip(at + random.nextInt(4), random.nextInt(8));
        }
    }

    private static void entryBytes(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Slot slot = entrySlot(layout, random);
        if (null == slot)
        {
            slotWord(work, random, layout);
            return;
        }
        final long header = Bytes.getLong(work.bytes, slot.entry);
        final int length = keyLength(header) + valueLength(header);
        if (0 == length)
        {
            entryChecksum(work, random, layout);
            return;
        }
        final boolean inKey = keyLength(header) > 0 && random.nextBoolean();
        final long from = slot.entry + ENTRY_KEY_OFFSET + (inKey ? 0 : keyLength(header));
        final int span = inKey ? keyLength(header) : valueLength(header);
        for (int i = 0, flips = 1 + random.nextInt(3); i < flips && span > 0; i++)
        {
            work.flip(from + random.nextInt(span), random.nextInt(8));
        }
    }

    /**
     * An entry rewritten with a checksum that matches: its value's bytes, or its lengths (then the block's bytes
     * past the old end are garbage read as value), or its key (then the key may hash to another segment or miss the
     * word's fingerprint). Nothing can tell a forged value from a written one, so the open may return it.
     */
    private static void forgedEntry(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final Slot slot = entrySlot(layout, random);
        if (null == slot)
        {
            slotWord(work, random, layout);
            return;
        }
        work.forged = true;
        final long header = Bytes.getLong(work.bytes, slot.entry);
        int key = keyLength(header);
        int value = valueLength(header);
        final int variant = random.nextInt(3);
        if (0 == variant && value > 0)
        {
            work.flip(slot.entry + ENTRY_KEY_OFFSET + key + random.nextInt(value), random.nextInt(8));
        }
        else if (1 == variant)
        {
            value = (int)Mutator.pick(random, value + 1, value + 7, value + 8, value + 100, value + 5000,
                (int)layout.chunkSize);
            work.putLong("entry header (longer value)", slot.entry, header(generation(header), key, value));
        }
        else if (key > 0)
        {
            work.flip(slot.entry + ENTRY_KEY_OFFSET + random.nextInt(key), random.nextInt(8));
        }
        else
        {
            key = 1;
            value = Math.max(0, value - 1);
            work.putLong("entry header (key 1 byte)", slot.entry, header(generation(header), key, value));
        }
        if (slot.entry + ENTRY_KEY_OFFSET + key + value <= work.bytes.length)
        {
            final int check = checksum(work.bytes, slot.entry, key, value);
            Bytes.putInt(work.bytes, slot.entry + ENTRY_CHECKSUM_OFFSET, check);
            work.note("entry of " + slot.table + " slot " + slot.index + " forged (variant " + variant + "), " +
                "checksum made to match; ");
        }
    }

    private static void heapRoot(final Mutator.Work work, final SplittableRandom random, final ByteStoreLayout layout)
    {
        final Heap heap = layout.heaps.get(random.nextInt(layout.heaps.size()));
        final long root = heap.root;
        final String what = "segment " + heap.segment + " heap root ";
        final long newest = heap.arenas.isEmpty() ? 0 : heap.arenas.get(0)[0];
        switch (random.nextInt(7))
        {
            case 0:
                work.putLong(what + "kind", root, choose(random, 0, HEAP_KIND ^ 1, ARENA_KIND, KIND_BYTES));
                break;
            case 1:
                work.putLong(what + "segment", root + HEAP_SEGMENT_OFFSET, choose(random, heap.segment + 1,
                    heap.segment - 1, -1, 1L << 32, layout.segments));
                break;
            case 2:
                final Heap other = layout.heaps.get(random.nextInt(layout.heaps.size()));
                work.putLong(what + "newest arena", root + NEWEST_ARENA_OFFSET, choose(random, 0,
                    heap.arenas.size() > 1 ? heap.arenas.get(1)[0] : newest + 64,
                    other.arenas.isEmpty() ? 0 : other.arenas.get(0)[0], newest + 64, newest - 64, newest + 8,
                    offsetCandidate(layout, random)));
                break;
            case 3:
                final long bump = Bytes.getLong(work.bytes, root + SAVED_BUMP_OFFSET);
                work.putLong(what + "saved bump", root + SAVED_BUMP_OFFSET, choose(random, 0, bump + 1, bump - 1,
                    bump + 2, bump - 2, bump + 1024, bump - 1024, bump + (1L << layout.arenaShift),
                    bump & ~((1L << layout.arenaShift) - 1), -1));
                break;
            case 4:
                final long allocated = Bytes.getLong(work.bytes, root + SAVED_ALLOCATED_OFFSET);
                work.putLong(what + "saved allocated bytes", root + SAVED_ALLOCATED_OFFSET, choose(random, 0,
                    allocated + 8, allocated - 8, -1, allocated * 2, Long.MAX_VALUE));
                break;
            default:
                final int sizeClass = random.nextInt(4) == 0 ? random.nextInt(SIZE_CLASSES) : busyClass(work, root,
                    random);
                final long head = Bytes.getLong(work.bytes, root + HEADS_OFFSET + 8L * sizeClass);
                final Slot live = anySlot(layout, random, true);
                work.putLong(what + "saved head of class " + sizeClass, root + HEADS_OFFSET + 8L * sizeClass,
                    choose(random, 0, head + 1, head + 2, head - 2, null == live ? 1 : live.word & POSITION_MASK,
                        head ^ (1L << layout.arenaShift), 1L << layout.arenaShift, POSITION_MASK));
                break;
        }
    }

    /** @return a size class whose saved free list is not empty, if any. */
    private static int busyClass(final Mutator.Work work, final long root, final SplittableRandom random)
    {
        final List<Integer> busy = new ArrayList<>();
        for (int c = 0; c < SIZE_CLASSES; c++)
        {
            if (0 != Bytes.getLong(work.bytes, root + HEADS_OFFSET + 8L * c))
            {
                busy.add(c);
            }
        }
        return busy.isEmpty() ? random.nextInt(32) : busy.get(random.nextInt(busy.size()));
    }

    /**
     * The link of a free block on a saved free list (the word after its header): another block, a live entry's
     * block (a block handed out twice), itself (a cycle), outside the heap.
     */
    private static void freeList(final Mutator.Work work, final SplittableRandom random, final ByteStoreLayout layout)
    {
        final Heap heap = layout.heaps.get(random.nextInt(layout.heaps.size()));
        final int sizeClass = busyClass(work, heap.root, random);
        final long head = Bytes.getLong(work.bytes, heap.root + HEADS_OFFSET + 8L * sizeClass);
        final long block = layout.entryOffset(heap.segment, head);
        if (0 == head || block < 0)
        {
            heapRoot(work, random, layout);
            return;
        }
        final Slot live = anySlot(layout, random, true);
        work.putLong("segment " + heap.segment + " free block " + head + " (class " + sizeClass + ") link",
            block + 8, choose(random, head, 0, head + 1, POSITION_MASK, 1L << 35,
                null == live ? head + 2 : live.word & POSITION_MASK, (head & ~((1L << layout.arenaShift) - 1)) + 1));
    }

    private static void arenaHeader(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final List<long[]> arenas = new ArrayList<>();
        final List<Heap> owners = new ArrayList<>();
        for (final Heap heap : layout.heaps)
        {
            for (final long[] arena : heap.arenas)
            {
                arenas.add(arena);
                owners.add(heap);
            }
        }
        if (arenas.isEmpty())
        {
            heapRoot(work, random, layout);
            return;
        }
        final int pick = random.nextInt(arenas.size());
        final long[] arena = arenas.get(pick);
        final long at = arena[0];
        final String what = "segment " + owners.get(pick).segment + " arena " + arena[2] + "@" + at + " ";
        final long index = Bytes.getLong(work.bytes, at + ARENA_INDEX_OFFSET);
        final long length = arena[1];
        final long previous = Bytes.getLong(work.bytes, at + ARENA_PREVIOUS_OFFSET);
        switch (random.nextInt(7))
        {
            case 0:
                work.putLong(what + "kind", at, choose(random, 0, ARENA_KIND ^ 1, HEAP_KIND));
                break;
            case 1:
                work.putLong(what + "index", at + ARENA_INDEX_OFFSET, choose(random, index + 1, index - 1,
                    index + (1L << 32), index & 0xFFFF_FFFFL, index ^ (1L << 32), 0, 1));
                break;
            case 2:
                work.putLong(what + "length", at + ARENA_LENGTH_OFFSET, choose(random, length - 8, length + 8,
                    length - 64, length + 64, length / 2, length * 2, 72, 80, 0, layout.chunkSize,
                    layout.chunkSize + 64));
                break;
            case 3:
                work.putLong(what + "previous", at + ARENA_PREVIOUS_OFFSET, choose(random, 0, previous + 64, at,
                    offsetCandidate(layout, random)));
                break;
            case 4:
                work.putLong(what + "check", at + ARENA_CHECK_OFFSET, Bytes.getLong(work.bytes, at +
                    ARENA_CHECK_OFFSET) ^ (1L << random.nextInt(64)));
                break;
            case 5:
                work.putLong(what + "reserved", at + ARENA_RESERVED_OFFSET + 8 * random.nextInt(3), random.nextLong());
                break;
            default:
                break;
        }
        if (random.nextInt(3) > 0)
        {
            // a damage the check cannot see: the header's own check recomputed, so the deeper checks must
            final long newIndex = Bytes.getLong(work.bytes, at + ARENA_INDEX_OFFSET);
            long newLength = Bytes.getLong(work.bytes, at + ARENA_LENGTH_OFFSET);
            if (newLength == length && newIndex == index)
            {
                newLength = choose(random, length - 8, length - 64, length + 64, length / 2, 80, layout.chunkSize);
                work.putLong(what + "length", at + ARENA_LENGTH_OFFSET, newLength);
            }
            work.putLong(what + "check (recomputed)", at + ARENA_CHECK_OFFSET, arenaCheck(newIndex, newLength,
                Bytes.getLong(work.bytes, at + ARENA_PREVIOUS_OFFSET)));
        }
    }

    private static void truncate(final Mutator.Work work, final SplittableRandom random, final ByteStoreLayout layout)
    {
        final int length = work.bytes.length;
        final Table table = layout.referenced.get(random.nextInt(layout.referenced.size()));
        final Heap heap = layout.heaps.get(random.nextInt(layout.heaps.size()));
        final long arenaEnd = heap.arenas.isEmpty() ? heap.root + 64 : heap.arenas.get(0)[0] + heap.arenas.get(0)[1];
        long size = Mutator.pick(random, 0, 127, 128, 129, layout.root + 8, table.offset + 8,
            table.offset + random.nextLong(table.end() - table.offset), arenaEnd - 1, arenaEnd - 64, heap.root + 8,
            layout.end - 1, layout.end - 8, length - 1, 128 + random.nextInt(Math.max(1, length - 128)));
        size = Math.max(0, Math.min(length - 1, size));
        work.bytes = Arrays.copyOf(work.bytes, (int)size);
        work.note("truncated " + length + " -> " + size + "; ");
    }

    /** A page of a table's slots or of an arena's blocks overwritten with random bytes, zeros or one repeated word. */
    private static void garbageBlock(final Mutator.Work work, final SplittableRandom random,
        final ByteStoreLayout layout)
    {
        final long from;
        final long to;
        final String where;
        final Heap heap = layout.heaps.get(random.nextInt(layout.heaps.size()));
        if (random.nextBoolean() || heap.arenas.isEmpty())
        {
            final Table table = layout.referenced.get(random.nextInt(layout.referenced.size()));
            from = table.offset + TABLE_HEADER_LENGTH;
            to = table.end();
            where = table + " slots";
        }
        else
        {
            final long[] arena = heap.arenas.get(random.nextInt(heap.arenas.size()));
            from = arena[0] + ARENA_HEADER_LENGTH;
            to = arena[0] + arena[1];
            where = "segment " + heap.segment + " arena " + arena[2] + " blocks";
        }
        final long size = Math.min(to - from, Mutator.pick(random, 64, 512, 4096, to - from));
        final long start = from + (random.nextLong(Math.max(1, to - from - size + 1)) & ~7L);
        final int mode = random.nextInt(3);
        final long word = random.nextLong();
        for (long i = start; i < Math.min(start + size, work.bytes.length); i++)
        {
            work.bytes[(int)i] = 0 == mode ? (byte)random.nextInt(256) : 1 == mode ? 0 :
                (byte)(word >>> (8 * ((i - start) & 7)));
        }
        work.note(where + ": bytes [" + start + ", " + (start + size) + ") overwritten with " +
            new String[]{"random bytes", "zeros", "one repeated word"}[mode] + "; ");
    }
}
