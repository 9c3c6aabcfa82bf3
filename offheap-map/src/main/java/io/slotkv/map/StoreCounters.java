package io.slotkv.map;

import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A store's statistics counters, written without contention: each thread adds into a stripe of its own, so no
 * cache line is written by two threads' operations.
 * <p>
 * <b>Stripes.</b> A thread's stripe is picked by its id ({@code id & mask}); stripe {@code i} is the
 * {@value #STRIDE} longs from {@code (i + 1) * STRIDE} of one array (256 bytes, of which the first 88 are used: an
 * array is only 8-byte aligned, and a gap of at least 128 bytes keeps two stripes' used longs off one cache line and
 * off one adjacent-line prefetch pair; the first stride is padding). Its {@link #OWNER} long holds the id of the
 * thread that owns it, 0 if none. The owner adds with an opaque read and an opaque write (a plain {@code mov} on
 * x86): it is the stripe's only writer, so nothing is lost, and the opaque accesses keep each long whole for a
 * concurrent {@link #sum}. The hot path addresses the array without bounds checks: every offset is a stripe of
 * {@code [1, stripes]} (the mask bounds it) plus a counter below {@link #STRIDE}.
 * <p>
 * <b>Ownership.</b> A thread whose stripe has no owner claims it by CAS on {@link #owners}; a stripe whose owner
 * thread has terminated is taken over the same way. The owner's last adds happen-before the take-over: the
 * terminating thread's last action synchronizes-with the {@code isAlive()} that returns false. A thread id names
 * one thread for the life of the JVM, so a thread that reads its own id in {@link #OWNER} owns the stripe (only a
 * dead owner's id is ever replaced). A thread whose stripe another live thread owns (ids that collide under the
 * mask) adds into a {@link LongAdder} instead: correct, only slower. The dead owners' {@link Thread} objects stay
 * referenced until their stripes are taken over (at most one per stripe).
 * <p>
 * A {@link #sum} is weakly consistent, as {@link LongAdder#sum()} is: adds that run meanwhile may or may not be in
 * it, and two counters read in one snapshot need not be from the same instant.
 */
final class StoreCounters
{
    static final int HITS = 0;
    static final int MISSES = 1;
    static final int INSERTS = 2;
    static final int UPDATES = 3;
    static final int REMOVES = 4;
    static final int EXPIRED = 5;
    static final int CAS_RETRIES = 6;
    static final int RESIZES = 7;
    static final int RESIZE_NANOS = 8;
    static final int RECOVERIES = 9;
    static final int COUNTERS = 10;

    /** The long of a stripe that holds its owner's thread id, on the line the owner writes anyway. */
    static final int OWNER = COUNTERS;

    /** Longs per stripe: 256 bytes. */
    static final int STRIDE = 32;

    private static final int STRIDE_SHIFT = Integer.numberOfTrailingZeros(STRIDE * Long.BYTES);
    private static final long BASE = UnsafeApi.arrayBaseOffset(long[].class);

    static final int MIN_STRIPES = 64;
    static final int MAX_STRIPES = 1024;

    private final long[] cells;
    private final int mask;
    private final AtomicReferenceArray<Thread> owners;
    private final LongAdder[] shared = new LongAdder[COUNTERS];

    StoreCounters()
    {
        this(Math.min(MAX_STRIPES, Math.max(MIN_STRIPES,
            Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1)));
    }

    /**
     * @param stripes a power of two.
     */
    StoreCounters(final int stripes)
    {
        if (stripes < 1 || Integer.bitCount(stripes) != 1)
        {
            throw new IllegalArgumentException("stripes must be a power of two: stripes=" + stripes);
        }
        this.cells = new long[(stripes + 1) * STRIDE];
        this.mask = stripes - 1;
        this.owners = new AtomicReferenceArray<>(stripes);
        for (int i = 0; i < COUNTERS; i++)
        {
            shared[i] = new LongAdder();
        }
    }

    void increment(final int counter)
    {
        add(counter, 1);
    }

    /**
     * @param counter one of this class's counter constants (not checked on the owner's path).
     */
    void add(final int counter, final long delta)
    {
        final long id = Thread.currentThread().getId();
        final long stripe = BASE + ((((int)id & mask) + 1L) << STRIDE_SHIFT);
        final long cell = stripe + ((long)counter << 3);
        if (id == UnsafeApi.getLongOpaque(cells, stripe + ((long)OWNER << 3)))
        {
            UnsafeApi.putLongOpaque(cells, cell, UnsafeApi.getLongOpaque(cells, cell) + delta);
        }
        else
        {
            addUnowned((int)id & mask, counter, delta);
        }
    }

    private void addUnowned(final int stripe, final int counter, final long delta)
    {
        if (claim(stripe))
        {
            final long cell = BASE + ((stripe + 1L) << STRIDE_SHIFT) + ((long)counter << 3);
            UnsafeApi.putLongOpaque(cells, cell, UnsafeApi.getLongOpaque(cells, cell) + delta);
        }
        else
        {
            shared[counter].add(delta);
        }
    }

    /**
     * @return true if the current thread now owns stripe {@code stripe}: it was free, or its owner has terminated.
     */
    private boolean claim(final int stripe)
    {
        final Thread self = Thread.currentThread();
        final Thread owner = owners.get(stripe);
        if (owner == self)
        {
            return true;
        }
        if ((null == owner || !owner.isAlive()) && owners.compareAndSet(stripe, owner, self))
        {
            final long ownerCell = BASE + ((stripe + 1L) << STRIDE_SHIFT) + ((long)OWNER << 3);
            UnsafeApi.putLongVolatile(cells, ownerCell, self.getId());
            return true;
        }
        return false;
    }

    /**
     * @return the counter summed over every stripe and the shared adder: weakly consistent.
     */
    long sum(final int counter)
    {
        long sum = shared[counter].sum();
        for (int base = STRIDE; base < cells.length; base += STRIDE)
        {
            sum += UnsafeApi.getLongOpaque(cells, BASE + ((long)(base + counter) << 3));
        }
        return sum;
    }

    /**
     * @return every counter's {@link #sum}, indexed by counter.
     */
    long[] snapshot()
    {
        final long[] sums = new long[COUNTERS];
        for (int i = 0; i < COUNTERS; i++)
        {
            sums[i] = sum(i);
        }
        return sums;
    }

    /**
     * @return the thread that owns {@code stripe}, null if none: for tests.
     */
    Thread owner(final int stripe)
    {
        return owners.get(stripe);
    }

    /**
     * @return the part of the counter added by threads without a stripe of their own: for tests.
     */
    long sharedSum(final int counter)
    {
        return shared[counter].sum();
    }

    /**
     * @return the number of stripes.
     */
    int stripes()
    {
        return mask + 1;
    }
}
