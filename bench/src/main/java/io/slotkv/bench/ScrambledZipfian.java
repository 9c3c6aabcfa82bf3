package io.slotkv.bench;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Zipfian ranks over {@code [0, n)} (Gray et al., "Quickly generating billion-record synthetic databases", the
 * generator YCSB uses) with theta 0.99, each rank then hashed (FNV-1a 64) onto an item so the hot items are spread
 * over the key space instead of clustered at the low indices, as in YCSB's {@code ScrambledZipfianGenerator}.
 */
final class ScrambledZipfian
{
    static final double THETA = 0.99;

    private static final ConcurrentHashMap<Long, ScrambledZipfian> BY_N = new ConcurrentHashMap<>();

    private final long n;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    private ScrambledZipfian(final long n)
    {
        this.n = n;
        this.zetaN = zeta(n);
        this.alpha = 1.0 / (1.0 - THETA);
        this.eta = (1 - Math.pow(2.0 / n, 1 - THETA)) / (1 - zeta(2) / zetaN);
        this.halfPowTheta = 1.0 + Math.pow(0.5, THETA);
    }

    /**
     * @return the generator for {@code n} items; zeta(n) is computed once per n and process.
     */
    static ScrambledZipfian of(final long n)
    {
        return BY_N.computeIfAbsent(n, ScrambledZipfian::new);
    }

    /**
     * @param uniform a uniform sample in [0, 1).
     * @return an item in [0, n).
     */
    long next(final double uniform)
    {
        final double uz = uniform * zetaN;
        final long rank;
        if (uz < 1.0)
        {
            rank = 0;
        }
        else if (uz < halfPowTheta)
        {
            rank = 1;
        }
        else
        {
            rank = Math.min(n - 1, (long)(n * Math.pow(eta * uniform - eta + 1, alpha)));
        }
        return Long.remainderUnsigned(fnv1a64(rank), n);
    }

    private static double zeta(final long n)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.pow(i, THETA);
        }
        return sum;
    }

    private static long fnv1a64(final long value)
    {
        long hash = 0xCBF2_9CE4_8422_2325L;
        for (int i = 0; i < Long.BYTES; i++)
        {
            hash ^= (value >>> (i * Byte.SIZE)) & 0xFF;
            hash *= 0x0000_0100_0000_01B3L;
        }
        return hash;
    }
}
