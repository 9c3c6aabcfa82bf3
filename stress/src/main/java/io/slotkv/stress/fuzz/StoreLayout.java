package io.slotkv.stress.fuzz;

import io.slotkv.core.hash.LongHashing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where the structures of a valid store file lie, read from its bytes with the layouts of
 * {@code FileHeaderDescriptor}, {@code DirectoryDescriptor}, {@code TableDescriptor} and {@code SlotDescriptor}
 * (copied here: those classes are package-private to the map). The fuzzer aims its mutations with it and classifies
 * what a mutation damaged: the header, the directory, the hash seed and its check, the missing value, a table
 * header, a table's value key, slots of a table the directory references, or bytes nothing reads (tables replaced
 * earlier, free space, space past the end), with reserved words and the header state word apart.
 * <p>
 * Follows store format version {@value #FORMAT_VERSION}: the directory header holds the hash seed (40), its
 * complement (48) and the missing value (56); a table header holds capacity (0), counts (8), key 0's value word (16,
 * segment 0's tables) and the table's value key (24), the rest reserved; after the slots comes the table's absent-key
 * filter (new in format 4: a word per 16 home slots, padded to 64 bytes; its bytes count as slot bytes); a key's hash
 * is {@code LongHashing.mix(key, hashSeed)}; a value {@code v} is stored as {@code v ^ valueKey} of its table, raw 0
 * and 1 being ABSENT and FROZEN.
 */
final class StoreLayout implements FileLayout
{
    static final int FORMAT_VERSION = 4;

    static final int KIND_OFFSET = 0;
    static final int SEGMENT_COUNT_OFFSET = 8;
    static final int MAX_LOAD_OFFSET = 16;
    static final int MIN_CAPACITY_OFFSET = 24;
    /** Written by a clean close: a check of the segment entries and the table headers they name. */
    static final int CLEAN_CHECK_OFFSET = 32;
    /** The key hash's seed; refused at open unless the next word is its complement. */
    static final int HASH_SEED_OFFSET = 40;
    static final int HASH_SEED_CHECK_OFFSET = 48;
    /** What {@code get} returns for an absent key; the primitive API refuses to store it. */
    static final int MISSING_VALUE_OFFSET = 56;
    static final int DIRECTORY_HEADER_LENGTH = 64;
    static final int SEGMENT_ENTRY_LENGTH = 16;
    static final int TABLE_OFFSET_OFFSET = 0;
    static final int NEXT_TABLE_OFFSET_OFFSET = 8;
    static final long KIND_LONG_LONG = 0x474E_4F4C_474E_4F4CL;

    static final int CAPACITY_OFFSET = 0;
    static final int COUNTS_OFFSET = 8;
    /** Key 0's value word, in segment 0's tables (always ABSENT in the others'). */
    static final int ZERO_KEY_VALUE_OFFSET = 16;
    /** XORed into every value word of the table (and key 0's). */
    static final int VALUE_KEY_OFFSET = 24;
    /** Table header words from here to 64 are reserved. */
    static final int TABLE_RESERVED_OFFSET = 32;
    static final int TABLE_HEADER_LENGTH = 64;
    static final int SLOT_LENGTH = 16;
    static final int KEY_OFFSET = 0;
    static final int VALUE_OFFSET = 8;
    static final int MIN_CAPACITY = 16;

    static final long ABSENT = 0;
    static final long FROZEN = 1;

    /** What a byte of the file belongs to; bits of {@link #regionBits}, with those of {@link FileLayout}. */
    static final int DIRECTORY = 2;
    static final int TABLE_HEADER = 4;
    static final int SLOT = 8;
    /** The hash seed or its check. */
    static final int SEED = 512;
    /** The directory's missing value. */
    static final int MISSING_VALUE = 1024;
    /** A referenced table's value key. */
    static final int VALUE_KEY = 2048;

    final int length;
    final long chunkSize;
    final long end;
    final long root;
    final long state;
    final int segments;
    final long hashSeed;
    final long hashSeedCheck;
    final long missingValue;
    final int directoryLength;
    final Table[] current;
    final Table[] next;
    final List<Table> referenced;
    final long[] orphans;

    /**
     * One table region.
     */
    static final class Table
    {
        final int segment;
        final boolean isNext;
        final long offset;
        final int capacity;
        final long valueKey;
        final int[] occupied;

        Table(final int segment, final boolean isNext, final long offset, final int capacity, final long valueKey,
            final int[] occupied)
        {
            this.segment = segment;
            this.isNext = isNext;
            this.offset = offset;
            this.capacity = capacity;
            this.valueKey = valueKey;
            this.occupied = occupied;
        }

        /** @return the value a word of this table holds (not ABSENT or FROZEN). */
        long decode(final long word)
        {
            return word ^ valueKey;
        }

        long end()
        {
            return offset + regionLength(capacity);
        }

        int slot(final int index)
        {
            return (int)(offset + TABLE_HEADER_LENGTH + (long)index * SLOT_LENGTH);
        }

        @Override
        public String toString()
        {
            return "segment " + segment + (isNext ? " next" : "") + " table@" + offset + " capacity=" + capacity;
        }
    }

    StoreLayout(final byte[] bytes)
    {
        length = bytes.length;
        chunkSize = Bytes.getLong(bytes, CHUNK_SIZE_OFFSET);
        end = Bytes.getLong(bytes, END_OFFSET);
        root = Bytes.getLong(bytes, ROOT_OFFSET_OFFSET);
        state = Bytes.getLong(bytes, STATE_OFFSET);
        final List<Table> tables = new ArrayList<>();
        if (NO_ROOT == root || root < HEADER_LENGTH || root + DIRECTORY_HEADER_LENGTH > length)
        {
            segments = 0;
            hashSeed = 0;
            hashSeedCheck = 0;
            missingValue = 0;
            directoryLength = 0;
            current = new Table[0];
            next = new Table[0];
        }
        else
        {
            segments = (int)Bytes.getLong(bytes, (int)root + SEGMENT_COUNT_OFFSET);
            hashSeed = Bytes.getLong(bytes, (int)root + HASH_SEED_OFFSET);
            hashSeedCheck = Bytes.getLong(bytes, (int)root + HASH_SEED_CHECK_OFFSET);
            missingValue = Bytes.getLong(bytes, (int)root + MISSING_VALUE_OFFSET);
            directoryLength = DIRECTORY_HEADER_LENGTH + segments * SEGMENT_ENTRY_LENGTH;
            current = new Table[segments];
            next = new Table[segments];
            for (int i = 0; i < segments; i++)
            {
                final int entry = entryOffset(i);
                final long tableOffset = Bytes.getLong(bytes, entry + TABLE_OFFSET_OFFSET);
                final long nextOffset = Bytes.getLong(bytes, entry + NEXT_TABLE_OFFSET_OFFSET);
                current[i] = table(bytes, i, false, tableOffset);
                tables.add(current[i]);
                if (0 != nextOffset && nextOffset != tableOffset)
                {
                    next[i] = table(bytes, i, true, nextOffset);
                    tables.add(next[i]);
                }
            }
        }
        referenced = Collections.unmodifiableList(tables);
        orphans = findOrphans(bytes);
    }

    int entryOffset(final int segment)
    {
        return (int)root + DIRECTORY_HEADER_LENGTH + segment * SEGMENT_ENTRY_LENGTH;
    }

    private static Table table(final byte[] bytes, final int segment, final boolean isNext, final long offset)
    {
        final int capacity = (int)Bytes.getLong(bytes, (int)offset + CAPACITY_OFFSET);
        final long valueKey = Bytes.getLong(bytes, (int)offset + VALUE_KEY_OFFSET);
        final List<Integer> occupied = new ArrayList<>();
        for (int index = 0; index < capacity; index++)
        {
            final int slot = (int)(offset + TABLE_HEADER_LENGTH + (long)index * SLOT_LENGTH);
            if (0 != Bytes.getLong(bytes, slot + KEY_OFFSET))
            {
                occupied.add(index);
            }
        }
        final int[] indexes = new int[occupied.size()];
        for (int i = 0; i < indexes.length; i++)
        {
            indexes[i] = occupied.get(i);
        }
        return new Table(segment, isNext, offset, capacity, valueKey, indexes);
    }

    /**
     * @return 64-byte aligned offsets outside every referenced region that look like a table header (a capacity,
     * reserved words 32 to 63 zero): tables a replacement retired and whose space was not reused yet (or slot bytes
     * that happen to look like one).
     */
    private long[] findOrphans(final byte[] bytes)
    {
        final List<Long> found = new ArrayList<>();
        final long limit = Math.min(end, length);
        long offset = HEADER_LENGTH;
        while (offset + TABLE_HEADER_LENGTH <= limit)
        {
            final int bits = regionBits(offset);
            if (0 == (bits & UNREFERENCED))
            {
                offset += 64;
                continue;
            }
            final long capacity = Bytes.getLong(bytes, (int)offset);
            final long regionEnd = offset + regionLength(capacity);
            if (capacity >= MIN_CAPACITY && capacity % 4 == 0 && capacity < (1 << 26) && regionEnd <= limit &&
                offset / chunkSize == (regionEnd - 1) / chunkSize && reservedZero(bytes, (int)offset) &&
                !overlapsReferenced(offset, regionEnd))
            {
                found.add(offset);
                offset = (regionEnd + 63) & -64L;
            }
            else
            {
                offset += 64;
            }
        }
        final long[] result = new long[found.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = found.get(i);
        }
        return result;
    }

    /**
     * @return the bytes of a table of {@code capacity} slots: header, slots, and the filter (a word per 16 slots,
     * whole cache lines).
     */
    static long regionLength(final long capacity)
    {
        final long filterWords = (capacity + 15) / 16;
        return TABLE_HEADER_LENGTH + capacity * SLOT_LENGTH + (filterWords + 7) / 8 * 64;
    }

    private static boolean reservedZero(final byte[] bytes, final int offset)
    {
        for (int i = TABLE_RESERVED_OFFSET; i < TABLE_HEADER_LENGTH; i += 8)
        {
            if (0 != Bytes.getLong(bytes, offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private boolean overlapsReferenced(final long from, final long to)
    {
        if (segments > 0 && from < root + directoryLength && root < to)
        {
            return true;
        }
        for (final Table table : referenced)
        {
            if (from < table.end() && table.offset < to)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the region bit of the byte at {@code position}.
     */
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
        if (segments > 0 && position >= root && position < root + directoryLength)
        {
            final long within = position - root;
            if (within >= HASH_SEED_OFFSET && within < HASH_SEED_CHECK_OFFSET + 8)
            {
                return SEED;
            }
            return within >= MISSING_VALUE_OFFSET && within < MISSING_VALUE_OFFSET + 8 ? MISSING_VALUE : DIRECTORY;
        }
        for (final Table table : referenced)
        {
            if (position >= table.offset && position < table.end())
            {
                final long within = position - table.offset;
                if (within >= TABLE_HEADER_LENGTH ||
                    (within >= ZERO_KEY_VALUE_OFFSET && within < ZERO_KEY_VALUE_OFFSET + 8))
                {
                    return SLOT; // key 0's value word is data, like a slot's value word; so is the filter
                }
                if (within >= VALUE_KEY_OFFSET && within < VALUE_KEY_OFFSET + 8)
                {
                    return VALUE_KEY;
                }
                return within < ZERO_KEY_VALUE_OFFSET ? TABLE_HEADER : RESERVED;
            }
        }
        return UNREFERENCED;
    }

    @Override
    public long end()
    {
        return end;
    }

    @Override
    public String regionNames(final int bits)
    {
        return names(bits);
    }

    static String names(final int bits)
    {
        return FileLayout.names(bits, new String[]{"header", "directory", "table-header", "slot", "unreferenced",
            "past-end", "truncated", "reserved", "state", "seed", "missing-value", "value-key"});
    }

    @Override
    public Mutation.Damage classify(final Seed.Kind kind, final int bits)
    {
        final int harmless = UNREFERENCED | PAST_END;
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
        if (0 == (bits & ~(harmless | RESERVED | MISSING_VALUE)))
        {
            return Mutation.Damage.MISSING_VALUE_ONLY;
        }
        final int keyNeutral = harmless | RESERVED | MISSING_VALUE | (Seed.Kind.DIRTY == kind ? STATE : 0);
        if (0 != (bits & VALUE_KEY) && 0 == (bits & ~(keyNeutral | VALUE_KEY)))
        {
            return Mutation.Damage.VALUE_KEY_ONLY;
        }
        final int neutral = harmless | RESERVED | (Seed.Kind.DIRTY == kind ? STATE : 0);
        if (0 != (bits & SLOT) && 0 == (bits & ~(neutral | SLOT)))
        {
            return Mutation.Damage.SLOT_ONLY;
        }
        return Mutation.Damage.STRUCTURE;
    }

    /** @return the hash of {@code key} as the map of this file computes it: {@code LongHashing.mix(key, seed)}. */
    long hash(final long key)
    {
        return LongHashing.mix(key, hashSeed);
    }

    /** The slot index a key's probe starts at: {@code TableDescriptor.homeIndex}. */
    static int homeIndex(final long hash, final int capacity)
    {
        return (int)(((hash & 0xFFFF_FFFFL) * capacity) >>> 32);
    }

    /** The segment of a key's hash: {@code OffHeapLongLongMap}'s segment choice. */
    static int segmentOf(final long hash, final int segments)
    {
        return (int)(hash >>> 40) & (segments - 1);
    }

    static long counts(final int used, final int live)
    {
        return ((long)used << 32) + live;
    }

    static int live(final long counts)
    {
        return (int)counts;
    }

    static int used(final long counts)
    {
        return (int)((counts - live(counts)) >>> 32);
    }
}
