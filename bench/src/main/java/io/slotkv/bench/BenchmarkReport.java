package io.slotkv.bench;

/**
 * Placeholder; replaced below.
 */
final class BenchmarkReport
{
    private BenchmarkReport()
    {
    }

    static void main(final String[] args)
    {
        throw new UnsupportedOperationException();
    }
}
