package io.slotkv.map;

import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of a store's statistics: {@link OffHeapLongLongMap#statistics()},
 * {@link OffHeapByteStore#statistics()}.
 * <p>
 * <b>What is counted</b> (since the store was opened; a store file does not keep counts):
 * <ul>
 *     <li>a <i>get</i> is a lookup a caller asked for: {@code get}, {@code getOrDefault}, {@code containsKey}, each key
 *     of {@code getAll}, a view's {@code get} and {@code containsKey}. It is a <i>hit</i> if the key had a value, a
 *     <i>miss</i> otherwise. The read inside a write is not a get (Redis counts its keyspace hits the same way);
 *     nor are iteration, {@code size}, {@code ttl};</li>
 *     <li>a <i>put</i> is a write that stored a value: an <i>insert</i> if the key had none (a key whose deadline had
 *     passed had none), an <i>update</i> if it replaced one. A write that changed nothing (a {@code putIfAbsent} of
 *     a present key, a {@code replace} of an absent one, a comparison that failed) is neither. Expire and persist
 *     change no value and are not puts;</li>
 *     <li>a <i>remove</i> is a write that removed a key's value; {@code clear} is not counted;</li>
 *     <li><i>expired</i> counts keys whose value a passed deadline removed: by the sweeper, by a replacement of
 *     their table, or by a write that found the key expired;</li>
 *     <li><i>CAS retries</i> counts compare-and-set instructions that failed because another thread changed the same
 *     word first (each one is then retried): the measure of contention on keys;</li>
 *     <li><i>resizes</i> counts replacements of a segment's table by a larger, smaller, rebuilt, re-keyed or compacted
 *     one (not {@code clear}), and their time with the segment's lock held;</li>
 *     <li><i>recoveries</i> is 1 if the open repaired the store (after a crash, or when asked to verify), else 0.</li>
 * </ul>
 * The counters are read without stopping writers: each is exact when no operation runs, and otherwise may miss the
 * operations that run during the snapshot. With statistics turned off ({@link StoreBuilder#statistics(boolean)}),
 * every counter is 0 and {@link #counting()} is false; the sizes ({@link #entries()}, the bytes, the segments) are
 * read either way.
 *
 * @param counting    whether the store counts operations.
 * @param hits        gets that found a value.
 * @param misses      gets that found none.
 * @param inserts     puts of a key that had no value.
 * @param updates     puts that replaced a value.
 * @param removes     writes that removed a value.
 * @param expired     values removed by their deadline.
 * @param casRetries  compare-and-set instructions that failed on another thread's change and were retried.
 * @param resizes     replacements of a segment's table.
 * @param resizeNanos time spent in them, holding the segment's lock.
 * @param recoveries  1 if the open recovered the store, else 0.
 * @param entries     keys with a value ({@code size()}).
 * @param bytesUsed   off-heap bytes the store holds ({@code offHeapBytes()}).
 * @param bytesFree   of those, bytes that hold no entry: the byte store's free heap bytes ({@code freeBytes()}), the
 *                    long map's table slots without a key.
 * @param segments    every segment's entries and slots, by index.
 */
public record StoreStatistics(
    boolean counting,
    long hits,
    long misses,
    long inserts,
    long updates,
    long removes,
    long expired,
    long casRetries,
    long resizes,
    long resizeNanos,
    long recoveries,
    long entries,
    long bytesUsed,
    long bytesFree,
    List<SegmentLoad> segments)
{
    /**
     * Make a snapshot; the segments are copied.
     *
     * @param counting    whether the store counts operations.
     * @param hits        gets that found a value.
     * @param misses      gets that found none.
     * @param inserts     puts of a key that had no value.
     * @param updates     puts that replaced a value.
     * @param removes     writes that removed a value.
     * @param expired     values removed by their deadline.
     * @param casRetries  compare-and-set instructions that failed on another thread's change and were retried.
     * @param resizes     replacements of a segment's table.
     * @param resizeNanos time spent in them, holding the segment's lock.
     * @param recoveries  1 if the open recovered the store, else 0.
     * @param entries     keys with a value ({@code size()}).
     * @param bytesUsed   off-heap bytes the store holds ({@code offHeapBytes()}).
     * @param bytesFree   of those, bytes that hold no entry: the byte store's free heap bytes ({@code freeBytes()}), the
     *                    long map's table slots without a key.
     * @param segments    every segment's entries and slots, by index.
     * @throws NullPointerException if {@code segments} is null.
     */
    public StoreStatistics
    {
        segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
    }

    /**
     * Count the gets.
     *
     * @return the gets: hits plus misses.
     */
    public long gets()
    {
        return hits + misses;
    }

    /**
     * Count the puts.
     *
     * @return the puts: inserts plus updates.
     */
    public long puts()
    {
        return inserts + updates;
    }

    /**
     * Tell the share of gets that found a value.
     *
     * @return hits over gets, 0 if there was no get.
     */
    public double hitRate()
    {
        final long gets = gets();
        return 0 == gets ? 0 : (double)hits / gets;
    }

    /**
     * Find the segment with the most entries.
     *
     * @return the segment with the most entries (the lowest index among equals).
     */
    public SegmentLoad largestSegment()
    {
        SegmentLoad largest = segments.get(0);
        for (final SegmentLoad segment : segments)
        {
            if (segment.entries() > largest.entries())
            {
                largest = segment;
            }
        }
        return largest;
    }

    /**
     * One segment's share of the store.
     *
     * @param index    the segment's index.
     * @param entries  keys with a value in it.
     * @param capacity slots of its current table.
     */
    public record SegmentLoad(int index, long entries, long capacity)
    {
        /**
         * Tell how full the segment's table is.
         *
         * @return entries over slots (the table is replaced at the store's max load).
         */
        public double load()
        {
            return 0 == capacity ? 0 : (double)entries / capacity;
        }
    }
}
