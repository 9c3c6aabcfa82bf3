package io.slotkv.bench;

import java.util.SplittableRandom;

/**
 * How a thread picks which of the n present keys to touch. Samples are drawn before measurement into an array of
 * key indices, so the generator's cost is never measured.
 */
public enum KeyDistribution
{
    /** YCSB's scrambled zipfian, theta 0.99: a few hot keys, spread over the whole table. */
    ZIPFIAN
    {
        @Override
        void sample(final long n, final SplittableRandom random, final long[] indices)
        {
            final ScrambledZipfian zipfian = ScrambledZipfian.of(n);
            for (int i = 0; i < indices.length; i++)
            {
                indices[i] = zipfian.next(random.nextDouble());
            }
        }
    },

    /** Every present key equally likely. */
    UNIFORM
    {
        @Override
        void sample(final long n, final SplittableRandom random, final long[] indices)
        {
            for (int i = 0; i < indices.length; i++)
            {
                indices[i] = random.nextLong(n);
            }
        }
    };

    /**
     * Fill {@code indices} with key indices in {@code [0, n)}.
     */
    abstract void sample(long n, SplittableRandom random, long[] indices);

    /**
     * @return {@code count} key indices in {@code [0, n)}, drawn with this distribution (for key sets addressed by
     * index, such as {@link ByteKeys}).
     */
    public int[] indices(final int n, final int count, final long seed)
    {
        final long[] drawn = new long[count];
        sample(n, new SplittableRandom(seed), drawn);
        final int[] indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = (int)drawn[i];
        }
        return indices;
    }

    /**
     * @return {@code count} keys of a map holding keys {@code 0..n-1}, drawn with this distribution.
     */
    public long[] presentKeys(final long n, final int count, final long seed)
    {
        final long[] keys = new long[count];
        sample(n, new SplittableRandom(seed), keys);
        for (int i = 0; i < count; i++)
        {
            keys[i] = Keys.key(keys[i]);
        }
        return keys;
    }

    /**
     * @return {@code count} keys that a map holding keys {@code 0..n-1} does not hold, drawn with this distribution
     * over the absent keys {@code n..2n-1}.
     */
    public long[] absentKeys(final long n, final int count, final long seed)
    {
        final long[] keys = new long[count];
        sample(n, new SplittableRandom(seed), keys);
        for (int i = 0; i < count; i++)
        {
            keys[i] = Keys.key(n + keys[i]);
        }
        return keys;
    }
}
