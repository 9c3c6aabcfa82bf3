package io.slotkv.stress.torture;

/**
 * The key space of the torture: each writer thread owns a disjoint set of keys, so a thread's log alone decides
 * what its keys must hold, whatever the other threads did.
 * <p>
 * Key {@code index} of thread {@code t} has magnitude {@code index * MAX_THREADS + t} and is negative for odd
 * indexes, so the keys cover 0 (thread 0's first key, kept in the map's directory rather than in a table), both
 * signs and every segment. Thread {@link #DRIVER_THREAD} is reserved for the driver's own write probe after a
 * reopen.
 */
final class TortureKeys
{
    /** Key ranges: writer threads use 0 to {@code MAX_THREADS - 2}, the driver the last one. */
    static final int MAX_THREADS = 4;

    /** The range of the keys the driver writes after a reopen, to show the recovered map accepts writes. */
    static final int DRIVER_THREAD = MAX_THREADS - 1;

    /** Most writer threads a child runs. */
    static final int MAX_WRITERS = DRIVER_THREAD;

    private TortureKeys()
    {
    }

    /**
     * @return key {@code index} (from 0) of thread {@code thread}.
     */
    static long key(final int thread, final long index)
    {
        final long magnitude = index * MAX_THREADS + thread;
        return 0 == (index & 1) ? magnitude : -magnitude;
    }

    /**
     * @return the thread that owns {@code key}.
     */
    static int thread(final long key)
    {
        return (int)(Math.abs(key) % MAX_THREADS);
    }

    /**
     * @return the index of {@code key} among its thread's keys.
     */
    static long index(final long key)
    {
        return Math.abs(key) / MAX_THREADS;
    }
}
