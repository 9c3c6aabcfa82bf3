package io.slotkv.map;

/**
 * A store's statistics over JMX, registered when its builder asks ({@link StoreBuilder#registerMBean(boolean)}) as
 * {@code io.slotkv:type=OffHeapByteStore,name="<store name>"} (or {@code type=OffHeapLongLongMap}) and unregistered
 * by {@code close}. Each attribute is read from a fresh {@link StoreStatistics} snapshot, whose Javadoc says what is
 * counted.
 */
public interface StoreStatisticsMXBean
{
    /**
     * Read the store's name: the builder's, else its file's name, else "anonymous".
     *
     * @return the store's name: the builder's, else its file's name, else "anonymous".
     */
    String getName();

    /**
     * Read whether the store counts operations.
     *
     * @return whether the store counts operations.
     */
    boolean isCounting();

    /**
     * Read gets (hits plus misses).
     *
     * @return gets (hits plus misses).
     */
    long getGets();

    /**
     * Read gets that found a value.
     *
     * @return gets that found a value.
     */
    long getHits();

    /**
     * Read gets that found none.
     *
     * @return gets that found none.
     */
    long getMisses();

    /**
     * Read hits over gets, 0 if there was no get.
     *
     * @return hits over gets, 0 if there was no get.
     */
    double getHitRate();

    /**
     * Read puts (inserts plus updates).
     *
     * @return puts (inserts plus updates).
     */
    long getPuts();

    /**
     * Read puts of a key that had no value.
     *
     * @return puts of a key that had no value.
     */
    long getInserts();

    /**
     * Read puts that replaced a value.
     *
     * @return puts that replaced a value.
     */
    long getUpdates();

    /**
     * Read writes that removed a value.
     *
     * @return writes that removed a value.
     */
    long getRemoves();

    /**
     * Read values removed by their deadline.
     *
     * @return values removed by their deadline.
     */
    long getExpired();

    /**
     * Read compare-and-set instructions that failed on another thread's change.
     *
     * @return compare-and-set instructions that failed on another thread's change.
     */
    long getCasRetries();

    /**
     * Read replacements of a segment's table.
     *
     * @return replacements of a segment's table.
     */
    long getResizes();

    /**
     * Read nanoseconds spent in them.
     *
     * @return nanoseconds spent in them.
     */
    long getResizeNanos();

    /**
     * Read 1 if the open recovered the store, else 0.
     *
     * @return 1 if the open recovered the store, else 0.
     */
    long getRecoveries();

    /**
     * Read keys with a value.
     *
     * @return keys with a value.
     */
    long getEntries();

    /**
     * Read off-heap bytes the store holds.
     *
     * @return off-heap bytes the store holds.
     */
    long getBytesUsed();

    /**
     * Read of those, bytes that hold no entry.
     *
     * @return of those, bytes that hold no entry.
     */
    long getBytesFree();

    /**
     * Read the number of segments.
     *
     * @return the number of segments.
     */
    int getSegments();

    /**
     * Read the index of the segment with the most entries.
     *
     * @return the index of the segment with the most entries.
     */
    int getLargestSegment();

    /**
     * Read the entries of the segment with the most entries.
     *
     * @return the entries of the segment with the most entries.
     */
    long getLargestSegmentEntries();

    /**
     * Read the highest load (entries over slots) of any segment's table.
     *
     * @return the highest load (entries over slots) of any segment's table.
     */
    double getMaxSegmentLoad();
}
