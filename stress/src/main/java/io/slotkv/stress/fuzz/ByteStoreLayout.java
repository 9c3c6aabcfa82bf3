package io.slotkv.stress.fuzz;

import io.slotkv.core.hash.BytesHashing;
import io.slotkv.core.hash.LongHashing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Where the structures of a valid byte-store file lie (docs/spec/byte-store.md), read from its bytes with the
 * layouts of {@code DirectoryDescriptor} (kind {@code BYTESTOR}, the limits word at 56), {@code ByteTableDescriptor}
 * (capacity 0, counts 8, heap offset 16), {@code EntryRef} (one-word slots), {@code EntryDescriptor} (header word,
 * CRC32C, key, value), {@code HeapRootDescriptor} ("ENTRHEAP") and {@code ArenaDescriptor} ("ENTARENA"), copied
 * here as {@link StoreLayout} copies the long map's (those classes are package-private to the map).
 * <p>
 * Regions of a byte: the file header, the directory (with the hash seed pair, the limits word and the clean check
 * apart), table headers (their counts apart), slot words and filters, heap roots (their saved allocator state
 * apart), arena headers, the arenas' blocks (entries and free blocks), reserved words, and bytes nothing references.
 */
final class ByteStoreLayout implements FileLayout
{
    static final long KIND_BYTES = 0x524F_5453_4554_5942L;
    static final int KIND_OFFSET = 0;
    static final int SEGMENT_COUNT_OFFSET = 8;
    static final int MAX_LOAD_OFFSET = 16;
    static final int MIN_CAPACITY_OFFSET = 24;
    static final int CLEAN_CHECK_OFFSET = 32;
    static final int HASH_SEED_OFFSET = 40;
    static final int HASH_SEED_CHECK_OFFSET = 48;
    static final int LIMITS_OFFSET = 56;
    static final int DIRECTORY_HEADER_LENGTH = 64;
    static final int SEGMENT_ENTRY_LENGTH = 16;
    static final int TABLE_OFFSET_OFFSET = 0;
    static final int NEXT_TABLE_OFFSET_OFFSET = 8;

    static final int CAPACITY_OFFSET = 0;
    static final int COUNTS_OFFSET = 8;
    static final int HEAP_OFFSET = 16;
    static final int TABLE_RESERVED_OFFSET = 24;
    static final int TABLE_HEADER_LENGTH = 64;
    static final int SLOT_LENGTH = 8;

    static final long HEAP_KIND = 0x5041_4548_5254_4E45L;
    static final int HEAP_SEGMENT_OFFSET = 8;
    static final int NEWEST_ARENA_OFFSET = 16;
    static final int SAVED_BUMP_OFFSET = 24;
    static final int SAVED_ALLOCATED_OFFSET = 32;
    static final int HEAP_RESERVED_OFFSET = 40;
    static final int HEADS_OFFSET = 64;
    static final int SIZE_CLASSES = 207;
    static final int HEAP_ROOT_LENGTH = (HEADS_OFFSET + SIZE_CLASSES * 8 + 63) & ~63;

    static final long ARENA_KIND = 0x414E_4552_4154_4E45L;
    static final int ARENA_INDEX_OFFSET = 8;
    static final int ARENA_LENGTH_OFFSET = 16;
    static final int ARENA_PREVIOUS_OFFSET = 24;
    static final int ARENA_CHECK_OFFSET = 32;
    static final int ARENA_RESERVED_OFFSET = 40;
    static final int ARENA_HEADER_LENGTH = 64;

    static final int ENTRY_CHECKSUM_OFFSET = 8;
    static final int ENTRY_KEY_OFFSET = 12;

    static final long LIVE = 1L << 61;
    static final long TOMBSTONE = 2L << 61;
    static final long FROZEN_BIT = 1L << 63;
    static final long STATE_MASK = 3L << 61;
    static final int POSITION_BITS = 36;
    static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    static final int GENERATION_SHIFT = 36;
    static final int FINGERPRINT_SHIFT = 52;

    /** Bits of {@link #regionBits}, with those of {@link FileLayout}. */
    static final int DIRECTORY = 2;
    static final int TABLE_HEADER = 4;
    /** Slot words and the filter of a referenced table. */
    static final int SLOT = 8;
    /** The hash seed or its check. */
    static final int SEED = 512;
    /** The directory's limits word. */
    static final int LIMITS = 1024;
    /** Bytes of an arena after its header: entries and free blocks. */
    static final int ENTRY = 2048;
    /** A heap root's kind, segment and newest arena offset. */
    static final int HEAP_ROOT = 4096;
    /** A heap root's saved allocator state (bump, allocated, free-list heads, and its last padding word). */
    static final int SAVED = 8192;
    static final int ARENA_HEADER = 16384;
    /** Words the clean check covers and recovery recomputes: the clean check itself and each table's counts. */
    static final int CHECKS = 32768;

