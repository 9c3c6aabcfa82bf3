package io.slotkv.map;

/**
 * A store's statistics over JMX, registered when its builder asks ({@link StoreBuilder#registerMBean(boolean)}) as
 * {@code io.slotkv:type=OffHeapByteStore,name="<store name>"} (or {@code type=OffHeapLongLongMap}) and unregistered
 * by {@code close}. Each attribute is read from a fresh {@link StoreStatistics} snapshot, whose Javadoc says what is
 * counted; after {@code close} every attribute read fails with {@link IllegalStateException}.
 */
public interface StoreStatisticsMXBean
{
    /** @return the store's name: the builder's, else its file's name, else "anonymous". */
    String getName();

    /** @return whether the store counts operations. */
    boolean isCounting();

    /** @return gets (hits plus misses). */
    long getGets();

    /** @return gets that found a value. */
    long getHits();

    /** @return gets that found none. */
    long getMisses();

    /** @return hits over gets, 0 if there was no get. */
    double getHitRate();

    /** @return puts (inserts plus updates). */
    long getPuts();

    /** @return puts of a key that had no value. */
    long getInserts();

    /** @return puts that replaced a value. */
    long getUpdates();

    /** @return writes that removed a value. */
    long getRemoves();

    /** @return values removed by their deadline. */
    long getExpired();

    /** @return compare-and-set instructions that failed on another thread's change. */
    long getCasRetries();

    /** @return replacements of a segment's table. */
    long getResizes();

    /** @return nanoseconds spent in them. */
    long getResizeNanos();

    /** @return 1 if the open recovered the store, else 0. */
    long getRecoveries();

    /** @return keys with a value. */
    long getEntries();

    /** @return off-heap bytes the store holds. */
    long getBytesUsed();

    /** @return of those, bytes that hold no entry. */
    long getBytesFree();

    /** @return the number of segments. */
    int getSegments();

    /** @return the index of the segment with the most entries. */
    int getLargestSegment();

    /** @return the entries of the segment with the most entries. */
    long getLargestSegmentEntries();

    /** @return the highest load (entries over slots) of any segment's table. */
    double getMaxSegmentLoad();
}
