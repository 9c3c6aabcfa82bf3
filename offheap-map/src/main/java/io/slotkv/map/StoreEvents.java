package io.slotkv.map;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder events of SlotKV's stores, in category "SlotKV": {@value #RESIZE}, {@value #RECOVERY} and
 * {@value #EXPIRY_SWEEP}. Enabled by default in a recording, as every event is unless its settings turn it off;
 * cheap when no recording runs (an event object per resize, recovery or sweep, none per operation).
 * <p>
 * Only {@link StoreMonitor} touches these classes, and only when {@link #PRESENT}: a consumer on the module path
 * whose module graph lacks {@code jdk.jfr} (an automatic module does not pull it in) gets no events, not a
 * {@link NoClassDefFoundError}.
 */
final class StoreEvents
{
    static final String RESIZE = "io.slotkv.Resize";
    static final String RECOVERY = "io.slotkv.Recovery";
    static final String EXPIRY_SWEEP = "io.slotkv.ExpirySweep";

    /** Whether {@code jdk.jfr} can be loaded by this class. */
    static final boolean PRESENT = present();

    private StoreEvents()
    {
    }

    private static boolean present()
    {
        try
        {
            Class.forName("jdk.jfr.Event", false, StoreEvents.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return false;
        }
    }

    /**
     * @return a begun resize event, for {@link #endResize}.
     */
    static Object beginResize()
    {
        final ResizeEvent event = new ResizeEvent();
        event.begin();
        return event;
    }

    static void endResize(final Object begun, final String store, final int segment, final int fromCapacity,
        final int toCapacity, final int entries, final String reason)
    {
        final ResizeEvent event = (ResizeEvent)begun;
        event.end();
        if (event.shouldCommit())
        {
            event.store = store;
            event.segment = segment;
            event.fromCapacity = fromCapacity;
            event.toCapacity = toCapacity;
            event.entries = entries;
            event.reason = reason;
            event.commit();
        }
    }

    static Object beginSweep()
    {
        final ExpirySweepEvent event = new ExpirySweepEvent();
        event.begin();
        return event;
    }

    static void endSweep(final Object begun, final String store, final long slots, final long withDeadline,
        final long expired)
    {
        final ExpirySweepEvent event = (ExpirySweepEvent)begun;
        event.end();
        if (event.shouldCommit())
        {
            event.store = store;
            event.slots = slots;
            event.withDeadline = withDeadline;
            event.expired = expired;
            event.commit();
        }
    }

    static void recovered(final String store, final RecoveryReport report)
    {
        final RecoveryEvent event = new RecoveryEvent();
        if (event.shouldCommit())
        {
            event.store = store;
            event.crashed = !report.wasClosedCleanly();
            event.slotsScanned = report.slotsScanned();
            event.bytesScanned = report.bytesScanned();
            event.entries = report.entries();
            event.purged = report.purged();
            event.recoveryNanos = report.nanos();
            event.commit();
        }
    }

    @Name(RESIZE)
    @Label("Segment Resize")
    @Category("SlotKV")
    @Description("A segment's table replaced by a new one: grown, shrunk, rebuilt, re-keyed or compacted; the " +
        "duration is the time the segment's lock was held")
    @StackTrace(false)
    static final class ResizeEvent extends Event
    {
        @Label("Store")
        String store;

        @Label("Segment")
        int segment;

        @Label("From Capacity")
        @Description("Slots of the table replaced")
        int fromCapacity;

        @Label("To Capacity")
        @Description("Slots of the new table")
        int toCapacity;

        @Label("Entries")
        @Description("Keys with a value the replaced table held when the replacement began")
        int entries;

        @Label("Reason")
        @Description("grow, shrink, rebuild (same size, drops removed keys), rekey or compact")
        String reason;
    }

    @Name(RECOVERY)
    @Label("Store Recovery")
    @Category("SlotKV")
    @Description("A store file checked and repaired at open: after a crash, or when verification was asked for")
    @StackTrace(false)
    static final class RecoveryEvent extends Event
    {
        @Label("Store")
        String store;

        @Label("Crashed")
        @Description("Whether the file was not closed cleanly")
        boolean crashed;

        @Label("Slots Scanned")
        long slotsScanned;

        @Label("Bytes Scanned")
        long bytesScanned;

        @Label("Entries")
        @Description("Entries the store holds after the recovery")
        long entries;

        @Label("Purged")
        @Description("Damaged or unverifiable entries and keys removed")
        long purged;

        @Label("Recovery Time")
        @Timespan(Timespan.NANOSECONDS)
        long recoveryNanos;
    }

    @Name(EXPIRY_SWEEP)
    @Label("Expiry Sweep")
    @Category("SlotKV")
    @Description("One run of a byte store's expiry sweep: slots looked at, keys expired")
    @StackTrace(false)
    static final class ExpirySweepEvent extends Event
    {
        @Label("Store")
        String store;

        @Label("Slots")
        long slots;

        @Label("With Deadline")
        @Description("Keys met that had a deadline")
        long withDeadline;

        @Label("Expired")
        @Description("Keys whose passed deadline the sweep removed")
        long expired;
    }
}
