package io.slotkv.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * Steady-state operations on a map filled with {@code size} keys before measurement: YCSB-C (100% get),
 * YCSB-B (95/5 get/put), YCSB-A (50/50 get/put), 50/50 get/increment, and get of absent keys. Puts and increments
 * hit present keys only, so the map does not grow while measured. One operation per invocation; the keys and the
 * read/write choice of every operation are precomputed per thread ({@link Ops}).
 * <p>
 * Run with {@code -t 1}, {@code -t 2}, ...: all threads share the one map.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class MapBenchmark
{
    /** Operations drawn per thread before measurement; the sequence repeats after that. */
    static final int SAMPLES = 1 << 20;

    @Param({"SLOTKV", "CHM", "NBHML", "CHRONICLE", "AGRONA_LOCKED"})
    public Implementation impl;

    @Param({"100000", "4194304"})
    public int size;

    @Param({"ZIPFIAN", "UNIFORM"})
    public KeyDistribution distribution;

    LongLongStore store;

    @Setup(Level.Trial)
    public void fill()
    {
        store = impl.open(size, true);
        for (int i = 0; i < size; i++)
        {
            store.put(Keys.key(i), Keys.value(i));
        }
        System.gc(); // settle the fill's garbage before warmup, for every implementation alike
    }

    @TearDown(Level.Trial)
    public void close()
    {
        store.close();
    }

    /**
     * One thread's precomputed operations: present keys, absent keys, and which operations of a mixed workload are
     * writes (a random bit per operation, so branch prediction sees the same pattern a real mix would give).
     */
    @State(Scope.Thread)
    public static class Ops
    {
        private static final int MASK = SAMPLES - 1;

        long[] present;
        long[] absent;
        long[] writes5;
        long[] writes50;
        final long[] batchKeys = new long[BATCH];
        final long[] batchValues = new long[BATCH];
        int next;

        @Setup(Level.Trial)
        public void draw(final MapBenchmark benchmark, final ThreadParams thread)
        {
            final long seed = 0x5EED_0000L + 31L * thread.getThreadIndex();
            present = benchmark.distribution.presentKeys(benchmark.size, SAMPLES, seed);
            absent = benchmark.distribution.absentKeys(benchmark.size, SAMPLES, seed + 1);
            writes5 = OperationMix.draw(SAMPLES, 0.05, new SplittableRandom(seed + 2));
            writes50 = OperationMix.draw(SAMPLES, 0.50, new SplittableRandom(seed + 3));
        }

        int advance()
        {
            final int index = next;
            next = (index + 1) & MASK;
            return index;
        }
    }

    /** YCSB-C: 100% get of present keys. */
    @Benchmark
    public long get(final Ops ops)
    {
        return store.get(ops.present[ops.advance()]);
    }

    /** Keys per {@link #getBatch} invocation. */
    static final int BATCH = 16;

    /**
     * 100% get of present keys, {@value #BATCH} at a time through {@link LongLongStore#getAll}: SlotKV overlaps the
     * cache misses of the batch; the others run a loop of gets (their getAll is that loop). Throughput is per key.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long getBatch(final Ops ops)
    {
        final long[] keys = ops.batchKeys;
        for (int i = 0; i < BATCH; i++)
        {
            keys[i] = ops.present[ops.advance()];
        }
        store.getAll(keys, ops.batchValues, BATCH);
        return ops.batchValues[BATCH - 1];
    }

    /** 100% get of absent keys: a miss must probe to an empty slot (or the end of a bin). */
    @Benchmark
    public long getAbsent(final Ops ops)
    {
        return store.get(ops.absent[ops.advance()]);
    }

    /** 100% put of present keys: an update in place, the map does not grow. */
    @Benchmark
    public long put(final Ops ops)
    {
        final int index = ops.advance();
        store.put(ops.present[index], index + 1L);
        return index;
    }

    /** YCSB-B: 95% get, 5% put of present keys. */
    @Benchmark
    public long getPut95(final Ops ops)
    {
        final int index = ops.advance();
        final long key = ops.present[index];
        if (OperationMix.isWrite(ops.writes5, index))
        {
            store.put(key, index + 1L);
            return index;
        }
        return store.get(key);
    }

    /** YCSB-A: 50% get, 50% put of present keys. */
    @Benchmark
    public long getPut50(final Ops ops)
    {
        final int index = ops.advance();
        final long key = ops.present[index];
        if (OperationMix.isWrite(ops.writes50, index))
        {
            store.put(key, index + 1L);
            return index;
        }
        return store.get(key);
    }

    /** 50% get, 50% atomic increment of present keys (counters). */
    @Benchmark
    public long getIncrement50(final Ops ops)
    {
        final int index = ops.advance();
        final long key = ops.present[index];
        if (OperationMix.isWrite(ops.writes50, index))
        {
            return store.increment(key);
        }
        return store.get(key);
    }
}
