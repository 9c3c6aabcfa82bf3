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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Steady-state operations on a byte store filled with {@code keys} keys of 16 bytes and values of 100 bytes
 * ({@link ByteKeys}) before measurement: get of present keys, put overwriting a present key with a value of the same
 * length, and 90/10 and 50/50 get/put mixes; keys drawn uniformly or from a scrambled zipfian (0.99,
 * {@link KeyDistribution}). Puts hit present keys only, so the store does not grow while measured. One
 * operation per invocation; the key of every operation and the read/write choice are precomputed per thread
 * ({@link Ops}), and each thread's {@link ByteStore.Session} holds its keys in the store's own form.
 * <p>
 * Run with {@code -t 1} and {@code -t 2}: all threads share the one store. {@code bench/run-bytes.sh} runs the
 * comparison; {@link ByteStoreFootprint} measures bytes per entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class ByteStoreBenchmark
{
    @Param({"SLOTKV", "CHM", "CHRONICLE", "LMDB"})
    public ByteStoreImplementation impl;

    @Param({"100000", "1000000"})
    public int keys;

    @Param({"UNIFORM", "ZIPFIAN"})
    public KeyDistribution distribution;

    ByteStore store;

    @Setup(Level.Trial)
    public void fill()
    {
        store = impl.open(keys);
        store.fill();
        System.gc(); // settle the fill's garbage before warmup, for every implementation alike
    }

    @TearDown(Level.Trial)
    public void close()
    {
        store.close();
    }

    /**
     * One thread's session, the key index of each of its operations, and which operations of the mix are puts.
     */
    @State(Scope.Thread)
    public static class Ops
    {
        private static final int MASK = MapBenchmark.SAMPLES - 1;

        ByteStore.Session session;
        int[] keys;
        long[] writes10;
        long[] writes50;
        int next;

        @Setup(Level.Trial)
        public void draw(final ByteStoreBenchmark benchmark, final ThreadParams thread)
        {
            final long seed = 0xB17E_0000L + 31L * thread.getThreadIndex();
            session = benchmark.store.session();
            keys = benchmark.distribution.indices(benchmark.keys, MapBenchmark.SAMPLES, seed);
            writes10 = OperationMix.draw(MapBenchmark.SAMPLES, 0.10, new SplittableRandom(seed + 1));
            writes50 = OperationMix.draw(MapBenchmark.SAMPLES, 0.50, new SplittableRandom(seed + 2));
        }

        @TearDown(Level.Trial)
        public void close()
        {
            session.close();
        }

        int advance()
        {
            final int index = next;
            next = (index + 1) & MASK;
            return index;
        }
    }

    /** 100% get of present keys. */
    @Benchmark
    public int get(final Ops ops)
    {
        return ops.session.get(ops.keys[ops.advance()]);
    }

    /** 100% put of present keys: an overwrite with a value of the same length, the store does not grow. */
    @Benchmark
    public int put(final Ops ops)
    {
        final int index = ops.advance();
        ops.session.put(ops.keys[index], index & (ByteKeys.UPDATE_VALUES - 1));
        return index;
    }

    /** 90% get, 10% put of present keys. */
    @Benchmark
    public int getPut90(final Ops ops)
    {
        return getOrPut(ops, ops.writes10);
    }

    /** 50% get, 50% put of present keys. */
    @Benchmark
    public int getPut50(final Ops ops)
    {
        return getOrPut(ops, ops.writes50);
    }

    private static int getOrPut(final Ops ops, final long[] writes)
    {
        final int index = ops.advance();
        final int key = ops.keys[index];
        if (OperationMix.isWrite(writes, index))
        {
            ops.session.put(key, index & (ByteKeys.UPDATE_VALUES - 1));
            return index;
        }
        return ops.session.get(key);
    }
}