    private static final String[] NAMES = {"header", "directory", "table-header", "slot", "unreferenced", "past-end",
        "truncated", "reserved", "state", "seed", "limits", "entry", "heap-root", "saved-state", "arena-header",
        "checks"};

    final int length;
    final long chunkSize;
    final long end;
    final long root;
    final long state;
    final int segments;
    final long hashSeed;
    final long limits;
    final int arenaShift;
    final List<Table> current = new ArrayList<>();
    final List<Table> next = new ArrayList<>();
    final List<Table> referenced;
    final List<Heap> heaps = new ArrayList<>();
    /** Every LIVE or TOMBSTONE word of a current table, with its entry's file offset (-1 if it names none). */
    final List<Slot> slots = new ArrayList<>();

    /** One table region. */
    static final class Table
    {
        final int segment;
        final boolean isNext;
        final long offset;
        final int capacity;
        final long heapOffset;

        Table(final int segment, final boolean isNext, final long offset, final int capacity, final long heapOffset)
        {
            this.segment = segment;
            this.isNext = isNext;
            this.offset = offset;
            this.capacity = capacity;
            this.heapOffset = heapOffset;
        }

        long end()
        {
            return offset + regionLength(capacity);
        }

        long slot(final int index)
        {
            return offset + TABLE_HEADER_LENGTH + (long)index * SLOT_LENGTH;
        }

        @Override
        public String toString()
        {
            return "segment " + segment + (isNext ? " next" : "") + " table@" + offset + " capacity=" + capacity;
        }
    }

    /** One heap: its root and its arenas, newest first. */
    static final class Heap
    {
        final int segment;
        final long root;
        final List<long[]> arenas = new ArrayList<>(); // {offset, length, index}

        Heap(final int segment, final long root)
        {
            this.segment = segment;
            this.root = root;
        }
    }

    /** A non-empty slot word of a current table and where its entry is. */
    static final class Slot
    {
        final Table table;
        final int index;
        final long word;
        final long entry;

        Slot(final Table table, final int index, final long word, final long entry)
        {
            this.table = table;
            this.index = index;
            this.word = word;
            this.entry = entry;
        }

        long address()
        {
            return table.slot(index);
        }

        boolean live()
        {
            return LIVE == (word & STATE_MASK);
        }
    }

    ByteStoreLayout(final byte[] bytes)
    {
        length = bytes.length;
        chunkSize = Bytes.getLong(bytes, CHUNK_SIZE_OFFSET);
        end = Bytes.getLong(bytes, END_OFFSET);
        root = Bytes.getLong(bytes, ROOT_OFFSET_OFFSET);
        state = Bytes.getLong(bytes, STATE_OFFSET);
        arenaShift = chunkSize > 8 ? Long.numberOfTrailingZeros(Long.highestOneBit(chunkSize)) - 3 : 0;
        final List<Table> tables = new ArrayList<>();
        if (NO_ROOT == root || root < HEADER_LENGTH || root + DIRECTORY_HEADER_LENGTH > length)
        {
            segments = 0;
            hashSeed = 0;
            limits = 0;
        }
        else
        {
            segments = (int)Bytes.getLong(bytes, root + SEGMENT_COUNT_OFFSET);
            hashSeed = Bytes.getLong(bytes, root + HASH_SEED_OFFSET);
            limits = Bytes.getLong(bytes, root + LIMITS_OFFSET);
            for (int i = 0; i < segments; i++)
            {
                final long entry = entryOffset(i);
                final long tableOffset = Bytes.getLong(bytes, entry + TABLE_OFFSET_OFFSET);
                final long nextOffset = Bytes.getLong(bytes, entry + NEXT_TABLE_OFFSET_OFFSET);
                final Table table = table(bytes, i, false, tableOffset);
                current.add(table);
                tables.add(table);
                if (0 != nextOffset && nextOffset != tableOffset)
                {
                    final Table nextTable = table(bytes, i, true, nextOffset);
                    next.add(nextTable);
                    tables.add(nextTable);
                }
                heaps.add(heap(bytes, i, table.heapOffset));
            }
            for (final Table table : current)
            {
                for (int index = 0; index < table.capacity; index++)
                {
                    final long word = Bytes.getLong(bytes, table.slot(index)) & ~FROZEN_BIT;
                    if (0 != word)
                    {
                        slots.add(new Slot(table, index, word, entryOffset(table.segment, word & POSITION_MASK)));
                    }
                }
            }
        }
        referenced = Collections.unmodifiableList(tables);
    }

