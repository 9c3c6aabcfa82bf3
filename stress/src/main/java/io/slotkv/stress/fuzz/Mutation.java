package io.slotkv.stress.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * One mutated store file: reproducible from the run's master seed and its index, with what it was made from and
 * what it damaged.
 */
final class Mutation
{
    /** What the mutated bytes differ in from the seed, for the verdict on a file that opens. */
    enum Damage
    {
        /** Identical to the seed. */
        NONE,
        /** Only bytes nothing references (retired tables, free space, past the end): must open with the seed's entries. */
        HARMLESS,
        /** Only the header state word: a settled seed must open with its entries. */
        STATE_ONLY,
        /** Only reserved words (and harmless bytes): must open consistent. */
        RESERVED_ONLY,
        /**
         * Only the directory's missing value (and harmless bytes, reserved words): must open with the seed's entries
         * and the file's (damaged) missing value, which nothing in the file can check.
         */
        MISSING_VALUE_ONLY,
        /**
         * Only value keys of referenced tables (and harmless bytes, reserved words, the missing value, for a dirty
         * seed the state word): values are stored as {@code value ^ valueKey}, so every value of a damaged table
         * reads XORed with the damage; keys and presence cannot change. A clean file's clean check covers the value
         * keys: its open must report that the check failed.
         */
        VALUE_KEY_ONLY,
        /**
         * Only slots of referenced tables (and harmless bytes, reserved words, and for a dirty seed the state word,
         * which makes it the clean seed again): a clean file opened without verification may not see it.
         */
        SLOT_ONLY,
        /**
         * Byte store: only words that cannot change the entries (and harmless bytes, reserved words, for a dirty
         * seed the state word): the clean check, table counts, heap roots' saved allocator state (each one covered
         * by the clean check, so a clean file is rebuilt, as a dirty one always is) and the limits word. Must open
         * with the seed's entries.
         */
        ENTRIES_KEPT,
        /** The header, the directory or a table header, or a truncation. */
        STRUCTURE
    }

    final long masterSeed;
    final long index;
    final Seed seed;
    final String family;
    final String description;
    final byte[] bytes;
    final int regionBits;
    final Damage damage;

    /**
     * Byte store: an entry was rewritten with a matching checksum (a forgery no check can tell from a write), so
     * the open may return a value no one wrote; everything else is judged as for any file.
     */
    final boolean forged;

    /**
     * Non-null if the mutated file's directory (at the seed's root, which the header still names) holds a hash seed
     * that its check word does not complement: every open of it must refuse it (a damaged seed is never repaired).
     */
    final String seedPairBroken;

    /** The missing value word at the seed's root in the mutated file, if the header still names that root. */
    final Long missingValueWord;

    /** XOR of each referenced table's value key in the seed and in the mutated file, where they differ. */
    final long[] valueKeyDeltas;

    Mutation(
        final long masterSeed,
        final long index,
        final Seed seed,
        final String family,
        final String description,
        final byte[] bytes,
        final boolean forged)
    {
        this.forged = forged;
        this.masterSeed = masterSeed;
        this.index = index;
        this.seed = seed;
        this.family = family;
        this.description = description;
        this.bytes = bytes;
        this.regionBits = seed.layout.damage(seed.bytes, bytes);
        this.damage = seed.layout.classify(seed.kind, regionBits);
        final StoreLayout layout = seed.layout instanceof StoreLayout ? (StoreLayout)seed.layout : null;
        final boolean sameRoot = null != layout && layout.segments > 0 && bytes.length >= StoreLayout.HEADER_LENGTH &&
            layout.root == Bytes.getLong(bytes, StoreLayout.ROOT_OFFSET_OFFSET) &&
            layout.root + StoreLayout.DIRECTORY_HEADER_LENGTH <= bytes.length;
        if (sameRoot)
        {
            final long hashSeed = Bytes.getLong(bytes, layout.root + StoreLayout.HASH_SEED_OFFSET);
            final long check = Bytes.getLong(bytes, layout.root + StoreLayout.HASH_SEED_CHECK_OFFSET);
            this.seedPairBroken = check == ~hashSeed ? null : "hashSeed 0x" + Long.toHexString(hashSeed) +
                ", hashSeedCheck 0x" + Long.toHexString(check) + " (seed's pair 0x" + Long.toHexString(layout.hashSeed) +
                ", 0x" + Long.toHexString(layout.hashSeedCheck) + ")";
            this.missingValueWord = Bytes.getLong(bytes, layout.root + StoreLayout.MISSING_VALUE_OFFSET);
        }
        else
        {
            this.seedPairBroken = null;
            this.missingValueWord = null;
        }
        final List<Long> deltas = new ArrayList<>();
        for (final StoreLayout.Table table : null == layout ? List.<StoreLayout.Table>of() : layout.referenced)
        {
            final long at = table.offset + StoreLayout.VALUE_KEY_OFFSET;
            if (at + 8 <= bytes.length && Bytes.getLong(bytes, at) != table.valueKey)
            {
                deltas.add(Bytes.getLong(bytes, at) ^ table.valueKey);
            }
        }
        this.valueKeyDeltas = deltas.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * @return true if the mutated header says the file was closed cleanly (an open without verification trusts it).
     */
    boolean claimsCleanClose()
    {
        return bytes.length >= StoreLayout.HEADER_LENGTH && 0 == Bytes.getLong(bytes, StoreLayout.STATE_OFFSET);
    }

    /** @return the names of the regions the mutation damaged. */
    String regions()
    {
        return seed.layout.regionNames(regionBits);
    }

    String describe()
    {
        return "seed=" + seed.name + " (" + seed.kind + "), family=" + family + ", damage=" + damage + " (" +
            regions() + "), length " + seed.bytes.length + " -> " + bytes.length +
            ", mutation: " + description;
    }
}
