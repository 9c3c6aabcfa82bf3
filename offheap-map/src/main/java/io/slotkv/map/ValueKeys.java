package io.slotkv.map;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Random words for a map's hash seed and its tables' value keys ({@link SlotDescriptor}): unpredictable to whoever
 * chooses keys and values, so neither collisions nor re-keying can be provoked on purpose.
 */
final class ValueKeys
{
    private static final SecureRandom SEEDS = new SecureRandom();

    private final SplittableRandom random;

    /** Test seam: when set, the words come from here. */
    LongSupplier source;

    ValueKeys()
    {
        final long seed;
        synchronized (SEEDS)
        {
            seed = SEEDS.nextLong();
        }
        this.random = new SplittableRandom(seed);
    }

    /**
     * @return the next random word.
     */
    synchronized long next()
    {
        return null != source ? source.getAsLong() : random.nextLong();
    }
}
