package io.slotkv.map;

import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock the test moves by hand, for expiry: no test waits for wall time to pass.
 */
final class ManualClock implements InstantSource
{
    /** A realistic start: 2026-12-01T00:00:00Z. */
    static final long START = 1_796_083_200_000L;

    private volatile long millis;

    ManualClock()
    {
        this(START);
    }

    ManualClock(final long millis)
    {
        this.millis = millis;
    }

    void advance(final long delta)
    {
        millis += delta;
    }

    void set(final long millis)
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
