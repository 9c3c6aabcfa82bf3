package io.slotkv.bench;

/**
 * The one view of a byte-key, byte-value store the byte benchmarks use ({@link ByteStoreBenchmark}), so every
 * implementation runs the same workload code. Keys and values are those of {@link ByteKeys}, addressed by index:
 * each implementation builds them once, in the form its own users would pass them, before anything is measured.
 * <p>
 * The store holds what it stores; a {@link Session} holds what a caller holds: its lookup keys, the update values
 * and the buffer a get reads into. So a footprint measured around {@link #fill()} counts the store only.
 */
public interface ByteStore extends AutoCloseable
{
    /** Returned by {@link Session#get} for a key without a value. */
    int ABSENT = -1;

    /**
     * Put the fill value of every key {@code 0..keys-1} ({@link ByteKeys#value(int)}), each key built in the form
     * the store keeps.
     */
    void fill();

    /**
     * @return a new session, for one thread.
     */
    Session session();

    /**
     * @return off-heap bytes the store itself accounts for, or 0 if it keeps everything on the heap.
     */
    long offHeapBytes();

    /**
     * @return bytes of the stored entries alone (keys, values, headers, size-class rounding) where the store can
     * tell them apart from its tables, or -1.
     */
    default long entryBytes()
    {
        return -1;
    }

    @Override
    void close();

    /**
     * One thread's handle on the store: its own copies of the lookup keys and update values and its reusable read
     * buffer, so that where the store's API allows it neither operation allocates. Never shared between threads.
     */
    interface Session extends AutoCloseable
    {
        /**
         * Read the value of key {@code key} the way the store's users read it (into this session's reusable buffer,
         * or as the stored object where the API hands that out).
         *
         * @return the value's length, or {@link ByteStore#ABSENT}.
         */
        int get(int key);

        /**
         * Set the value of key {@code key} to update value {@code value} ({@code 0..ByteKeys.UPDATE_VALUES-1});
         * the previous value is not needed.
         */
        void put(int key, int value);

        /**
         * @return a copy of the value of key {@code key}, or null: for checks outside any measurement (allocates).
         */
        byte[] copyOf(int key);

        @Override
        default void close()
        {
        }
    }
}
