package io.slotkv.map;

import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The byte store's reclamation of expired keys: one cursor over every segment's slots, swept a batch at a time
 * ({@link ByteTable#sweep}), by the store's owner ({@link OffHeapByteStore#sweepExpired}) or by a background task.
 * A sweep only turns expired LIVE words into tombstones, by CAS, inside the store's epoch like any writer: it takes
 * no lock a reader or a writer waits on. The cursor is guarded by this object's monitor, which only sweeps take.
 * <p>
 * <b>Background task</b>, after Redis's active expiry: every {@value #PERIOD_MILLIS} ms it sweeps batches of
 * {@value #BATCH} slots for {@value #RUN_MICROS} µs, and for up to {@value #BUSY_RUN_MICROS} µs while the last batch
 * found at least a tenth of the deadlines it looked at expired, so the expired-but-unreclaimed share stays small
 * without costing more than a few percent of one core. It runs on one daemon thread, {@value #THREAD_NAME}, shared
 * by every store of the JVM, created when the first store needs it; a store needs it from the first deadline it is
 * given (and from its open, for a store file, which may hold deadlines). The task holds its store weakly, so a store
 * dropped without {@code close} is not kept alive by it.
 */
final class ExpirySweeper
{
    static final int BATCH = 1024;
    static final long PERIOD_MILLIS = 100;
    static final long RUN_MICROS = 1_000;
    static final long BUSY_RUN_MICROS = 20_000;
    static final String THREAD_NAME = "slotkv-expiry";

    private final OffHeapByteStore store;
    private final int segmentCount;
    private final boolean background;
    private final int[] capacity = new int[1];
    private int segment;
    private int index;
    private long expired;
    private long sweeps;
    private volatile ScheduledFuture<?> task;
    private volatile boolean stopped;

    ExpirySweeper(final OffHeapByteStore store, final int segmentCount, final boolean background)
    {
        this.store = store;
        this.segmentCount = segmentCount;
        this.background = background;
    }

    /**
     * Sweep {@code maxSlots} slots from the cursor on, moving to the next segment at the end of a table.
     *
     * @return the words with a deadline seen (high 32 bits) and the keys expired (low 32 bits).
     * @throws IllegalStateException if the store is closed.
     */
    synchronized long sweep(final int maxSlots)
    {
        final Object event = store.monitor.beginSweep();
        long seen = 0;
        long expiredNow = 0;
        long slots = 0;
        int left = maxSlots;
        while (left > 0)
        {
            final int count = Math.min(left, BATCH);
            final long result = store.sweepSegment(segment, index, count, capacity);
            seen += result >>> 32;
            expiredNow += (int)result;
            final int scanned = Math.max(0, Math.min(count, capacity[0] - index));
            index += scanned;
            slots += scanned;
            left -= Math.max(1, scanned);
            if (index >= capacity[0])
            {
                index = 0;
                segment = segment + 1 == segmentCount ? 0 : segment + 1;
            }
            if (stopped)
            {
                break; // closing: no more batches
            }
        }
        expired += expiredNow;
        sweeps++;
        store.monitor.swept(event, slots, seen, expiredNow);
        return (Math.min(seen, Integer.MAX_VALUE) << 32) | expiredNow;
    }

    /**
     * @return the keys this sweeper expired since the store opened.
     */
    synchronized long expiredCount()
    {
        return expired;
    }

    /**
     * @return whether the background task is scheduled.
     */
    boolean isRunning()
    {
        return null != task && !stopped;
    }

    /**
     * Schedule the background task, if this store has one and it is not scheduled yet; cheap when it is.
     */
    void startIfIdle()
    {
        if (background && null == task && !stopped)
        {
            start();
        }
    }

    private synchronized void start()
    {
        if (null == task && !stopped)
        {
            task = Executor.INSTANCE.scheduleWithFixedDelay(new Run(this), PERIOD_MILLIS, PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stop the background task and wait for a sweep in progress to finish its batch: after this returns, this
     * sweeper writes nothing (a later sweep finds the store closed; the caller has marked it closed).
     */
    void stop()
    {
        stopped = true;
        final ScheduledFuture<?> scheduled = task;
        if (null != scheduled)
        {
            scheduled.cancel(false);
        }
        synchronized (this)
        {
            // every sweep holds this monitor: taking it waits for the one in progress, if any
        }
    }

    /**
     * One run of the background task.
     */
    private void runOnce()
    {
        final long start = System.nanoTime();
        long budget = TimeUnit.MICROSECONDS.toNanos(RUN_MICROS);
        while (!stopped && System.nanoTime() - start < budget)
        {
            final long result = sweep(BATCH);
            final long seen = result >>> 32;
            final long expiredNow = (int)result;
            // busy: a tenth or more of the deadlines seen had passed, so keep going for longer
            budget = TimeUnit.MICROSECONDS.toNanos(seen > 0 && expiredNow * 10 >= seen ? BUSY_RUN_MICROS : RUN_MICROS);
        }
    }

    /**
     * The scheduled task: holds its sweeper weakly and cancels itself once the store is gone or closed.
     */
    private static final class Run implements Runnable
    {
        private final WeakReference<ExpirySweeper> sweeper;

        Run(final ExpirySweeper sweeper)
        {
            this.sweeper = new WeakReference<>(sweeper);
        }

        @Override
        public void run()
        {
            final ExpirySweeper target = sweeper.get();
            if (null == target || target.stopped)
            {
                throw new CancellationSignal(); // a periodic task that throws is not run again
            }
            try
            {
                target.runOnce();
            }
            catch (final IllegalStateException closed)
            {
                target.stop(); // closed between the check and the sweep
            }
            catch (final RuntimeException ex)
            {
                target.stop();
                System.getLogger(ExpirySweeper.class.getName()).log(System.Logger.Level.ERROR,
                    "expiry sweeper stopped: " + ex, ex);
            }
        }
    }

    /**
     * Thrown by a task whose store is gone: the executor drops a periodic task whose run throws.
     */
    private static final class CancellationSignal extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        CancellationSignal()
        {
            super("store gone", null, false, false);
        }
    }

    /**
     * The one daemon thread of every store's background sweep, created on first use.
     */
    private static final class Executor
    {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create()
        {
            final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable ->
            {
                final Thread thread = new Thread(runnable, THREAD_NAME);
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }
}
