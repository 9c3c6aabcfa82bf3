package io.slotkv.bench;

/**
 * The one view of a long-to-long map the benchmarks use, so every implementation runs the same workload code.
 * Each implementation is used the way its own users would use it (boxing where its API boxes).
 */
public interface LongLongStore extends AutoCloseable
{
    /** Returned by {@link #get} for an absent key; never stored. */
    long MISSING = Long.MIN_VALUE;

    /**
     * @return the value of {@code key}, or {@link #MISSING}.
     */
    long get(long key);

    /**
     * {@code values[i] = get(keys[i])} for the first {@code length} keys; implementations with a batched lookup
     * override it.
     */
    default void getAll(final long[] keys, final long[] values, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            values[i] = get(keys[i]);
        }
    }

    /**
     * Set the value of {@code key}; the previous value is not needed (implementations may skip decoding it).
     */
    void put(long key, long value);

    /**
     * Atomically add one to the value of {@code key}, an absent key counting as 0.
     *
     * @return the new value.
     */
    long increment(long key);

    /**
     * @return off-heap bytes the map itself accounts for, or 0 if it keeps everything on the heap.
     */
    long offHeapBytes();

    @Override
    void close();
}
