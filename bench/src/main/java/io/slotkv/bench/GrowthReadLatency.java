package io.slotkv.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency of {@code get} while the map grows: one thread inserts {@code size} keys into an empty, unsized map
 * (every segment resizes about log2(size / segments / 16) times), another gets keys already inserted, timing every
 * get with {@code System.nanoTime()} into an HdrHistogram (so about 20-30 ns of timer cost is included). Several
 * rounds, each from an empty map; the first is warm-up. A get that waits for a resize shows up as the resize's
 * copy time (milliseconds for a large segment); one that never waits stays near its in-cache cost.
 * <p>
 * Usage: {@code java -jar benchmarks.jar growth-read-latency [impl] [size] [rounds] [out.txt]}; impl is an
 * {@link Implementation} name (default SLOTKV). Allocation-free in the measured loops.
 */
public final class GrowthReadLatency
{
    private GrowthReadLatency()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Implementation impl = args.length > 0 ? Implementation.valueOf(args[0]) : Implementation.SLOTKV;
        final int size = args.length > 1 ? Integer.parseInt(args[1]) : 1 << 22;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        final Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long[] keys = new long[size];
        for (int i = 0; i < size; i++)
        {
            keys[i] = Keys.key(i);
        }
        long misses = 0;
        for (int round = 0; round < rounds; round++)
        {
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long[] result = runRound(impl, keys, histogram);
            misses += result[0];
            System.out.printf("round %d%s: %d gets, p50 %d ns, p99 %d ns, p99.9 %d ns, p99.99 %d ns, max %d ns, " +
                "fill %.0f ms%n", round, 0 == round ? " (warm-up)" : "", histogram.getTotalCount(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
                histogram.getValueAtPercentile(99.9), histogram.getValueAtPercentile(99.99), histogram.getMaxValue(),
                result[1] / 1e6);
            if (round > 0)
            {
                all.add(histogram);
            }
        }
        final String summary = String.format("%s get during growth 0 -> %d keys, %d measured rounds: %d gets, " +
            "p50 %d ns, p90 %d ns, p99 %d ns, p99.9 %d ns, p99.99 %d ns, max %d ns; gets that missed a present key: %d%n",
            impl, size, rounds - 1, all.getTotalCount(), all.getValueAtPercentile(50), all.getValueAtPercentile(90),
            all.getValueAtPercentile(99), all.getValueAtPercentile(99.9), all.getValueAtPercentile(99.99),
            all.getMaxValue(), misses);
        System.out.print(summary);
        if (args.length > 3)
        {
            write(Path.of(args[3]), summary, all);
        }
    }

    /**
     * @return {gets that did not find a key inserted before they started, fill nanoseconds}.
     */
    private static long[] runRound(final Implementation impl, final long[] keys, final Histogram histogram)
        throws InterruptedException
    {
        final AtomicLong inserted = new AtomicLong();
        final long[] misses = {0};
        try (LongLongStore store = impl.open(keys.length, false))
        {
            final Thread reader = new Thread(() ->
            {
                long seed = 0x9E37_79B9_7F4A_7C15L;
                long done;
                while ((done = inserted.get()) < keys.length)
                {
                    if (0 == done)
                    {
                        continue;
                    }
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    final int index = (int)((seed >>> 33) % done);
                    final long start = System.nanoTime();
                    final long value = store.get(keys[index]);
                    final long elapsed = System.nanoTime() - start;
                    histogram.recordValue(elapsed);
                    if (value != Keys.value(index))
                    {
                        misses[0]++;
                    }
                }
            }, "reader");
            reader.start();
            final long start = System.nanoTime();
            for (int i = 0; i < keys.length; i++)
            {
                store.put(keys[i], Keys.value(i));
                if ((i & 255) == 255 || i == keys.length - 1)
                {
                    inserted.lazySet(i + 1); // the reader reads keys below this only
                }
            }
            final long fill = System.nanoTime() - start;
            reader.join();
            System.out.printf("  after the fill: offHeapBytes %d, process AnonHugePages %d kB%n", store.offHeapBytes(),
                anonHugePagesKb());
            return new long[]{misses[0], fill};
        }
    }

    /**
     * @return the process's anonymous memory on transparent huge pages ({@code /proc/self/smaps_rollup}): with the
     * JVM's heap on small pages (the default), that is the map's tables.
     */
    static long anonHugePagesKb()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
            {
                if (line.startsWith("AnonHugePages:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static void write(final Path file, final String summary, final Histogram histogram)
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8))
        {
            out.print(summary);
            histogram.outputPercentileDistribution(out, 1.0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
