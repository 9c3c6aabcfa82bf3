package io.slotkv.bench;

/**
 * The key set of every benchmark: key {@code i} is a bijective 64-bit scramble (SplitMix64's finaliser) of
 * {@code i}, so keys {@code 0..n-1} are the n present keys and keys {@code n..2n-1} are guaranteed absent.
 * The scramble differs from every map's own hash, so no map sees keys pre-spread for it.
 */
public final class Keys
{
    private Keys()
    {
    }

    /**
     * @return the key with index {@code index}.
     */
    public static long key(final long index)
    {
        long z = (index + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * @return the value stored for the key with index {@code index} when a map is filled: small and positive, so
     * no implementation meets a reserved value.
     */
    public static long value(final long index)
    {
        return index + 1;
    }
}