    private static Table table(final byte[] bytes, final int segment, final boolean isNext, final long offset)
    {
        return new Table(segment, isNext, offset, (int)Bytes.getLong(bytes, offset + CAPACITY_OFFSET),
            Bytes.getLong(bytes, offset + HEAP_OFFSET));
    }

    private static Heap heap(final byte[] bytes, final int segment, final long root)
    {
        final Heap heap = new Heap(segment, root);
        long arena = Bytes.getLong(bytes, root + NEWEST_ARENA_OFFSET);
        while (0 != arena && heap.arenas.size() < 1 << 16)
        {
            heap.arenas.add(new long[]{arena, Bytes.getLong(bytes, arena + ARENA_LENGTH_OFFSET),
                Bytes.getLong(bytes, arena + ARENA_INDEX_OFFSET) & 0xFFFF_FFFFL});
            arena = Bytes.getLong(bytes, arena + ARENA_PREVIOUS_OFFSET);
        }
        return heap;
    }

    long entryOffset(final int segment)
    {
        return root + DIRECTORY_HEADER_LENGTH + (long)segment * SEGMENT_ENTRY_LENGTH;
    }

    /**
     * @return the file offset of the block at {@code position} of the segment's heap, or -1 if no arena holds it.
     */
    long entryOffset(final int segment, final long position)
    {
        final long arenaIndex = position >>> arenaShift;
        final long within = (position & ((1L << arenaShift) - 1)) << 3;
        for (final long[] arena : heaps.get(segment).arenas)
        {
            if (arena[2] == arenaIndex)
            {
                return within >= ARENA_HEADER_LENGTH && within < arena[1] ? arena[0] + within : -1;
            }
        }
        return -1;
    }

    /** @return the position of the block at file offset {@code offset} of the arena {@code arena}. */
    long position(final long[] arena, final long offset)
    {
        return (arena[2] << arenaShift) | ((offset - arena[0]) >>> 3);
    }

    static long regionLength(final long capacity)
    {
        final long filterWords = (capacity + 15) / 16;
        return TABLE_HEADER_LENGTH + capacity * SLOT_LENGTH + (filterWords + 7) / 8 * 64;
    }

    @Override
    public long end()
    {
        return end;
    }

    @Override
    public int regionBits(final long position)
    {
        if (position < HEADER_LENGTH)
        {
            return FileLayout.headerBits(position);
        }
        if (position >= end)
        {
            return PAST_END;
        }
        if (segments > 0 && position >= root && position < root + DIRECTORY_HEADER_LENGTH +
            (long)segments * SEGMENT_ENTRY_LENGTH)
        {
            final long within = position - root;
            if (within >= HASH_SEED_OFFSET && within < HASH_SEED_CHECK_OFFSET + 8)
            {
                return SEED;
            }
            if (within >= LIMITS_OFFSET && within < LIMITS_OFFSET + 8)
            {
                return LIMITS;
            }
            return within >= CLEAN_CHECK_OFFSET && within < CLEAN_CHECK_OFFSET + 8 ? CHECKS : DIRECTORY;
        }
        for (final Table table : referenced)
        {
            if (position >= table.offset && position < table.end())
            {
                final long within = position - table.offset;
                if (within >= TABLE_HEADER_LENGTH)
                {
                    return SLOT;
                }
                if (within >= COUNTS_OFFSET && within < COUNTS_OFFSET + 8)
                {
                    return CHECKS;
                }
                return within < TABLE_RESERVED_OFFSET ? TABLE_HEADER : RESERVED;
            }
        }
        for (final Heap heap : heaps)
        {
            if (position >= heap.root && position < heap.root + HEAP_ROOT_LENGTH)
            {
                final long within = position - heap.root;
                if (within < SAVED_BUMP_OFFSET)
                {
                    return HEAP_ROOT;
                }
                return within >= HEAP_RESERVED_OFFSET && within < HEADS_OFFSET ? RESERVED : SAVED;
            }
            for (final long[] arena : heap.arenas)
            {
                if (position >= arena[0] && position < arena[0] + arena[1])
                {
                    final long within = position - arena[0];
                    if (within >= ARENA_HEADER_LENGTH)
                    {
                        return ENTRY;
                    }
                    return within < ARENA_RESERVED_OFFSET ? ARENA_HEADER : RESERVED;
                }
            }
        }
        return UNREFERENCED;
    }

