package io.slotkv.map;

import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that moves only when it is told to, for {@link OffHeapByteStore.Builder#clock}: tests and benchmarks of
 * expiry set the time by hand instead of waiting for it to pass. Thread-safe (a volatile time).
 */
public final class ManualClock implements InstantSource
{
    /** A realistic start: 2026-12-01T00:00:00Z, in milliseconds since the epoch. */
    public static final long START = 1_796_083_200_000L;

    private volatile long millis;

    /**
     * A clock at {@link #START}.
     */
    public ManualClock()
    {
        this(START);
    }

    /**
     * A clock at a given time.
     *
     * @param millis milliseconds since the epoch.
     */
    public ManualClock(final long millis)
    {
        this.millis = millis;
    }

    /**
     * Move the clock on (or back, with a negative delta).
     *
     * @param delta milliseconds.
     */
    public void advance(final long delta)
    {
        millis += delta;
    }

    /**
     * Set the clock.
     *
     * @param millis milliseconds since the epoch.
     */
    public void set(final long millis)
    {
        this.millis = millis;
    }

    @Override
    public long millis()
    {
        return millis;
    }

    @Override
    public Instant instant()
    {
        return Instant.ofEpochMilli(millis);
    }
}
