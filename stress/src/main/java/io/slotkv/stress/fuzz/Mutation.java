package io.slotkv.stress.fuzz;

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
         * Only slots of referenced tables (and harmless bytes, reserved words, and for a dirty seed the state word,
         * which makes it the clean seed again): a clean file opened without verification may not see it.
         */
        SLOT_ONLY,
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

    Mutation(
        final long masterSeed,
        final long index,
        final Seed seed,
        final String family,
        final String description,
        final byte[] bytes)
    {
        this.masterSeed = masterSeed;
        this.index = index;
        this.seed = seed;
        this.family = family;
        this.description = description;
        this.bytes = bytes;
        this.regionBits = seed.layout.damage(seed.bytes, bytes);
        this.damage = classify(seed, regionBits);
    }

    private static Damage classify(final Seed seed, final int bits)
    {
        final int harmless = StoreLayout.UNREFERENCED | StoreLayout.PAST_END;
        if (0 == bits)
        {
            return Damage.NONE;
        }
        if (StoreLayout.STATE == bits)
        {
            return Damage.STATE_ONLY;
        }
        if (0 == (bits & ~harmless))
        {
            return Damage.HARMLESS;
        }
        if (0 == (bits & ~(harmless | StoreLayout.RESERVED)))
        {
            return Damage.RESERVED_ONLY;
        }
        final int neutral = harmless | StoreLayout.RESERVED | (Seed.Kind.DIRTY == seed.kind ? StoreLayout.STATE : 0);
        if (0 != (bits & StoreLayout.SLOT) && 0 == (bits & ~(neutral | StoreLayout.SLOT)))
        {
            return Damage.SLOT_ONLY;
        }
        return Damage.STRUCTURE;
    }

    /**
     * @return true if the mutated header says the file was closed cleanly (an open without verification trusts it).
     */
    boolean claimsCleanClose()
    {
        return bytes.length >= StoreLayout.HEADER_LENGTH && 0 == Bytes.getLong(bytes, StoreLayout.STATE_OFFSET);
    }

    String describe()
    {
        return "seed=" + seed.name + " (" + seed.kind + "), family=" + family + ", damage=" + damage + " (" +
            StoreLayout.regionNames(regionBits) + "), length " + seed.bytes.length + " -> " + bytes.length +
            ", mutation: " + description;
    }
}
