package io.slotkv.stress.torture;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * When the driver kills one child: at a random instant, in its recovery of a crashed store, or aimed at a resize
 * (the first table replacement of at least {@link #minCapacity} slots, from {@link KillTorture#MIN_AIM_CAPACITY}
 * to 4 times that, that the child announces once the plan is armed). An aimed plan that meets no such
 * replacement kills at its deadline.
 */
final class KillPlan
{
    enum Kind
    {
        /** At a random delay after the child's map is open. */
        AFTER_OPEN,
        /** At a random delay after the child was started: while the JVM starts, or opens the store. */
        FROM_SPAWN,
        /**
         * While the child opens a crashed store (between its OPENING and OPEN lines: its own recovery), at a random
         * fraction of the time recoveries have taken; the delay is measured from OPENING.
         */
        IN_RECOVERY,
        /**
         * At a random fraction of an announced replacement's expected duration after its announcement: while the
         * new table is allocated, the empty slots frozen, the values copied, or just after; the delay is the
         * deadline.
         */
        AIMED,
        /**
         * In the copy pass of an announced replacement: once the driver sees the segment's Next Table Offset set in
         * the file, at a random fraction of the copy pass's expected duration; the delay is the deadline.
         */
        AIMED_AT_COPY
    }

    /** Share of the aimed plans that wait for the copy pass. */
    static final int AIMED_AT_COPY_PERCENT = 70;

    /** Share of the runs on a crashed store that kill the child in its recovery. */
    static final int IN_RECOVERY_PERCENT = 40;

    /** Share of the random kills timed from the child's start rather than from its open. */
    static final int FROM_SPAWN_PERCENT = 15;

    final Kind kind;
    final long delayNanos;
    final long armNanos;
    final double aimFraction;
    final int minCapacity;

    private KillPlan(
        final Kind kind, final long delayNanos, final long armNanos, final double aimFraction, final int minCapacity)
    {
        this.kind = kind;
        this.delayNanos = delayNanos;
        this.armNanos = armNanos;
        this.aimFraction = aimFraction;
        this.minCapacity = minCapacity;
    }

    /**
     * @param aimedPercent  share of the plans aimed at a resize.
     * @param crashedStore  true if the child opens a store nobody recovered since the last kill.
     * @param recoveryNanos how long recoveries take, about.
     */
    static KillPlan random(final SplittableRandom random, final int aimedPercent, final boolean crashedStore,
        final long recoveryNanos)
    {
        if (crashedStore && random.nextInt(100) < IN_RECOVERY_PERCENT)
        {
            return new KillPlan(Kind.IN_RECOVERY, (long)(random.nextDouble(0, 1.3) * recoveryNanos), 0, 0, 0);
        }
        if (random.nextInt(100) < aimedPercent)
        {
            final boolean copy = random.nextInt(100) < AIMED_AT_COPY_PERCENT;
            return new KillPlan(copy ? Kind.AIMED_AT_COPY : Kind.AIMED, millis(1400), millis(random.nextInt(500)),
                copy ? random.nextDouble(0, 0.9) : random.nextDouble(0, 1.0),
                KillTorture.MIN_AIM_CAPACITY << random.nextInt(3));
        }
        if (random.nextInt(100) < FROM_SPAWN_PERCENT)
        {
            return new KillPlan(Kind.FROM_SPAWN, millis(random.nextInt(30, 1200)), 0, 0, 0);
        }
        return new KillPlan(Kind.AFTER_OPEN, millis(random.nextInt(1100)), 0, 0, 0);
    }

    boolean aimed()
    {
        return Kind.AIMED == kind || Kind.AIMED_AT_COPY == kind;
    }

    /**
     * @return when the timer kills, or {@link Long#MAX_VALUE} while that depends on a line not seen yet.
     */
    long deadline(final long spawnNanos, final long openingNanos, final long openNanos)
    {
        switch (kind)
        {
            case FROM_SPAWN:
                return spawnNanos + delayNanos;
            case IN_RECOVERY:
                return 0 == openingNanos ? Long.MAX_VALUE : openingNanos + delayNanos;
            default:
                return 0 == openNanos ? Long.MAX_VALUE : openNanos + delayNanos;
        }
    }

    @Override
    public String toString()
    {
        switch (kind)
        {
            case AIMED:
            case AIMED_AT_COPY:
                return (Kind.AIMED == kind ? "aimed" : "aimed-at-copy") + "(armed " +
                    TimeUnit.NANOSECONDS.toMillis(armNanos) + " ms after open, capacity>=" + minCapacity + ")";
            case FROM_SPAWN:
                return "timer(" + TimeUnit.NANOSECONDS.toMillis(delayNanos) + " ms after start)";
            case IN_RECOVERY:
                return "in-recovery(" + TimeUnit.NANOSECONDS.toMicros(delayNanos) + " us after OPENING)";
            default:
                return "timer(" + TimeUnit.NANOSECONDS.toMillis(delayNanos) + " ms after open)";
        }
    }

    private static long millis(final long millis)
    {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
