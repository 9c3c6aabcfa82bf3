package io.slotkv.stress.fuzz;

import io.slotkv.core.hash.LongHashing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.slotkv.stress.fuzz.StoreLayout.*;

/**
 * Makes mutated store files from seeds: {@link #mutate(long, long)} is a pure function of the master seed and the
 * index, so any file of a run can be made again (by the parent, for evidence, or by {@link Replay}).
 * <p>
 * Families aim at every structure of the format: bit flips and field values (extremes, and values that are
 * plausible: offsets of other tables, of retired tables, overlapping ones) in the header, the directory and table
 * headers; slot words (the special words 0 and 1, duplicates of other keys, keys of other segments, keys outside
 * their probe chain); truncation, extension, zero-filled files; and combinations. Format 3's words have families of
 * their own: the hash seed or its check (each alone: the pair no longer complements), the missing value (extremes,
 * a value an entry holds) and a table's value key (a flipped bit, another table's key, the sign-flip key of format 2,
 * and a key with which an interrupted replacement cannot re-encode one of the values it still has to copy).
 */
final class Mutator
{
    static final String NONE = "none";
    static final String HEADER_BIT_FLIP = "header-bit-flip";
    static final String HEADER_FIELD = "header-field";
    static final String DIRECTORY_FIELD = "directory-field";
    static final String DIRECTORY_BIT_FLIP = "directory-bit-flip";
    static final String TABLE_HEADER = "table-header";
    static final String SLOT_WORD = "slot-word";
    static final String CROSS_SEGMENT_KEY = "cross-segment-key";
    static final String DUPLICATE_KEY = "duplicate-key";
    static final String PROBE_CHAIN_BREAK = "probe-chain-break";
    static final String ORPHAN_TABLE = "orphan-table";
    static final String STATE_TOGGLE = "state-toggle";
    static final String RANDOM_BYTES = "random-bytes";
    static final String RANDOM_WORDS = "random-words";
    static final String BIT_FLIPS = "bit-flips";
    static final String TRUNCATE = "truncate";
    static final String EXTEND = "extend";
    static final String ZERO_FILLED = "zero-filled";
    static final String GARBAGE_BLOCK = "garbage-block";
    static final String COMBO = "combo";
    static final String HASH_SEED = "hash-seed";
    static final String MISSING_VALUE_WORD = "missing-value";
    static final String VALUE_KEY = "value-key";

    static final String[] FAMILIES = {
        NONE, HEADER_BIT_FLIP, HEADER_FIELD, DIRECTORY_FIELD, DIRECTORY_BIT_FLIP, TABLE_HEADER, SLOT_WORD,
        CROSS_SEGMENT_KEY, DUPLICATE_KEY, PROBE_CHAIN_BREAK, ORPHAN_TABLE, STATE_TOGGLE, RANDOM_BYTES, RANDOM_WORDS,
        BIT_FLIPS, TRUNCATE, EXTEND, ZERO_FILLED, GARBAGE_BLOCK, COMBO, HASH_SEED, MISSING_VALUE_WORD, VALUE_KEY};
    private static final int[] WEIGHTS = {1, 5, 8, 10, 4, 9, 14, 5, 5, 3, 4, 2, 5, 4, 5, 5, 4, 2, 4, 8, 4, 3, 7};
    private static final String[] COMBINABLE = {
        HEADER_BIT_FLIP, HEADER_FIELD, DIRECTORY_FIELD, DIRECTORY_BIT_FLIP, TABLE_HEADER, SLOT_WORD,
        CROSS_SEGMENT_KEY, DUPLICATE_KEY, PROBE_CHAIN_BREAK, ORPHAN_TABLE, STATE_TOGGLE, RANDOM_BYTES, RANDOM_WORDS,
        BIT_FLIPS, EXTEND, GARBAGE_BLOCK, HASH_SEED, MISSING_VALUE_WORD, VALUE_KEY};

    static final long[] EXTREMES = {
        0, 1, -1, 2, 63, 64, 65, 127, 128, 129, 255, 4096, 65535, 65536, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
        1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 63, Long.MIN_VALUE + 1};

    private final List<Seed> seeds;

    Mutator(final List<Seed> seeds)
    {
        this.seeds = seeds;
    }

    /**
     * @return mutated file number {@code index} of the run with {@code masterSeed}.
     */
    Mutation mutate(final long masterSeed, final long index)
    {
        final SplittableRandom random =
            new SplittableRandom(LongHashing.mix(masterSeed) ^ LongHashing.mix(index + 0x632B_E59B_D9B4_E019L));
        final Seed seed = seeds.get(random.nextInt(seeds.size()));
        final Work work = new Work(seed);
        if (StoreKind.BYTE_STORE == seed.store)
        {
            final String family = ByteMutator.mutate(work, random);
            return new Mutation(masterSeed, index, seed, family, work.text.toString(), work.bytes, work.forged);
        }
        final String family = FAMILIES[pick(random, WEIGHTS)];
        apply(family, work, random);
        return new Mutation(masterSeed, index, seed, family, work.text.toString(), work.bytes, false);
    }

