package io.slotkv.bench;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Insert into a growing map, 0 to {@code size} keys: each iteration starts from an empty map built without a size
 * hint (Chronicle Map excepted: it must be given its entry count) and the threads insert disjoint shares of the
 * keys. SingleShotTime: the score is the time of one whole fill, so inserts/s = size / score.
 * <p>
 * {@link #fillTimed} does the same fill but times every insert into an HdrHistogram, to show the latency a resize
 * adds; with {@code -Dslotkv.bench.growthLatencyFile=path} (in the forked JVM) each thread's histogram of the
 * measurement iterations is appended to that file. Its JMH score includes the timer cost: use {@link #fill} for
 * throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class GrowBenchmark
{
    /** System property naming the file {@link #fillTimed} appends its histograms to. */
    public static final String LATENCY_FILE_PROPERTY = "slotkv.bench.growthLatencyFile";

    @Param({"SLOTKV", "CHM", "NBHML", "CHRONICLE", "AGRONA_LOCKED"})
    public Implementation impl;

    @Param({"4194304"})
    public int size;

    LongLongStore store;

    @Setup(Level.Iteration)
    public void open()
    {
        store = impl.open(size, false);
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        store.close();
        store = null;
        System.gc(); // free the filled map (and SlotKV's direct buffers) outside the next measured fill
    }

    /**
     * One thread's share of the keys, and its insert latencies.
     */
    @State(Scope.Thread)
    public static class Share
    {
        long from;
        long to;
        Histogram iteration;
        Histogram measured;
        String label;

        @Setup(Level.Trial)
        public void assign(final GrowBenchmark benchmark, final ThreadParams thread)
        {
            final long share = benchmark.size / thread.getThreadCount();
            from = share * thread.getThreadIndex();
            to = thread.getThreadIndex() == thread.getThreadCount() - 1 ? benchmark.size : from + share;
            iteration = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            measured = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            label = benchmark.impl + "\t" + benchmark.size + "\t" + thread.getThreadCount();
        }

        @TearDown(Level.Iteration)
        public void collect(final IterationParams params)
        {
            if (IterationType.MEASUREMENT == params.getType())
            {
                measured.add(iteration);
            }
            iteration.reset();
        }

        @TearDown(Level.Trial)
        public void write()
        {
            final String file = System.getProperty(LATENCY_FILE_PROPERTY);
            if (null == file || 0 == measured.getTotalCount())
            {
                return;
            }
            final ByteBuffer buffer = ByteBuffer.allocate(measured.getNeededByteBufferCapacity());
            final int length = measured.encodeIntoCompressedByteBuffer(buffer);
            final String line = label + "\t" +
                Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)) + "\n";
            synchronized (GrowBenchmark.class)
            {
                try
                {
                    Files.write(Path.of(file), line.getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }

    /** Insert this thread's share of the keys into the growing map. */
    @Benchmark
    public void fill(final Share share)
    {
        final LongLongStore store = this.store;
        for (long i = share.from, to = share.to; i < to; i++)
        {
            store.put(Keys.key(i), Keys.value(i));
        }
    }

    /** {@link #fill} with every insert timed (System.nanoTime around each put). */
    @Benchmark
    public void fillTimed(final Share share)
    {
        final LongLongStore store = this.store;
        final Histogram histogram = share.iteration;
        final long highest = histogram.getHighestTrackableValue();
        for (long i = share.from, to = share.to; i < to; i++)
        {
            final long start = System.nanoTime();
            store.put(Keys.key(i), Keys.value(i));
            histogram.recordValue(Math.min(highest, System.nanoTime() - start));
        }
    }
}
