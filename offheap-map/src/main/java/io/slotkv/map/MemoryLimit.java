package io.slotkv.map;

import java.util.function.LongSupplier;

/**
 * The byte store's limit on its off-heap memory, checked before each allocation that grows it: a new arena of an
 * entry heap ({@link EntryHeap}) and a new table or heap of a replacement ({@link ByteTable.Kind}). The bytes held
 * are {@link OffHeapByteStore#offHeapBytes()}, read lock-free. Allocations in different segments may pass the check
 * together, so the store can exceed the limit by at most one arena or table per segment at a time.
 */
final class MemoryLimit
{
    /** No limit. */
    static final MemoryLimit NONE = new MemoryLimit(0, "");

    private final long max;
    private final String store;
    private volatile LongSupplier held;

    /**
     * @param max   bytes, 0 for none.
     * @param store the store, for messages.
     */
    MemoryLimit(final long max, final String store)
    {
        this.max = max;
        this.store = store;
    }

    /**
     * Start checking, against what {@code held} says (the store is built).
     */
    void start(final LongSupplier held)
    {
        this.held = held;
    }

    /**
     * @throws MemoryLimitException if {@code bytes} more would take the store past its limit.
     */
    void check(final long bytes, final String what)
    {
        final LongSupplier supplier = held;
        if (0 == max || null == supplier)
        {
            return;
        }
        final long now = supplier.getAsLong();
        if (now + bytes > max)
        {
            throw new MemoryLimitException("OOM: the store's memory limit does not allow " + what + ": held=" + now +
                " bytes, needed=" + bytes + ", maxMemory=" + max + " (noeviction: nothing was written or evicted; " +
                "remove keys, or raise Builder.maxMemory), in " + store);
        }
    }
}
