package io.slotkv.core.hash;

/**
 * Hashing of 64-bit keys for open-addressing tables.
 */
public final class LongHashing
{
    private LongHashing()
    {
    }

    /**
     * A bijective 64-bit mix (the finaliser of MurmurHash3): every input bit affects every output bit, so both the
     * high bits (segment choice) and the low bits (slot choice) are well spread even for sequential keys.
     *
     * @param key to mix.
     * @return the hash; distinct keys give distinct hashes.
     */
    public static long mix(final long key)
    {
        long h = key;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * {@link #mix(long)} keyed by a seed: still a bijection of the key for a given seed, but which keys share a
     * slot depends on the seed, so keys chosen without knowing it spread like random ones (not a cryptographic
     * function: it resists chosen keys, not an attacker who can measure timings at length).
     *
     * @param key  to hash.
     * @param seed random per map.
     * @return the hash.
     */
    public static long mix(final long key, final long seed)
    {
        return mix(key ^ seed);
    }
}
