package io.slotkv.bench;

import java.util.SplittableRandom;

/**
 * Which operations of a mixed workload are writes: one random bit per operation, drawn before measurement, so
 * branch prediction sees the pattern a real mix would give and the draw itself is never measured.
 */
final class OperationMix
{
    private OperationMix()
    {
    }

    /**
     * @param operations    how many operations (a multiple of 64).
     * @param writeFraction the chance of each being a write.
     * @return one bit per operation, set for a write.
     */
    static long[] draw(final int operations, final double writeFraction, final SplittableRandom random)
    {
        final long[] bits = new long[operations / Long.SIZE];
        for (int i = 0; i < operations; i++)
        {
            if (random.nextDouble() < writeFraction)
            {
                bits[i >>> 6] |= 1L << i;
            }
        }
        return bits;
    }

    /**
     * @return whether operation {@code index} of {@code bits} is a write.
     */
    static boolean isWrite(final long[] bits, final int index)
    {
        return 0 != (bits[index >>> 6] & (1L << index));
    }
}
