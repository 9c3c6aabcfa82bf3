package io.slotkv.stress;

import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock an actor steps by hand: the instant a key expires is a write of this clock, racing the store's operations.
 */
public final class SteppedClock implements InstantSource
{
    /** The clock's first time: 2026-12-01T00:00:00Z. */
    public static final long START = 1_796_083_200_000L;

    private volatile long millis = START;

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
