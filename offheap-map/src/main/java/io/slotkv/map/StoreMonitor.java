package io.slotkv.map;

import java.util.List;
import java.util.function.Supplier;

/**
 * What a store reports about itself, in one place: its name, its counters (null when statistics are off, so an
 * operation's cost is one null test), and the JFR events of the rare things (resizes, recoveries, sweeps), which
 * are emitted whether or not statistics are on.
 */
final class StoreMonitor
{
    final String name;

    /** The store's counters; null if statistics are off. */
    final StoreCounters counters;

    /** The store's {@link StoreMBean} once registered; typed Object so that this class loads without JMX. */
    private Object mbean;

    StoreMonitor(final String name, final boolean counting)
    {
        this.name = name;
        this.counters = counting ? new StoreCounters() : null;
    }

    /**
     * Count {@code delta} in {@code counter}, if statistics are on. For paths off the hottest ones (those copy
     * {@link #counters} into a final field and test it themselves).
     */
    void add(final int counter, final long delta)
    {
        final StoreCounters counters = this.counters;
        if (null != counters)
        {
            counters.add(counter, delta);
        }
    }

    /**
     * @return a begun event (or null) for {@link #replaced}; read the clock first.
     */
    Object beginReplace()
    {
        return StoreEvents.PRESENT ? StoreEvents.beginResize() : null;
    }

    /**
     * A segment's table was replaced (not cleared): count it and emit its event.
     *
     * @param begun       from {@link #beginReplace}.
     * @param beginNanos  {@link System#nanoTime()} when the replacement began.
     */
    void replaced(final Object begun, final long beginNanos, final int segment, final int fromCapacity,
        final int toCapacity, final int entries, final String reason)
    {
        final long nanos = System.nanoTime() - beginNanos;
        final StoreCounters counters = this.counters;
        if (null != counters)
        {
            counters.increment(StoreCounters.RESIZES);
            counters.add(StoreCounters.RESIZE_NANOS, nanos);
        }
        if (null != begun)
        {
            StoreEvents.endResize(begun, name, segment, fromCapacity, toCapacity, entries, reason);
        }
    }

    Object beginSweep()
    {
        return StoreEvents.PRESENT ? StoreEvents.beginSweep() : null;
    }

    /**
     * A sweep ran: count what it expired and emit its event.
     */
    void swept(final Object begun, final long slots, final long withDeadline, final long expired)
    {
        add(StoreCounters.EXPIRED, expired);
        if (null != begun)
        {
            StoreEvents.endSweep(begun, name, slots, withDeadline, expired);
        }
    }

    /**
     * The open repaired the store as {@code report} says.
     */
    void recovered(final RecoveryReport report)
    {
        add(StoreCounters.RECOVERIES, 1);
        if (StoreEvents.PRESENT)
        {
            StoreEvents.recovered(name, report);
        }
    }

    /**
     * @return a snapshot of the counters with the sizes given.
     */
    StoreStatistics statistics(final long entries, final long bytesUsed, final long bytesFree,
        final List<StoreStatistics.SegmentLoad> segments)
    {
        final long[] c = null == counters ? new long[StoreCounters.COUNTERS] : counters.snapshot();
        return new StoreStatistics(null != counters, c[StoreCounters.HITS], c[StoreCounters.MISSES],
            c[StoreCounters.INSERTS], c[StoreCounters.UPDATES], c[StoreCounters.REMOVES], c[StoreCounters.EXPIRED],
            c[StoreCounters.CAS_RETRIES], c[StoreCounters.RESIZES], c[StoreCounters.RESIZE_NANOS],
            c[StoreCounters.RECOVERIES], entries, bytesUsed, bytesFree, segments);
    }

    /**
     * Register the store's statistics MBean.
     *
     * @throws IllegalStateException if the name is taken, or the JVM lacks the {@code java.management} module.
     */
    void registerMBean(final Class<?> type, final Supplier<StoreStatistics> statistics)
    {
        try
        {
            mbean = StoreMBean.register(type, name, statistics);
        }
        catch (final NoClassDefFoundError ex)
        {
            throw new IllegalStateException("cannot register the store's MBean: the java.management module is " +
                "missing (add it: --add-modules java.management, or requires java.management)", ex);
        }
    }

    /**
     * Unregister the store's MBean, if it was registered.
     */
    void unregisterMBean()
    {
        final Object registered = mbean;
        mbean = null;
        if (null != registered)
        {
            ((StoreMBean)registered).unregister();
        }
    }
}