    /**
     * @return an index into {@code weights}, chosen with the probabilities they give.
     */
    static int pick(final SplittableRandom random, final int[] weights)
    {
        int total = 0;
        for (final int weight : weights)
        {
            total += weight;
        }
        int pick = random.nextInt(total);
        int index = 0;
        while (pick >= weights[index])
        {
            pick -= weights[index];
            index++;
        }
        return index;
    }

    private void apply(final String family, final Work work, final SplittableRandom random)
    {
        switch (family)
        {
            case NONE:
                work.note("unmutated seed");
                break;
            case HEADER_BIT_FLIP:
                headerBitFlip(work, random);
                break;
            case HEADER_FIELD:
                headerField(work, random);
                break;
            case DIRECTORY_FIELD:
                directoryField(work, random);
                break;
            case DIRECTORY_BIT_FLIP:
                directoryBitFlip(work, random);
                break;
            case TABLE_HEADER:
                tableHeader(work, random);
                break;
            case SLOT_WORD:
                slotWord(work, random);
                break;
            case CROSS_SEGMENT_KEY:
                crossSegmentKey(work, random);
                break;
            case DUPLICATE_KEY:
                duplicateKey(work, random);
                break;
            case PROBE_CHAIN_BREAK:
                probeChainBreak(work, random);
                break;
            case ORPHAN_TABLE:
                orphanTable(work, random);
                break;
            case STATE_TOGGLE:
                stateToggle(work);
                break;
            case RANDOM_BYTES:
                randomBytes(work, random);
                break;
            case RANDOM_WORDS:
                randomWords(work, random);
                break;
            case BIT_FLIPS:
                bitFlips(work, random);
                break;
            case TRUNCATE:
                truncate(work, random);
                break;
            case EXTEND:
                extend(work, random);
                break;
            case ZERO_FILLED:
                zeroFilled(work, random);
                break;
            case GARBAGE_BLOCK:
                garbageBlock(work, random);
                break;
            case HASH_SEED:
                hashSeed(work, random);
                break;
            case MISSING_VALUE_WORD:
                missingValue(work, random);
                break;
            case VALUE_KEY:
                valueKey(work, random);
                break;
            case COMBO:
                final int count = 2 + random.nextInt(3);
                work.note("combo of " + count + ": ");
                for (int i = 0; i < count; i++)
                {
                    final String part = COMBINABLE[random.nextInt(COMBINABLE.length)];
                    work.note("[" + part + "] ");
                    apply(part, work, random);
                }
                break;
            default:
                throw new IllegalArgumentException(family);
        }
    }

