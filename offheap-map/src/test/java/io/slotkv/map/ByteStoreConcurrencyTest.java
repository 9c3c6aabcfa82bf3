package io.slotkv.map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-threaded tests of {@link OffHeapByteStore} with exact results: disjoint inserts through replacements, one
 * winner per key for racing putIfAbsent, and readers of a key that writers keep replacing with values of different
 * lengths (and removing), each read checked to be one whole value a writer wrote. Bounded by time-outs as hang
 * guards; nothing asserts on elapsed time.
 */
@Timeout(120)
class ByteStoreConcurrencyTest
{
    private static final int THREADS = 4;

    @Test
    void disjointInsertsThroughGrowthAreAllThere() throws Exception
    {
        final int perThread = 50_000;
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            run(THREADS, t ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    final byte[] key = key(t, i);
                    if (store.put(key, value(t, i)))
                    {
                        throw new AssertionError("key was present: " + t + "/" + i);
                    }
                }
            });
            assertEquals((long)THREADS * perThread, store.size());
            for (int t = 0; t < THREADS; t++)
            {
                for (int i = 0; i < perThread; i++)
                {
                    assertArrayEquals(value(t, i), store.get(key(t, i)), t + "/" + i);
                }
            }
        }
    }

    @Test
    void racingPutIfAbsentHasOneWinnerPerKey() throws Exception
    {
        final int keys = 20_000;
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final AtomicLong wins = new AtomicLong();
            run(THREADS, t ->
            {
                for (int i = 0; i < keys; i++)
                {
                    if (store.putIfAbsent(key(0, i), value(t, i)))
                    {
                        wins.incrementAndGet();
                    }
                }
            });
            assertEquals(keys, wins.get());
            assertEquals(keys, store.size());
            for (int i = 0; i < keys; i++)
            {
                final byte[] value = store.get(key(0, i));
                boolean fromAWriter = false;
                for (int t = 0; t < THREADS; t++)
                {
                    fromAWriter |= java.util.Arrays.equals(value(t, i), value);
                }
                assertTrue(fromAWriter, "key " + i);
            }
        }
    }

    /**
     * Two writers replace (and now and then remove) a few keys with self-describing values of random lengths (the
     * first 4 bytes the length, every other byte derived from it and the writer); two readers check that every value
     * they get, into a buffer or as an array, is whole. Entries are freed and reused all the time, so a reader that
     * copied a reused block and did not notice would return a mix.
     */
    @Test
    void readersSeeOnlyWholeValuesWhileEntriesAreReused() throws Exception
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final byte[][] keys = {"a".getBytes(), "bb".getBytes(), new byte[0], "κλειδί".getBytes()};
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong reads = new AtomicLong();
            run(4, t ->
            {
                final SplittableRandom random = new SplittableRandom(t);
                if (t < 2)
                {
                    for (int i = 0; i < 300_000; i++)
                    {
                        final byte[] key = keys[random.nextInt(keys.length)];
                        if (random.nextInt(10) == 0)
                        {
                            store.remove(key);
                        }
                        else
                        {
                            store.put(key, selfDescribing(t, 4 + random.nextInt(300)));
                        }
                    }
                    stop.set(true);
                }
                else
                {
                    final UnsafeBuffer into = new UnsafeBuffer(new byte[512]);
                    while (!stop.get())
                    {
                        final byte[] key = keys[random.nextInt(keys.length)];
                        final byte[] value = store.get(key);
                        if (null != value)
                        {
                            checkWhole(value, value.length);
                        }
                        final int length = store.get(new UnsafeBuffer(key), 0, key.length, into, 0);
                        if (OffHeapByteStore.ABSENT != length)
                        {
                            final byte[] copied = new byte[length];
                            into.getBytes(0, copied);
                            checkWhole(copied, length);
                        }
                        reads.incrementAndGet();
                    }
                }
            });
            assertTrue(reads.get() > 0);
            assertTrue(store.entryBytes() < 64 * 1024, "entries freed: " + store.entryBytes() + " bytes in use");
        }
    }

    private static byte[] selfDescribing(final int writer, final int length)
    {
        final byte[] value = new byte[length];
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).putInt(length);
        for (int i = 4; i < length; i++)
        {
            value[i] = (byte)(writer * 31 + length + i);
        }
        return value;
    }

    /**
     * forEach while a writer churns other keys (inserts that replace tables, removes, updates that free and reuse
     * entries, incrBy, append): every key that has a value for the whole iteration comes out exactly once with its
     * value, and every churned key that comes out has a value it was given.
     */
    @Test
    void forEachHandsOutStableKeysExactlyOnceWhileWritersChurn() throws Exception
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            final int stable = 2_000;
            for (int i = 0; i < stable; i++)
            {
                store.put(("stable:" + i).getBytes(), stableValue(i));
            }
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicLong iterations = new AtomicLong();
            run(2, thread ->
            {
                if (0 == thread)
                {
                    final SplittableRandom random = new SplittableRandom(7);
                    for (int round = 0; round < 300_000 && !done.get(); round++)
                    {
                        final byte[] key = ("churn:" + random.nextInt(50_000)).getBytes();
                        switch (random.nextInt(4))
                        {
                            case 0 -> store.put(key, churnValue(random.nextInt(200)));
                            case 1 -> store.remove(key);
                            case 2 -> store.getAndSet(key, churnValue(random.nextInt(200)));
                            default -> store.put(key, churnValue(0));
                        }
                    }
                    done.set(true);
                    return;
                }
                while (!done.get() || iterations.get() == 0)
                {
                    final boolean[] seen = new boolean[stable];
                    store.forEach((key, value) ->
                    {
                        final byte[] k = new byte[key.capacity()];
                        key.getBytes(0, k);
                        final byte[] v = new byte[value.capacity()];
                        value.getBytes(0, v);
                        final String text = new String(k);
                        if (text.startsWith("stable:"))
                        {
                            final int i = Integer.parseInt(text.substring(7));
                            assertTrue(!seen[i], "stable key " + i + " handed out twice");
                            seen[i] = true;
                            assertArrayEquals(stableValue(i), v, text);
                        }
                        else
                        {
                            assertTrue(text.startsWith("churn:"), text);
                            final int n = v.length;
                            assertTrue(n < 200, "churned value length " + n);
                            assertArrayEquals(churnValue(n), v, text + ": a value no writer stored");
                        }
                    });
                    for (int i = 0; i < stable; i++)
                    {
                        assertTrue(seen[i], "stable key " + i + " missed");
                    }
                    iterations.incrementAndGet();
                }
            });
            assertTrue(iterations.get() > 0);
        }
    }

    private static byte[] stableValue(final int i)
    {
        final byte[] value = new byte[8 + i % 50];
        java.util.Arrays.fill(value, (byte)i);
        return value;
    }

    /** Value {@code n}: {@code n} bytes of {@code n}, so a torn or foreign value is recognisable. */
    private static byte[] churnValue(final int n)
    {
        final byte[] value = new byte[n];
        java.util.Arrays.fill(value, (byte)n);
        return value;
    }

    private static void checkWhole(final byte[] value, final int length)
    {
        if (length < 4 || ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt() != length)
        {
            throw new AssertionError("torn value: length " + length);
        }
        if (length == 4)
        {
            return;
        }
        final int offset = (value[4] - length - 4) & 0xFF;
        if (offset != 0 && offset != 31)
        {
            throw new AssertionError("torn value: byte 4 of " + length);
        }
        final int writer = offset / 31;
        for (int i = 4; i < length; i++)
        {
            if (value[i] != (byte)(writer * 31 + length + i))
            {
                throw new AssertionError("torn value: byte " + i + " of " + length);
            }
        }
    }

    private static byte[] key(final int thread, final int i)
    {
        return ("t" + thread + "-k" + i).getBytes();
    }

    private static byte[] value(final int thread, final int i)
    {
        final byte[] value = new byte[(i % 97) + thread];
        java.util.Arrays.fill(value, (byte)(thread + i));
        return value;
    }

    interface Body
    {
        void run(int thread) throws Exception;
    }

    static void run(final int threads, final Body body) throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(threads);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                    body.run(id);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            thread.start();
            running.add(thread);
        }
        for (final Thread thread : running)
        {
            thread.join();
        }
        assertNull(failure.get());
    }
}
