package io.slotkv.map;

/**
 * A write needed more off-heap memory than the store's limit allows ({@link OffHeapByteStore.Builder#maxMemory}):
 * Redis's {@code noeviction}. Thrown before anything changed: the write did not happen, nothing was evicted, and the
 * store stays readable and writable within the memory it holds (removes, and writes that fit freed blocks).
 */
public class MemoryLimitException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * A write refused by the limit.
     *
     * @param message the bytes held, the bytes the write needed, the limit and the store.
     */
    public MemoryLimitException(final String message)
    {
        super(message);
    }
}