    @Override
    public String regionNames(final int bits)
    {
        return FileLayout.names(bits, NAMES);
    }

    @Override
    public Mutation.Damage classify(final Seed.Kind kind, final int bits)
    {
        final int harmless = UNREFERENCED | PAST_END;
        final int neutral = harmless | RESERVED | (Seed.Kind.DIRTY == kind ? STATE : 0);
        if (0 == bits)
        {
            return Mutation.Damage.NONE;
        }
        if (STATE == bits)
        {
            return Mutation.Damage.STATE_ONLY;
        }
        if (0 == (bits & ~harmless))
        {
            return Mutation.Damage.HARMLESS;
        }
        if (0 == (bits & ~(harmless | RESERVED)))
        {
            return Mutation.Damage.RESERVED_ONLY;
        }
        final int kept = CHECKS | SAVED | LIMITS;
        if (0 == (bits & ~(neutral | kept)))
        {
            return Mutation.Damage.ENTRIES_KEPT;
        }
        if (0 != (bits & (SLOT | ENTRY)) && 0 == (bits & ~(neutral | SLOT | ENTRY)))
        {
            return Mutation.Damage.SLOT_ONLY;
        }
        return Mutation.Damage.STRUCTURE;
    }

    /** @return the hash of a key as the store of this file computes it. */
    long hash(final byte[] key)
    {
        return BytesHashing.hash(key, BYTE_ARRAY_BASE, key.length, hashSeed);
    }

    /** Where a {@code byte[]}'s elements start, as {@code BytesHashing} addresses them (Unsafe's way). */
    static final long BYTE_ARRAY_BASE = org.agrona.UnsafeApi.arrayBaseOffset(byte[].class);

    static int segmentOf(final long hash, final int segments)
    {
        return (int)(hash >>> 40) & (segments - 1);
    }

    static long fingerprint(final long hash)
    {
        return (hash * 0xC2B2_AE3D_27D4_EB4FL) >>> (64 - 9);
    }

    /** @return a LIVE word with these fields. */
    static long live(final long fingerprint, final long generation, final long position)
    {
        return LIVE | (fingerprint << FINGERPRINT_SHIFT) | ((generation & 0xFFFF) << GENERATION_SHIFT) | position;
    }

    static long header(final long generation, final int keyLength, final int valueLength)
    {
        return (generation << 44) | ((long)keyLength << 28) | valueLength;
    }

    static int keyLength(final long header)
    {
        return (int)(header >>> 28) & 0xFFFF;
    }

    static int valueLength(final long header)
    {
        return (int)header & ((1 << 28) - 1);
    }

    static long generation(final long header)
    {
        return header >>> 44;
    }

    /** {@code EntryDescriptor.LENGTHS_CHECK_KEY}, as the spec gives it. */
    static final long LENGTHS_CHECK_KEY = 0x9E37_79B9_7F4A_7C15L;

    /** @return the checksum word of an entry with these bytes ({@code EntryDescriptor}). */
    static int checksum(final byte[] bytes, final long entry, final int keyLength, final int valueLength)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, (int)entry + ENTRY_KEY_OFFSET, keyLength + valueLength);
        return (int)crc.getValue() ^ (int)LongHashing.mix((((long)keyLength << 32) | valueLength) ^ LENGTHS_CHECK_KEY);
    }

    /** @return the check word of an arena header ({@code ArenaDescriptor.check}). */
    static long arenaCheck(final long index, final long length, final long previous)
    {
        long check = LongHashing.mix(ARENA_KIND ^ index);
        check = LongHashing.mix(check ^ length);
        return LongHashing.mix(check ^ previous);
    }

    /** {@code SizeClasses.blockLength(classOf(length))}: the block an entry of {@code length} bytes takes. */
    static int blockLength(final int length)
    {
        if (length <= 256)
        {
            return Math.max(16, (length + 7) & ~7);
        }
        final int floorLog2 = 31 - Integer.numberOfLeadingZeros(length - 1);
        final int step = 1 << (floorLog2 - 3);
        return (int)(((long)length + step - 1) / step * step);
    }
}
