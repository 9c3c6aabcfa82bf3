package io.slotkv.map;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The striped counters lose no add: with threads that share a stripe (one stripe for all), with a stripe whose
 * owner died and is taken over, and with the default stripes. The race of two claims on one stripe is the jcstress
 * scenario {@code StoreCountersClaimTest}.
 */
class StoreCountersTest
{
    private static final int ADDS = 200_000;

    @Test
    void threadsThatShareAStripeLoseNoAdd() throws Exception
    {
        for (final int stripes : new int[] {1, 2, 64})
        {
            final StoreCounters counters = new StoreCounters(stripes);
            final int threads = 6;
            final CyclicBarrier start = new CyclicBarrier(threads);
            final List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    await(start);
                    for (int i = 0; i < ADDS; i++)
                    {
                        counters.increment(StoreCounters.HITS);
                        counters.add(StoreCounters.RESIZE_NANOS, 3);
                    }
                });
                thread.start();
                running.add(thread);
            }
            for (final Thread thread : running)
            {
                thread.join();
            }
            assertEquals((long)threads * ADDS, counters.sum(StoreCounters.HITS), "stripes=" + stripes);
            assertEquals(3L * threads * ADDS, counters.sum(StoreCounters.RESIZE_NANOS), "stripes=" + stripes);
            assertEquals(0, counters.sum(StoreCounters.MISSES), "counters do not bleed into each other");
        }
    }

    @Test
    void aDeadOwnersStripeIsTakenOverWithItsCounts() throws Exception
    {
        final StoreCounters counters = new StoreCounters(1);
        final Thread first = new Thread(() -> counters.add(StoreCounters.INSERTS, 5));
        first.start();
        first.join();
        assertSame(first, counters.owner(0));
        final Thread[] owner = new Thread[1];
        final Thread second = new Thread(() ->
        {
            counters.add(StoreCounters.INSERTS, 7);
            owner[0] = counters.owner(0);
        });
        second.start();
        second.join();
        assertSame(second, owner[0], "the stripe of a terminated owner goes to the next thread that adds");
        assertEquals(12, counters.sum(StoreCounters.INSERTS));
        assertEquals(0, counters.sharedSum(StoreCounters.INSERTS), "neither add went to the shared adder");
    }

    @Test
    void aLiveOwnersStripeIsNotTakenOver() throws Exception
    {
        final StoreCounters counters = new StoreCounters(1);
        counters.add(StoreCounters.UPDATES, 2); // this thread owns the only stripe, and stays alive
        final Thread other = new Thread(() -> counters.add(StoreCounters.UPDATES, 3));
        other.start();
        other.join();
        assertSame(Thread.currentThread(), counters.owner(0));
        assertEquals(3, counters.sharedSum(StoreCounters.UPDATES));
        assertEquals(5, counters.sum(StoreCounters.UPDATES));
        assertEquals(5, counters.snapshot()[StoreCounters.UPDATES]);
    }

    @Test
    void theStripesArePowersOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new StoreCounters(3));
        assertThrows(IllegalArgumentException.class, () -> new StoreCounters(0));
        final int stripes = new StoreCounters().stripes();
        assertEquals(1, Integer.bitCount(stripes));
        assertEquals(stripes, Math.max(StoreCounters.MIN_STRIPES, Math.min(StoreCounters.MAX_STRIPES, stripes)));
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
