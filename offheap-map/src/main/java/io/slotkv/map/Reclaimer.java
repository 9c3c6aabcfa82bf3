package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When the memory of a replaced table can be given back (anonymous memory) or reused (store file space): epochs
 * that writers take part in and readers do not.
 * <p>
 * <b>Writers</b> announce themselves for the length of one operation ({@link #enter}/{@link #exit}): a counter
 * per epoch parity and per stripe of threads, so two threads rarely share a counter's cache line. A writer can
 * CAS a word it read long ago; if the table's memory had been reused meanwhile, that CAS could succeed on another
 * table's word. So memory is released only when every writer that might hold the table has left.
 * <p>
 * <b>Readers</b> write nothing: they check {@link LongLongTable#retired} after the words they read (a seqlock with
 * one version bit per table), and start again from the segment's current table if it is set.
 * <p>
 * <b>Protocol.</b> {@link #retire} sets the table's {@code retired} flag (then a full fence), and records the epoch
 * {@code r} current at that moment. The epoch advances from {@code e} to {@code e + 1} only when no writer of
 * parity {@code (e + 1) & 1} is inside (those entered during {@code e - 1}). A writer enters by incrementing the
 * counter of the parity of the epoch it read, then re-reads the epoch and retries if it moved; it loads the
 * segment's table only after that. So once the epoch reaches {@code r + 2}, every writer that entered during
 * {@code r} or before has left, and every writer inside entered after the table stopped being the segment's table:
 * none holds it, and {@link MemorySpace#release} is safe.
 */
final class Reclaimer
{
    /** Longs per counter: two cache lines, so adjacent counters never share one (nor the adjacent-line prefetch). */
    private static final int PAD = 16;

    /** How long {@link #retire} waits for writers to leave before it leaves the rest to a later call. */
    static final long RETIRE_WAIT_NANOS = 200_000;

    private MemorySpace space;
    private final int stripeMask;
    private final AtomicLongArray counters;
    private volatile long epoch;

    /** Retired tables not released yet, oldest first; guarded by this. */
    private final ArrayDeque<Retired> pending = new ArrayDeque<>();
    private volatile long pendingBytes;

    Reclaimer(final MemorySpace space)
    {
        this.space = space;
        final int stripes = Math.min(64, Math.max(8,
            Integer.highestOneBit(Math.max(1, 2 * Runtime.getRuntime().availableProcessors() - 1)) << 1));
        this.stripeMask = stripes - 1;
        this.counters = new AtomicLongArray(2 * stripes * PAD);
    }

    /**
     * Announce a writer; call {@link #exit} with the result when the operation is done (also when it throws).
     *
     * @return the counter this writer incremented.
     */
    int enter()
    {
        final int stripe = stripe();
        while (true)
        {
            final long e = epoch;
            final int counter = counter((int)(e & 1), stripe);
            counters.getAndIncrement(counter);
            if (e == epoch)
            {
                return counter;
            }
            counters.getAndDecrement(counter); // the epoch moved: count in the new one
        }
    }

    void exit(final int counter)
    {
        counters.getAndDecrement(counter);
    }

    private int stripe()
    {
        final long id = Thread.currentThread().getId();
        return (int)((id * 0x9E37_79B9_7F4A_7C15L) >>> 32) & stripeMask;
    }

    private int counter(final int parity, final int stripe)
    {
        return ((parity * (stripeMask + 1)) + stripe) * PAD;
    }

    /**
     * The table is no longer the segment's table nor any table's {@link LongLongTable#next} that an operation can
     * newly reach: mark it retired and release its memory once no writer can hold it (waiting a little for that,
     * else at a later call). The calling thread must not be inside an operation of this map ({@link #enter}).
     */
    void retire(final SegmentTable<?> table)
    {
        retire(table, false);
    }

    /**
     * As {@link #retire(SegmentTable)}; with {@code withEntries}, the memory the table's entries live in goes too
     * ({@link SegmentTable#entryRegions}, read when it is released, so that a block a late writer still added is
     * included): the byte store's old heap after a compacting replacement, or the fresh heap of a compacting
     * replacement that gave up.
     */
    void retire(final SegmentTable<?> table, final boolean withEntries)
    {
        table.retired = true;
        VarHandle.fullFence(); // the flag is visible before anything reuses or releases the memory
        synchronized (this)
        {
            final long bytes = null == space ? 0 : footprint(table, withEntries);
            pending.addLast(new Retired(table, withEntries, epoch, bytes));
            pendingBytes += bytes;
        }
        reclaim(RETIRE_WAIT_NANOS);
    }

    private long footprint(final SegmentTable<?> table, final boolean withEntries)
    {
        long bytes = space.footprint(table.region);
        if (withEntries)
        {
            for (final MemoryRegion region : table.entryRegions())
            {
                bytes += space.footprint(region);
            }
        }
        return bytes;
    }

    /**
     * Release every retired table that no writer can hold any more, waiting up to {@code maxWaitNanos} for
     * writers that are still inside.
     *
     * @return true if nothing is left pending.
     */
    boolean reclaim(final long maxWaitNanos)
    {
        final long deadline = System.nanoTime() + maxWaitNanos;
        synchronized (this)
        {
            while (!pending.isEmpty())
            {
                final Retired oldest = pending.peekFirst();
                if (epoch >= oldest.epoch + 2)
                {
                    pending.removeFirst();
                    if (null != space)
                    {
                        pendingBytes -= oldest.bytes;
                        space.release(oldest.table.region);
                        if (oldest.withEntries)
                        {
                            for (final MemoryRegion region : oldest.table.entryRegions())
                            {
                                space.release(region);
                            }
                        }
                    }
                    continue;
                }
                if (!tryAdvance())
                {
                    if (System.nanoTime() - deadline >= 0)
                    {
                        return false;
                    }
                    Thread.onSpinWait();
                    Thread.yield();
                }
            }
            return true;
        }
    }

    /**
     * Drop the space and whatever is still pending (its memory is then left to the GC): after the map's close.
     */
    synchronized void close()
    {
        pending.clear();
        pendingBytes = 0;
        space = null;
    }

    /**
     * @return the bytes of retired tables (and of the entry heaps retired with them) not released yet.
     */
    long pendingBytes()
    {
        return pendingBytes;
    }

    private boolean tryAdvance()
    {
        final long e = epoch;
        final int parity = (int)((e + 1) & 1);
        for (int stripe = 0; stripe <= stripeMask; stripe++)
        {
            if (0 != counters.get(counter(parity, stripe)))
            {
                return false;
            }
        }
        epoch = e + 1;
        return true;
    }

    private static final class Retired
    {
        final SegmentTable<?> table;
        final boolean withEntries;
        final long epoch;

        /** What {@link #pendingBytes} counts for it, from its retirement to its release. */
        final long bytes;

        Retired(final SegmentTable<?> table, final boolean withEntries, final long epoch, final long bytes)
        {
            this.table = table;
            this.withEntries = withEntries;
            this.epoch = epoch;
            this.bytes = bytes;
        }
    }
}
