package io.slotkv.bench;

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
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * Insert {@code keys} new keys (16-byte keys, 100-byte values, {@link ByteKeys}) into a byte store that starts empty
 * and is not presized (Chronicle Map and LMDB excepted: they must be told their size, see
 * {@link ByteStoreImplementation#open(int, boolean)}); the threads insert disjoint shares. SingleShotTime: the score
 * is the time of one whole fill, so inserts/s = keys / score. Each iteration opens a new store and new sessions
 * (the sessions' lookup keys are built outside the measurement).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class ByteStoreGrowBenchmark
{
    @Param({"SLOTKV", "CHM", "CHRONICLE", "LMDB"})
    public ByteStoreImplementation impl;

    @Param({"1000000"})
    public int keys;

    ByteStore store;

    @Setup(Level.Iteration)
    public void open()
    {
        store = impl.open(keys, false);
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        store.close();
        store = null;
        System.gc(); // the filled store's garbage goes before the next measured fill, for every implementation alike
    }

    /**
     * One thread's session on the iteration's store and its share of the keys.
     */
    @State(Scope.Thread)
    public static class Share
    {
        ByteStore.Session session;
        int from;
        int to;

        @Setup(Level.Iteration)
        public void open(final ByteStoreGrowBenchmark benchmark, final ThreadParams thread)
        {
            final int share = benchmark.keys / thread.getThreadCount();
            from = share * thread.getThreadIndex();
            to = thread.getThreadIndex() == thread.getThreadCount() - 1 ? benchmark.keys : from + share;
            session = benchmark.store.session();
        }

        @TearDown(Level.Iteration)
        public void close()
        {
            session.close();
            session = null;
        }
    }

    /** Insert this thread's share of the keys, each with one of the update values. */
    @Benchmark
    public void fill(final Share share)
    {
        final ByteStore.Session session = share.session;
        for (int i = share.from, to = share.to; i < to; i++)
        {
            session.put(i, i & (ByteKeys.UPDATE_VALUES - 1));
        }
    }
}
