package io.slotkv.bench;

import io.slotkv.map.ManualClock;
import io.slotkv.map.OffHeapByteStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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

import java.util.concurrent.TimeUnit;

/**
 * The byte store's expiry (issue #11), on {@code keys} keys of 16 bytes with values of 100 bytes ({@link ByteKeys}),
 * every one with a deadline, on a clock the benchmark sets by hand:
 * <ul>
 * <li>{@link Sweep#sweepAll}: one sweep of every slot when every deadline has passed, as a single shot: the keys it
 * expires per second is the sweeper's throughput ({@code keys / time});</li>
 * <li>{@code getAlone} and {@code getWhileSweeping}: the latency of a get of a present key (SampleTime: its
 * percentiles), alone, and with a second thread sweeping the store without pause (every key has a deadline, none
 * passed, so each sweep reads every entry's deadline and expires nothing: the most a sweep costs a reader).</li>
 * </ul>
 * The background sweeper is off ({@code expirySweeper(false)}): the benchmark drives every sweep.
 */
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExpiryBenchmark
{
    /** The clock's time at the start: deadlines are an hour after it. */
    static final long START = ManualClock.START;

    static OffHeapByteStore fill(final int keys, final ManualClock clock)
    {
        final OffHeapByteStore store = OffHeapByteStore.builder().initialCapacity(keys).clock(clock)
            .expirySweeper(false).build();
        final byte[] key = new byte[ByteKeys.KEY_LENGTH];
        final byte[] value = new byte[ByteKeys.VALUE_LENGTH];
        for (int i = 0; i < keys; i++)
        {
            ByteKeys.key(i, key, 0);
            ByteKeys.value(i, value, 0);
            store.putUntil(key, value, START + 3_600_000 + (i & 1023));
        }
        return store;
    }

    /**
     * A fresh store per iteration whose every deadline has passed: one measured sweep expires all of them.
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public static class Sweep
    {
        @Param({"1000000"})
        public int keys;

        ManualClock clock;
        OffHeapByteStore store;

        @Setup(Level.Iteration)
        public void fill()
        {
            clock = new ManualClock(START);
            store = ExpiryBenchmark.fill(keys, clock);
            clock.set(START + 7_200_000); // every deadline passed
            System.gc();
        }

        @TearDown(Level.Iteration)
        public void close()
        {
            if (0 != store.size())
            {
                throw new IllegalStateException("the sweep left " + store.size() + " of " + keys + " keys");
            }
            store.close();
        }

        /** One sweep of every slot: expires every key. */
        @Benchmark
        public int sweepAll()
        {
            return store.sweepExpired((int)store.capacity());
        }
    }

    /**
     * A store whose keys all have deadlines an hour away, read by one thread while (in the second group) another
     * sweeps it without pause.
     */
    @State(Scope.Group)
    public static class Reads
    {
        @Param({"1000000"})
        public int keys;

        OffHeapByteStore store;
        final UnsafeBuffer into = new UnsafeBuffer(new byte[ByteKeys.VALUE_LENGTH]);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[ByteKeys.KEY_LENGTH]);
        int[] order;
        int next;
        long swept;

        @Setup(Level.Trial)
        public void fill()
        {
            store = ExpiryBenchmark.fill(keys, new ManualClock(START));
            order = KeyDistribution.UNIFORM.indices(keys, MapBenchmark.SAMPLES, 0xE0_E0L);
            System.gc();
        }

        @TearDown(Level.Trial)
        public void close()
        {
            store.close();
        }

        int get()
        {
            final int index = order[next];
            next = (next + 1) & (MapBenchmark.SAMPLES - 1);
            ByteKeys.key(index, key.byteArray(), 0);
            return store.get(key, 0, ByteKeys.KEY_LENGTH, into, 0);
        }
    }

    /** A get alone: the baseline of {@link #getWhileSweeping}. */
    @Benchmark
    @Group("alone")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int getAlone(final Reads reads)
    {
        return reads.get();
    }

    /** A get while another thread sweeps. */
    @Benchmark
    @Group("sweeping")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int getWhileSweeping(final Reads reads)
    {
        return reads.get();
    }

    /** The sweeping thread: batches of 1,024 slots, back to back. */
    @Benchmark
    @Group("sweeping")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int sweep(final Reads reads)
    {
        return reads.store.sweepExpired(1024);
    }
}