    static void headerBitFlip(final Work work, final SplittableRandom random)
    {
        final int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++)
        {
            final int offset = random.nextInt(10) < 7 ? random.nextInt(48) : random.nextInt(HEADER_LENGTH);
            work.flip(offset, random.nextInt(8));
        }
    }

    private static void headerField(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        final long size = work.bytes.length;
        switch (random.nextInt(8))
        {
            case 0:
                work.putLong("magic", MAGIC_OFFSET, choose(random,
                    0, ~MAGIC, MAGIC ^ (1L << random.nextInt(64)), MAGIC + 1, KIND_LONG_LONG, 0x0100_564B_544F_4C53L));
                break;
            case 1:
                work.putInt("version", VERSION_OFFSET, (int)choose(random,
                    0, 1, 2, 2, 4, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 256, 0x10003));
                break;
            case 2:
                work.putInt("headerLength", HEADER_LENGTH_OFFSET, (int)choose(random,
                    0, 64, 127, 129, 256, 4096, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 192));
                break;
            case 3:
                work.putLong("chunkSize", CHUNK_SIZE_OFFSET, choose(random,
                    0, 1, 4096, 32768, 65535, 65537, 1 << 17, 1 << 20, 1 << 29, 1 << 30, (1 << 30) + 1, 1L << 31,
                    1L << 40, 3L << 16, -(1L << 16)));
                break;
            case 4:
                work.putLong("end", END_OFFSET, choose(random,
                    0, 127, 128, 129, layout.end - 1, layout.end - 8, layout.end - 64, layout.end + 1, layout.end + 8,
                    layout.end + 64, size - 1, size, size + 1, layout.root, layout.root + 64, tableEnd(layout, random),
                    tableOffset(layout, random), align(128 + random.nextLong(Math.max(1, size - 128)))));
                break;
            case 5:
                work.putLong("rootOffset", ROOT_OFFSET_OFFSET, choose(random,
                    -1, -2, 0, 1, 64, 127, 128, 129, 192, layout.root + 8, layout.root - 64, layout.root + 64,
                    layout.root + 16, layout.end, layout.end - 64, layout.end + 64, tableOffset(layout, random),
                    orphan(layout, random), 1L << 40));
                break;
            case 6:
                work.putLong("state", STATE_OFFSET, choose(random,
                    0, 1, 2, 3, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x100, 1L << 32));
                break;
            default:
                work.putLong("header reserved", 48 + 8 * random.nextInt(10), choose(random, 1, -1, random.nextLong()));
                break;
        }
    }

    private static void directoryField(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (0 == layout.segments)
        {
            headerField(work, random);
            return;
        }
        final long dir = layout.root;
        final int segments = layout.segments;
        final long minCapacity = Bytes.getLong(work.bytes, dir + MIN_CAPACITY_OFFSET);
        switch (random.nextInt(11))
        {
            case 0:
                work.putLong("directory kind", dir + KIND_OFFSET, choose(random,
                    0, ~KIND_LONG_LONG, KIND_LONG_LONG ^ (1L << random.nextInt(64)), KIND_LONG_LONG + 1, MAGIC));
                break;
            case 1:
                work.putLong("segmentCount", dir + SEGMENT_COUNT_OFFSET, choose(random,
                    0, 1, 2, 3, 4, 5, 7, 8, 16, 32, 64, 1024, 65536, 65537, 1 << 20, segments * 2L,
                    Math.max(1, segments / 2), segments + 1, segments - 1));
                break;
            case 2:
                work.putLong("maxLoadPerMille", dir + MAX_LOAD_OFFSET, choose(random,
                    0, 1, 99, 100, 101, 250, 500, 699, 700, 701, 949, 950, 951, 1000));
                break;
            case 3:
                work.putLong("minCapacity", dir + MIN_CAPACITY_OFFSET, choose(random,
                    0, 4, 12, 15, 16, 17, 18, 20, 32, 64, 1000, 3968, 3972, 4092, 4096, 65532, 67108860, 67108864,
                    minCapacity * 2, minCapacity + 4, minCapacity - 4));
                break;
            case 4:
                work.putLong("clean check", dir + CLEAN_CHECK_OFFSET, choose(random, ABSENT, FROZEN, 2,
                    Long.MIN_VALUE, Long.MAX_VALUE, -1,
                    Bytes.getLong(work.bytes, dir + CLEAN_CHECK_OFFSET) ^ (1L << random.nextInt(64)), random.nextLong()));
                break;
            case 5:
            case 6:
                hashSeed(work, random);
                break;
            case 7:
                missingValue(work, random);
                break;
            default:
                final int segment = random.nextInt(segments);
                final boolean next = random.nextBoolean();
                work.putLong("segment " + segment + (next ? " next table offset" : " table offset"),
                    layout.entryOffset(segment) + (next ? NEXT_TABLE_OFFSET_OFFSET : TABLE_OFFSET_OFFSET),
                    offsetCandidate(layout, random, segment, next));
                break;
        }
    }

    private static long offsetCandidate(
        final StoreLayout layout, final SplittableRandom random, final int segment, final boolean nextField)
    {
        final List<Long> candidates = new ArrayList<>(List.of(
            0L, -1L, 1L, 64L, 127L, 128L, layout.root, layout.root + 64, layout.end, layout.end - 64,
            layout.end + 64, (long)layout.length, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, (1L << 31) + 128));
        final StoreLayout.Table own = layout.current[segment];
        candidates.add(own.offset + 64);
        candidates.add(own.offset - 64);
        candidates.add(own.offset + 8);
        candidates.add(own.offset + 16);
        candidates.add(align(own.offset + own.capacity * 8L));
        for (int i = 0; i < layout.segments; i++)
        {
            if (i != segment)
            {
                candidates.add(layout.current[i].offset);
            }
            if (null != layout.next[i])
            {
                candidates.add(layout.next[i].offset);
            }
        }
        for (int i = 0; i < Math.min(8, layout.orphans.length); i++)
        {
            candidates.add(layout.orphans[random.nextInt(layout.orphans.length)]);
        }
        if (nextField)
        {
            candidates.add(own.offset);
            candidates.add(own.offset);
        }
        if (layout.end > 192)
        {
            candidates.add(128 + 64 * random.nextLong((layout.end - 128) / 64));
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private static void directoryBitFlip(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (0 == layout.segments)
        {
            headerBitFlip(work, random);
            return;
        }
        final int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++)
        {
            work.flip(layout.root + random.nextInt(layout.directoryLength), random.nextInt(8));
        }
    }

    private static void tableHeader(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (layout.referenced.isEmpty())
        {
            directoryField(work, random);
            return;
        }
        final StoreLayout.Table table = layout.referenced.get(random.nextInt(layout.referenced.size()));
        final int capacity = table.capacity;
        final int field = random.nextInt(12);
        if (field >= 10)
        {
            valueKeyOf(work, random, table);
        }
        else if (field < 5)
        {
            work.putLong(table + " capacity", table.offset + CAPACITY_OFFSET, choose(random,
                0, 4, 12, 15, 16, 17, capacity - 4, capacity + 4, capacity - 1, capacity + 1, capacity * 2L,
                (capacity / 2) & ~3, 3968, 3972, 4092, 4096, 4093, 67108860, 67108864, -1, Long.MIN_VALUE,
                Long.MAX_VALUE,
                16 + 4 * random.nextInt(1019)));
        }
        else if (field < 9)
        {
            final long counts = Bytes.getLong(work.bytes, table.offset + COUNTS_OFFSET);
            final int used = used(counts);
            final int live = live(counts);
            work.putLong(table + " counts (used<<32|live)", table.offset + COUNTS_OFFSET, choose(random,
                0, -1, Long.MIN_VALUE, Long.MAX_VALUE, counts(used, live + 1), counts(used, live - 1),
                counts(used + 1, live), counts(used - 1, live), counts(used, used + 1), counts(capacity + 1, live),
                counts(used, -1), counts(live, used), counts(0, 0), counts(capacity, capacity), counts(capacity, 0),
                counts(used * 2, live * 2), random.nextLong()));
        }
        else if (0 == table.segment && random.nextBoolean())
        {
            work.putLong(table + " key 0's value word", table.offset + ZERO_KEY_VALUE_OFFSET, choose(random,
                ABSENT, FROZEN, table.valueKey, table.valueKey ^ 1, table.valueKey ^ Long.MIN_VALUE, Long.MIN_VALUE,
                random.nextLong()));
        }
        else
        {
            work.putLong(table + " reserved", table.offset + TABLE_RESERVED_OFFSET + 8 * random.nextInt(4),
                random.nextLong());
        }
    }

    /**
     * The hash seed or its check word, one of them: the pair no longer complements, so the file must be refused.
     */
    private static void hashSeed(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (0 == layout.segments)
        {
            headerField(work, random);
            return;
        }
        final boolean check = random.nextBoolean();
        final long offset = layout.root + (check ? HASH_SEED_CHECK_OFFSET : HASH_SEED_OFFSET);
        final long word = check ? layout.hashSeedCheck : layout.hashSeed;
        long value = choose(random, word ^ (1L << random.nextInt(64)), word ^ (1L << random.nextInt(64)), 0, -1,
            ~word, check ? layout.hashSeed : layout.hashSeedCheck, word + 1, word >>> 1, random.nextLong());
        if (value == word)
        {
            value = ~word;
        }
        work.putLong(check ? "hash seed check" : "hash seed", offset, value);
    }

    /**
     * The missing value: extremes, the old default's neighbours, and a value an entry holds (which then reads as
     * missing through {@code get}).
     */
    private static void missingValue(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (0 == layout.segments)
        {
            headerField(work, random);
            return;
        }
        final StoreLayout.Table table = occupiedTable(layout, random);
        final long held = null == table ? 42 : table.decode(valueOf(work, table, random));
        work.putLong("missing value", layout.root + MISSING_VALUE_OFFSET, choose(random,
            Long.MIN_VALUE + 1, Long.MAX_VALUE, 0, -1, 1, 42, held, held, layout.missingValue ^ 1, random.nextLong()));
    }

    private static void valueKey(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (layout.referenced.isEmpty())
        {
            hashSeed(work, random);
            return;
        }
        // an interrupted replacement's tables, when the seed has one: their keys decide how recovery re-encodes
        final List<StoreLayout.Table> pairs = new ArrayList<>();
        for (final StoreLayout.Table table : layout.referenced)
        {
            if (null != layout.next[table.segment])
            {
                pairs.add(table);
            }
        }
        valueKeyOf(work, random, !pairs.isEmpty() && random.nextBoolean() ? pairs.get(random.nextInt(pairs.size())) :
            layout.referenced.get(random.nextInt(layout.referenced.size())));
    }

    /**
     * Damage the value key of {@code table}. The "unencodable" choice, for a table of an interrupted replacement,
     * is a key with which an unfrozen value of the old table re-encodes to ABSENT or FROZEN in the next one.
     */
    private static void valueKeyOf(final Work work, final SplittableRandom random, final StoreLayout.Table table)
    {
        final StoreLayout layout = work.layout;
        final long key = table.valueKey;
        final long offset = table.offset + VALUE_KEY_OFFSET;
        final StoreLayout.Table old = layout.current[table.segment];
        final StoreLayout.Table partner = table.isNext ? old : layout.next[table.segment];
        if (null != partner && random.nextInt(3) == 0)
        {
            final long word = unfrozenWord(work, old, random);
            if (ABSENT != word)
            {
                // recovery re-encodes an old word w as w ^ oldKey ^ nextKey: make that 0 or 1
                final long other = table.isNext ? old.valueKey : layout.next[table.segment].valueKey;
                work.putLong(table + " value key (unencodable: old word 0x" + Long.toHexString(word) + " re-encodes " +
                    "to a reserved word)", offset, word ^ other ^ random.nextInt(2));
                return;
            }
        }
        long value = choose(random, key ^ (1L << random.nextInt(64)), key ^ (1L << random.nextInt(64)), 0,
            Long.MIN_VALUE, ~key, key ^ 1, null == partner ? key ^ 2 : partner.valueKey,
            layout.referenced.get(random.nextInt(layout.referenced.size())).valueKey, random.nextLong());
        if (value == key)
        {
            value = key ^ Long.MIN_VALUE;
        }
        work.putLong(table + " value key", offset, value);
    }

    /**
     * @return the value word of an occupied, not frozen slot of {@code table}, or ABSENT if it has none.
     */
    private static long unfrozenWord(final Work work, final StoreLayout.Table table, final SplittableRandom random)
    {
        final int occupied = table.occupied.length;
        for (int tries = 0, at = occupied > 0 ? random.nextInt(occupied) : 0; tries < occupied; tries++)
        {
            final long word = Bytes.getLong(work.bytes, table.slot(table.occupied[(at + tries) % occupied]) +
                VALUE_OFFSET);
            if (ABSENT != word && FROZEN != word)
            {
                return word;
            }
        }
        return ABSENT;
    }

    private static void slotWord(final Work work, final SplittableRandom random)
    {
        final StoreLayout.Table table = anyTable(work.layout, random);
        if (null == table)
        {
            randomWords(work, random);
            return;
        }
        final int index = table.occupied.length > 0 && random.nextInt(10) < 6 ?
            table.occupied[random.nextInt(table.occupied.length)] : random.nextInt(table.capacity);
        final int slot = table.slot(index);
        final long key = Bytes.getLong(work.bytes, slot + KEY_OFFSET);
        if (random.nextBoolean())
        {
            work.putLong(table + " slot " + index + " key", slot + KEY_OFFSET, choose(random,
                0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, random.nextLong(), keyOf(work, table, random),
                keyOf(work, anyTable(work.layout, random), random), key ^ 1, key + 1));
        }
        else
        {
            // raw words: 0 and 1 are ABSENT and FROZEN; word ^ valueKey is the value (the missing value, MIN + 1)
            work.putLong(table + " slot " + index + " value", slot + VALUE_OFFSET, choose(random,
                ABSENT, FROZEN, ABSENT, FROZEN, Long.MIN_VALUE, Long.MAX_VALUE, 2, random.nextLong(),
                valueOf(work, table, random), table.valueKey ^ Long.MIN_VALUE, table.valueKey ^ (Long.MIN_VALUE + 1),
                table.valueKey ^ work.layout.missingValue));
        }
    }

    private static void crossSegmentKey(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        final List<StoreLayout.Table> sources = new ArrayList<>();
        for (final StoreLayout.Table table : layout.current)
        {
            if (table.occupied.length > 0)
            {
                sources.add(table);
            }
        }
        if (layout.segments < 2 || sources.isEmpty())
        {
            duplicateKey(work, random);
            return;
        }
        final StoreLayout.Table source = sources.get(random.nextInt(sources.size()));
        StoreLayout.Table target = layout.current[random.nextInt(layout.segments)];
        while (target == source)
        {
            target = layout.current[random.nextInt(layout.segments)];
        }
        final int from = source.occupied[random.nextInt(source.occupied.length)];
        final long key = Bytes.getLong(work.bytes, source.slot(from) + KEY_OFFSET);
        final long word = Bytes.getLong(work.bytes, source.slot(from) + VALUE_OFFSET);
        final int home = homeIndex(layout.hash(key), target.capacity);
        final int variant = random.nextInt(3);
        int index = home;
        if (0 == variant)
        {
            for (int probes = 0; probes < target.capacity; probes++)
            {
                if (0 == Bytes.getLong(work.bytes, target.slot(index) + KEY_OFFSET))
                {
                    break;
                }
                index = index + 1 == target.capacity ? 0 : index + 1;
            }
        }
        else if (2 == variant)
        {
            index = random.nextInt(target.capacity);
        }
        work.note("key " + key + " of segment " + source.segment + " (slot " + from + ") into " + target + " slot " +
            index + " (its home there " + home + ", " + (0 == variant ? "first empty from home" : 1 == variant ?
            "over the home slot" : "a random slot") + "): ");
        work.putLong("key", target.slot(index) + KEY_OFFSET, key);
        // half the time the same value, re-encoded for the target table's value key
        work.putLong("value", target.slot(index) + VALUE_OFFSET, ABSENT != word && FROZEN != word &&
            random.nextBoolean() ? word ^ source.valueKey ^ target.valueKey : storableWord(random, word));
    }

    private static void duplicateKey(final Work work, final SplittableRandom random)
    {
        final StoreLayout.Table table = occupiedTable(work.layout, random);
        if (null == table)
        {
            slotWord(work, random);
            return;
        }
        final int capacity = table.capacity;
        final int index = table.occupied[random.nextInt(table.occupied.length)];
        final long key = Bytes.getLong(work.bytes, table.slot(index) + KEY_OFFSET);
        final long word = Bytes.getLong(work.bytes, table.slot(index) + VALUE_OFFSET);
        final int home = homeIndex(work.layout.hash(key), capacity);
        final int variant = random.nextInt(4);
        int target;
        final String how;
        if (0 == variant)
        {
            target = index;
            for (int probes = 0; probes < capacity; probes++)
            {
                target = target + 1 == capacity ? 0 : target + 1;
                if (0 == Bytes.getLong(work.bytes, table.slot(target) + KEY_OFFSET))
                {
                    break;
                }
            }
            how = "a later duplicate in the first empty slot after it";
        }
        else if (1 == variant && index != home)
        {
            final int distance = index > home ? index - home : index - home + capacity;
            target = (home + random.nextInt(distance)) % capacity;
            how = "an earlier duplicate over another key of its probe chain";
        }
        else if (2 == variant || 1 == variant)
        {
            target = ((home - 1 - random.nextInt(3)) % capacity + capacity) % capacity;
            how = "a copy just before its home slot (outside its probe chain)";
        }
        else
        {
            target = random.nextInt(capacity);
            how = "a copy in a random slot";
        }
        work.note(table + ": key " + key + " (slot " + index + ", home " + home + ") copied to slot " + target + " as " +
            how + ": ");
        work.putLong("key", table.slot(target) + KEY_OFFSET, key);
        work.putLong("value", table.slot(target) + VALUE_OFFSET, random.nextBoolean() ? word :
            storableWord(random, word));
    }

    private static void probeChainBreak(final Work work, final SplittableRandom random)
    {
        final StoreLayout.Table table = occupiedTable(work.layout, random);
        if (null == table)
        {
            slotWord(work, random);
            return;
        }
        final int index = table.occupied[random.nextInt(table.occupied.length)];
        final int slot = table.slot(index);
        final int variant = random.nextInt(3);
        work.note(table + " slot " + index + (0 == variant ? ": key cleared, value kept: " : 1 == variant ?
            ": slot emptied (a hole in the probe run): " : ": key cleared, value frozen: "));
        work.putLong("key", slot + KEY_OFFSET, 0);
        if (1 == variant)
        {
            work.putLong("value", slot + VALUE_OFFSET, ABSENT);
        }
        else if (2 == variant)
        {
            work.putLong("value", slot + VALUE_OFFSET, FROZEN);
        }
    }

    private static void orphanTable(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        if (0 == layout.segments || 0 == layout.orphans.length)
        {
            directoryField(work, random);
            return;
        }
        final int segment = random.nextInt(layout.segments);
        final boolean next = random.nextInt(3) > 0;
        work.putLong("segment " + segment + (next ? " next table offset" : " table offset") + " -> retired table",
            layout.entryOffset(segment) + (next ? NEXT_TABLE_OFFSET_OFFSET : TABLE_OFFSET_OFFSET),
            layout.orphans[random.nextInt(layout.orphans.length)]);
    }

    static void stateToggle(final Work work)
    {
        final long state = Bytes.getLong(work.bytes, STATE_OFFSET);
        work.putLong("state", STATE_OFFSET, 0 == state ? 1 : 0);
    }

    static void randomBytes(final Work work, final SplittableRandom random)
    {
        final int length = work.bytes.length;
        if (0 == length)
        {
            return;
        }
        final int count = 1 + random.nextInt(64);
        final int offset = random.nextInt(4) == 0 ? random.nextInt(Math.min(length, 1024)) : random.nextInt(length);
        final int end = Math.min(length, offset + count);
        for (int i = offset; i < end; i++)
        {
            work.bytes[i] = (byte)random.nextInt(256);
        }
        work.note("random bytes [" + offset + ", " + end + "); ");
    }

    static void randomWords(final Work work, final SplittableRandom random)
    {
        final int words = work.bytes.length / 8;
        if (0 == words)
        {
            return;
        }
        final int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++)
        {
            work.putLong("word", 8L * random.nextInt(words), choose(random,
                0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, random.nextLong()));
        }
    }

    static void bitFlips(final Work work, final SplittableRandom random)
    {
        final int length = work.bytes.length;
        if (0 == length)
        {
            return;
        }
        final int flips = 1 + random.nextInt(16);
        for (int i = 0; i < flips; i++)
        {
            work.flip(random.nextInt(length), random.nextInt(8));
        }
    }

    private static void truncate(final Work work, final SplittableRandom random)
    {
        final StoreLayout layout = work.layout;
        final int length = work.bytes.length;
        final StoreLayout.Table table = layout.referenced.isEmpty() ? null :
            layout.referenced.get(random.nextInt(layout.referenced.size()));
        long size = choose(random,
            0, 1 + random.nextInt(127), 127, 128, 129, 192,
            null == table ? 128 : table.offset + random.nextLong(table.end() - table.offset),
            layout.root + 8, layout.root + layout.directoryLength - 1, layout.end - 1, layout.end - 8,
            layout.end - 64, length - 1, 128 + random.nextInt(Math.max(1, length - 128)));
        size = Math.max(0, Math.min(length - 1, size));
        work.bytes = Arrays.copyOf(work.bytes, (int)size);
        work.note("truncated " + length + " -> " + size + "; ");
    }

    static void extend(final Work work, final SplittableRandom random)
    {
        final int length = work.bytes.length;
        final int count = (int)pick(random, 1, 7, 8, 64, 4096, 65536, 1 + random.nextInt(200_000));
        final byte[] extended = Arrays.copyOf(work.bytes, length + count);
        final int mode = random.nextInt(5);
        for (int i = length; i < extended.length; i++)
        {
            switch (mode)
            {
                case 0:
                    extended[i] = (byte)random.nextInt(256);
                    break;
                case 1:
                    extended[i] = (byte)0xFF;
                    break;
                case 2:
                    extended[i] = 0 == length ? 0 : work.bytes[(i - length) % length];
                    break;
                case 3:
                    if (((i - length) & 63) == 0 && (i & 7) == 0)
                    {
                        Bytes.putLong(extended, i, 16); // something that looks like a table header
                    }
                    break;
                default:
                    break; // zeros
            }
        }
        work.bytes = extended;
        work.note("extended by " + count + " bytes of " +
            new String[]{"random", "0xFF", "a copy of the file", "fake table headers", "zeros"}[mode] + "; ");
    }

    /**
     * A block of a referenced table (a disk page, or the whole table) overwritten with random bytes or with copies
     * of one slot: many slots at once, with keys of other segments and outside their probe chains.
     */
    private static void garbageBlock(final Work work, final SplittableRandom random)
    {
        final StoreLayout.Table table = anyTable(work.layout, random);
        if (null == table)
        {
            randomBytes(work, random);
            return;
        }
        final long slots = table.offset + TABLE_HEADER_LENGTH;
        final long length = table.end() - slots;
        final long size = Math.min(length, pick(random, 512, 4096, 8192, length, length));
        final long from = slots + ((random.nextLong(Math.max(1, length - size + 1)) / SLOT_LENGTH) * SLOT_LENGTH);
        final int mode = random.nextInt(3);
        for (long i = from; i < from + size; i++)
        {
            if (2 == mode)
            {
                work.bytes[(int)i] = work.bytes[(int)(from + (i - from) % SLOT_LENGTH)];
            }
            else if (1 == mode && ((i - slots) & 15) >= 8)
            {
                work.bytes[(int)i] = 0; // keys only: values absent
            }
            else
            {
                work.bytes[(int)i] = (byte)random.nextInt(256);
            }
        }
        work.note(table + ": bytes [" + from + ", " + (from + size) + ") overwritten with " +
            new String[]{"random bytes", "random keys, absent values", "copies of its first slot"}[mode] + "; ");
    }

    static void zeroFilled(final Work work, final SplittableRandom random)
    {
        final int size = (int)pick(random, 0, 0, 0, 1, 8, 64, 127, 128, 129, 4096, 65536, work.bytes.length,
            3 * 65536);
        work.bytes = new byte[size];
        work.note("zero-filled file of " + size + " bytes; ");
    }

    private static StoreLayout.Table anyTable(final StoreLayout layout, final SplittableRandom random)
    {
        if (layout.referenced.isEmpty())
        {
            return null;
        }
        final StoreLayout.Table occupied = occupiedTable(layout, random);
        return null != occupied && random.nextInt(4) > 0 ? occupied :
            layout.referenced.get(random.nextInt(layout.referenced.size()));
    }

    private static StoreLayout.Table occupiedTable(final StoreLayout layout, final SplittableRandom random)
    {
        final List<StoreLayout.Table> tables = new ArrayList<>();
        for (final StoreLayout.Table table : layout.referenced)
        {
            if (table.occupied.length > 0)
            {
                tables.add(table);
            }
        }
        return tables.isEmpty() ? null : tables.get(random.nextInt(tables.size()));
    }

    private static long keyOf(final Work work, final StoreLayout.Table table, final SplittableRandom random)
    {
        if (null == table || 0 == table.occupied.length)
        {
            return random.nextLong();
        }
        return Bytes.getLong(work.bytes, table.slot(table.occupied[random.nextInt(table.occupied.length)]) + KEY_OFFSET);
    }

    private static long valueOf(final Work work, final StoreLayout.Table table, final SplittableRandom random)
    {
        if (0 == table.occupied.length)
        {
            return random.nextLong();
        }
        return Bytes.getLong(work.bytes,
            table.slot(table.occupied[random.nextInt(table.occupied.length)]) + VALUE_OFFSET);
    }

    private static long storableWord(final SplittableRandom random, final long word)
    {
        if (ABSENT != word && FROZEN != word && random.nextBoolean())
        {
            return word;
        }
        long value = random.nextLong();
        while (ABSENT == value || FROZEN == value)
        {
            value = random.nextLong();
        }
        return value;
    }

    private static long tableOffset(final StoreLayout layout, final SplittableRandom random)
    {
        return layout.referenced.isEmpty() ? 128 :
            layout.referenced.get(random.nextInt(layout.referenced.size())).offset;
    }

    private static long tableEnd(final StoreLayout layout, final SplittableRandom random)
    {
        return layout.referenced.isEmpty() ? 128 : layout.referenced.get(random.nextInt(layout.referenced.size())).end();
    }

    private static long orphan(final StoreLayout layout, final SplittableRandom random)
    {
        return 0 == layout.orphans.length ? 256 : layout.orphans[random.nextInt(layout.orphans.length)];
    }

    static long align(final long offset)
    {
        return (offset + 63) & -64L;
    }

    static long pick(final SplittableRandom random, final long... values)
    {
        return values[random.nextInt(values.length)];
    }

    /**
     * @return one of {@code specific} (60%), an extreme word (30%) or a random word.
     */
    static long choose(final SplittableRandom random, final long... specific)
    {
        final int roll = random.nextInt(10);
        if (roll < 6)
        {
            return specific[random.nextInt(specific.length)];
        }
        if (roll < 9)
        {
            return EXTREMES[random.nextInt(EXTREMES.length)];
        }
        return random.nextLong();
    }

    /**
     * The file being mutated and the description of what was done to it.
     */
    static final class Work
    {
        /** The seed's layout, of its kind. */
        final FileLayout fileLayout;
        /** The same, for a long-map seed (null for another kind). */
        final StoreLayout layout;
        final StringBuilder text = new StringBuilder();
        byte[] bytes;
        /** Set by a mutation that rewrote an entry and its checksum to match: a value no one wrote may then open. */
        boolean forged;

        Work(final Seed seed)
        {
            this.fileLayout = seed.layout;
            this.layout = seed.layout instanceof StoreLayout ? (StoreLayout)seed.layout : null;
            this.bytes = seed.bytes.clone();
        }

        void note(final String note)
        {
            text.append(note);
        }

        void putLong(final String what, final long offset, final long value)
        {
            final long old = Bytes.getLong(bytes, offset);
            if (Bytes.putLong(bytes, offset, value))
            {
                text.append(what).append(" @").append(offset).append(": ").append(word(old)).append(" -> ")
                    .append(word(value)).append("; ");
            }
            else
            {
                text.append(what).append(" @").append(offset).append(": outside the file, not written; ");
            }
        }

        void putInt(final String what, final long offset, final int value)
        {
            final int old = Bytes.getInt(bytes, offset);
            if (Bytes.putInt(bytes, offset, value))
            {
                text.append(what).append(" @").append(offset).append(": ").append(old).append(" -> ").append(value)
                    .append("; ");
            }
        }

        void flip(final long offset, final int bit)
        {
            if (offset >= 0 && offset < bytes.length)
            {
                bytes[(int)offset] ^= (byte)(1 << bit);
                text.append("flip bit ").append(bit).append(" of byte ").append(offset).append(" (")
                    .append(fileLayout.regionNames(fileLayout.regionBits(offset))).append("); ");
            }
        }

        static String word(final long value)
        {
            return Math.abs(value) < (1L << 40) ? Long.toString(value) : "0x" + Long.toHexString(value);
        }
    }
}
