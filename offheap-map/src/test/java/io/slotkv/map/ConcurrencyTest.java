package io.slotkv.map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads racing on one map, with results that must come out exact. Small initial tables, so that resizes run
 * inside every race.
 */
class ConcurrencyTest
{
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldLoseNoIncrementOnSharedCounters(final Backing backing) throws Exception
    {
        final int increments = 1_000_000;
        final int counters = 8;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(2).build())
        {
            race(THREADS, thread ->
            {
                for (int i = 0; i < increments; i++)
                {
                    map.incrementAndGet(i % counters); // key 0 (the side slot) is one of them
                }
            });
            for (long key = 0; key < counters; key++)
            {
                assertEquals((long)THREADS * increments / counters, map.get(key), "counter " + key);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldLoseNoUpdateOfExistingKeysWhileTheirSegmentResizes(final Backing backing) throws Exception
    {
        final int counters = 64;
        final int increments = 400_000;
        final int inserts = 400_000;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).build())
        {
            for (long key = 1; key <= counters; key++)
            {
                map.put(key, 0);
            }
            // threads 0..2 only update existing keys; thread 3 inserts and removes, replacing the table ~20 times
            race(THREADS, thread ->
            {
                if (thread == THREADS - 1)
                {
                    for (long i = 0; i < inserts; i++)
                    {
                        map.put(1_000 + i, i);
                        if (i % 4 == 0)
                        {
                            map.remove(1_000 + i / 2);
                        }
                    }
                }
                else
                {
                    for (int i = 0; i < increments; i++)
                    {
                        map.incrementAndGet(1 + (i + thread) % counters);
                    }
                }
            });
            long total = 0;
            for (long key = 1; key <= counters; key++)
            {
                total += map.get(key);
            }
            assertEquals((long)(THREADS - 1) * increments, total, "increments lost while the segment resized");
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldKeepEveryDisjointInsertWhileSegmentsResize(final Backing backing) throws Exception
    {
        final int perThread = 250_000;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(2).build())
        {
            race(THREADS, thread ->
            {
                for (long i = 0; i < perThread; i++)
                {
                    final long key = i * THREADS + thread;
                    map.put(key, ~key);
                    // a few reads of keys inserted earlier by this thread, across resizes
                    if ((i & 0xFF) == 0 && i > 0)
                    {
                        final long old = (i / 2) * THREADS + thread;
                        assertEquals(~old, map.get(old), "key " + old + " lost during resizes");
                    }
                }
            });
            assertEquals((long)THREADS * perThread, map.size());
            for (long key = 0; key < (long)THREADS * perThread; key++)
            {
                assertEquals(~key, map.get(key), "key " + key);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldLetExactlyOnePutIfAbsentWinPerKey(final Backing backing) throws Exception
    {
        final int keys = 200_000;
        final AtomicLong wins = new AtomicLong();
        try (OffHeapLongLongMap map = backing.builder(dir).segments(2).build())
        {
            race(THREADS, thread ->
            {
                long won = 0;
                for (long key = 0; key < keys; key++)
                {
                    final long existing = map.putIfAbsent(key, thread);
                    if (existing == map.missingValue())
                    {
                        won++;
                    }
                    else
                    {
                        assertTrue(existing >= 0 && existing < THREADS, "loser saw " + existing);
                    }
                }
                wins.addAndGet(won);
            });
            assertEquals(keys, wins.get());
            assertEquals(keys, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldKeepCountsExactUnderPutRemoveChurn(final Backing backing) throws Exception
    {
        final int rounds = 300_000;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).build())
        {
            // each thread owns its keys; the keys overlap in slots and segments, and removals force rebuilds
            race(THREADS, thread ->
            {
                for (long i = 0; i < rounds; i++)
                {
                    final long key = i * THREADS + thread + 1;
                    assertEquals(map.missingValue(), map.put(key, i));
                    if (i >= 50)
                    {
                        final long old = (i - 50) * THREADS + thread + 1;
                        assertEquals(i - 50, map.remove(old), "key " + old);
                    }
                }
            });
            assertEquals(THREADS * 50L, map.size());
            final long[] sum = new long[1];
            map.forEach((key, value) -> sum[0]++);
            assertEquals(THREADS * 50L, sum[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldReplaceWithExactlyOneWinnerPerValue(final Backing backing) throws Exception
    {
        final int steps = 200_000;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(1).build())
        {
            map.put(7, 0);
            final AtomicLong successes = new AtomicLong();
            race(THREADS, thread ->
            {
                long won = 0;
                for (int i = 0; i < steps; i++)
                {
                    final long current = map.get(7);
                    if (map.replace(7, current, current + 1))
                    {
                        won++;
                    }
                    map.put(1000 + (i % 5000) * THREADS + thread, i); // keep the segment resizing
                }
                successes.addAndGet(won);
            });
            assertEquals(successes.get(), map.get(7), "every successful CAS-replace adds exactly one");
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldFailOperationsRacingCloseWithIllegalStateOnly(final Backing backing) throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final OffHeapLongLongMap map = backing.builder(dir).segments(2).build();
            final AtomicBoolean closed = new AtomicBoolean();
            final AtomicLong rejected = new AtomicLong();
            final CyclicBarrier started = new CyclicBarrier(THREADS + 1);
            final List<Thread> threads = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        started.await();
                        for (long i = 0; ; i++)
                        {
                            final long key = i * THREADS + thread;
                            map.put(key, i);
                            if (map.get(key) != i)
                            {
                                throw new AssertionError("read back " + map.get(key) + " for key " + key);
                            }
                            map.incrementAndGet(thread);
                        }
                    }
                    catch (final IllegalStateException ex)
                    {
                        if (!closed.get() || !"map is closed".equals(ex.getMessage()))
                        {
                            failure.compareAndSet(null, ex);
                        }
                        rejected.incrementAndGet();
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                worker.start();
                threads.add(worker);
            }
            started.await();
            while (map.size() < 2_000 * (round + 1) && null == failure.get())
            {
                Thread.onSpinWait();
            }
            closed.set(true);
            map.close();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            if (null != failure.get())
            {
                throw new AssertionError("round " + round, failure.get());
            }
            assertEquals(THREADS, rejected.get());
        }
    }

    interface Worker
    {
        void run(int thread) throws Exception;
    }

    static void race(final int threads, final Worker worker) throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(threads);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            final Thread runner = new Thread(() ->
            {
                try
                {
                    start.await();
                    worker.run(thread);
                }
                catch (final BrokenBarrierException ignored)
                {
                    failure.compareAndSet(null, ignored);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "racer-" + t);
            runner.start();
            running.add(runner);
        }
        for (final Thread runner : running)
        {
            runner.join();
        }
        if (null != failure.get())
        {
            throw new AssertionError("a racing thread failed", failure.get());
        }
    }
}
