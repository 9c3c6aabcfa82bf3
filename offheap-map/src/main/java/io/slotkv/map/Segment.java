package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.util.List;
import java.util.concurrent.locks.StampedLock;

import static io.slotkv.map.DirectoryDescriptor.NO_NEXT_TABLE;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_NEXT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.segmentEntryOffset;

/**
 * One segment of a map: the current table and the lock that only table replacement
 * (resize, rebuild, re-key, clear, close) takes. Readers never take it nor wait for it: one that meets a frozen
 * slot of its key reads the key in the table being filled ({@link SegmentTable#next}). A writer that meets a
 * frozen word or a full table calls {@link #awaitOrReplace}: it waits on the read side of the lock, so every
 * writer waiting for one replacement wakes at once, and only when no replacement is running and the table still
 * needs one does a writer take the write lock and replace it.
 * <p>
 * <b>Replacement protocol</b> ({@link #replace}), under the write lock; each step says what a crash right after it
 * leaves, and what an open of the file then does:
 * <ol>
 *   <li>allocate the new table, disk space reserved (may throw: nothing changed), and name it as the current
 *       table's {@code next} for readers;</li>
 *   <li>{@link SegmentTable#freezeAbsent}: freeze every slot without a value, counting the slots with one (a
 *       crash: frozen slots of a current table are absent; recovery thaws them). If the new table is too small
 *       for that count, thaw and start again with a larger one: the segment is exactly as it was;</li>
 *   <li>{@link SegmentTable#copyEntriesInto}: only for a compacting replacement (the byte store's heap is
 *       fragmented, {@link SegmentTable#wantsCompaction}): freeze the rest of the table, then copy every entry into
 *       the new table's own fresh memory and its slot into the new table, while both are private. The one step
 *       after a freeze that allocates, so it comes before the intent; if it throws, the table is thawed and the
 *       segment is exactly as it was (a crash: the new table and its memory are unreferenced space);</li>
 *   <li>record the new table as the segment's Next Table in the directory (one word);</li>
 *   <li>{@link SegmentTable#copyAndFreezeInto}: copy, then freeze, slot by slot (a crash: every frozen slot's
 *       value is in the next table; recovery copies the unfrozen rest and publishes it) - nothing here allocates
 *       or throws;</li>
 *   <li>name the new table as the segment's Table (one word: the replacement's commit point in the file), clear
 *       Next (a crash between the two: recovery sees Table = Next and clears it);</li>
 *   <li>publish it to operations with the volatile store of {@link #table}, release the lock, and retire the old
 *       table ({@link Reclaimer}): its memory goes back once no writer can hold it, with the memory its entries
 *       live in if the new table does not share it (after a compaction).</li>
 * </ol>
 * The protocol is the same for every kind of table; what differs (how a table is made, sized and encoded) is its
 * {@link TableKind}.
 * <p>
 * <b>Re-keying</b> (the long map: a writer's value cannot be encoded with the table's value key, see
 * {@link SlotDescriptor}):
 * two replacements under one hold of the lock. The first copies the table as it is into a private table; writers
 * keep waiting, so the private table cannot change, and a value key that encodes all its values is chosen for the
 * second, which copies into the table that is then published.
 */
final class Segment<T extends SegmentTable<T>>
{
    /** Tries at sizing a new table when writers keep adding entries while it is being frozen. */
    private static final int SIZING_ATTEMPTS = 3;

    private final int index;
    private final StampedLock lock = new StampedLock();
    private final Reclaimer reclaimer;
    private final TableKind<T> kind;
    private final StoreMonitor monitor;

    /** The map's space and directory; read and written only under the write lock, dropped by {@link #close}. */
    private MemorySpace space;
    private MemoryRegion directory;
    private final double maxLoad;
    private final int minCapacity;
    private final int maxCapacity;
    private final boolean readOnly;

    /**
     * The current table, null once the map is closed. Written only under the write lock; the volatile store
     * publishes the new table's contents (written with plain stores while private) to the volatile load at the
     * start of every operation.
     */
    volatile T table;

    /** Steps of {@link #replace} at which a test can stop it as if the process died there. */
    enum Step
    {
        ALLOCATED, ABSENT_FROZEN, ENTRIES_COPIED, INTENT_RECORDED, COPYING, COMMITTED
    }

    /** How the new table of a replacement is made ({@link TableKind}). */
    private enum Make
    {
        /** Encoded like the table replaced, its entries (if any apart from the slots) where they are. */
        LIKE,
        /** Encoded for the values of a table no writer can change ({@link TableKind#allocateRekeyed}). */
        REKEYED,
        /** Its entries moved into fresh memory of its own ({@link TableKind#allocateCompacting}). */
        COMPACTING
    }

    /** Test seam: the step at which the next replacement throws {@link SimulatedCrash}; null in production. */
    Step crashAt;

    /** Test seam: with {@link Step#COPYING}, the slots copied before the simulated crash or the pause. */
    int crashAfterSlots;

    /** Test seam: run (under the write lock) after the first {@link #crashAfterSlots} slots of the next copy. */
    volatile Runnable pauseWhileCopying;

    Segment(
        final int index,
        final MemorySpace space,
        final MemoryRegion directory,
        final double maxLoad,
        final int minCapacity,
        final T table,
        final Reclaimer reclaimer,
        final TableKind<T> kind,
        final StoreMonitor monitor)
    {
        this.index = index;
        this.space = space;
        this.directory = directory;
        this.maxLoad = maxLoad;
        this.minCapacity = minCapacity;
        this.maxCapacity = kind.maxCapacity(space.maxRegionLength());
        this.readOnly = space.isReadOnly();
        this.monitor = monitor;
        this.table = adopt(table);
        this.reclaimer = reclaimer;
        this.kind = kind;
    }

    /**
     * @return {@code table}, counting its CAS retries (and, for the byte store, its expiries) in this store's
     * counters: set while the table is private, published with it.
     */
    private T adopt(final T table)
    {
        table.counters = monitor.counters;
        return table;
    }

    /**
     * Make sure {@code seen} is no longer this segment's table: wait for a replacement in progress, or replace it
     * now (grown, rebuilt at the same size to drop removed keys, or re-keyed). Returns when the caller may retry.
     * The caller must not be inside a writer's {@link Reclaimer#enter}.
     *
     * @throws IllegalStateException if the table is at maximum capacity and full (the segment is unchanged).
     * @throws io.slotkv.core.memory.DiskFullException if the store file cannot grow (the segment is unchanged).
     */
    void awaitOrReplace(final T seen)
    {
        // wait for a running replacement on the shared side: all the writers it stopped go on together
        lock.unlockRead(lock.readLock());
        if (table != seen || null == seen)
        {
            return;
        }
        final List<T> retired;
        final T successor;
        final long stamp = lock.writeLock();
        try
        {
            final T current = table;
            if (current != seen)
            {
                return;
            }
            if (readOnly)
            {
                throw new CorruptStoreException("read-only store has a frozen or full table: segment=" + index +
                    ", capacity=" + current.capacity + ", in " + space);
            }
            final long beginNanos = System.nanoTime();
            final Object event = monitor.beginReplace();
            final int entries = current.live();
            final String reason;
            if (current.needsRekey())
            {
                final T copy = replace(current, current.capacity, true, Make.LIKE);
                table = replace(copy, capacityFor(copy.live()), true, Make.REKEYED);
                current.releaseDropped(true);
                retired = List.of(current, copy);
                reason = "rekey";
            }
            else
            {
                final boolean compacting = current.wantsCompaction();
                final Make make = compacting ? Make.COMPACTING : Make.LIKE;
                final int capacity = capacityFor(current.live());
                T next;
                try
                {
                    next = replace(current, capacity, true, make);
                }
                catch (final MemoryLimitException refused)
                {
                    if (capacity <= current.capacity || !roomAfterRebuild(current))
                    {
                        throw refused;
                    }
                    // the limit refuses the room for twice the live keys, but a table of the same size (which the
                    // limit does not count: it gives the old one back) still leaves room once tombstones are gone
                    next = replace(current, current.capacity, true, make);
                }
                table = next;
                current.releaseDropped(true); // after the publication: no writer can reach it any more
                retired = List.of(current);
                reason = compacting ? "compact" : table.capacity > current.capacity ? "grow" :
                    table.capacity < current.capacity ? "shrink" : "rebuild";
            }
            successor = table;
            monitor.replaced(event, beginNanos, index, current.capacity, successor.capacity, entries, reason);
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
        for (final T old : retired)
        {
            retire(old, successor);
        }
    }

    /**
     * Retire {@code old} in favour of {@code successor}: with its entries' memory if the successor does not share it
     * (the old heap of a compacting replacement, the fresh heap of one that gave up).
     */
    private void retire(final T old, final T successor)
    {
        reclaimer.retire(old, !old.sharesEntriesWith(successor));
    }

    /**
     * @return a read stamp: no replacement of this segment starts until {@link #unlockRead}. For iteration only.
     */
    long readLock()
    {
        return lock.readLock();
    }

    void unlockRead(final long stamp)
    {
        lock.unlockRead(stamp);
    }

    /**
     * Replace the table with an empty one of the initial capacity. A write racing with the clear either lands
     * before its slot is frozen (and is cleared) or retries on the new table.
     */
    void clear()
    {
        final T current;
        final long stamp = lock.writeLock();
        try
        {
            current = table;
            if (null == current)
            {
                throw OffHeapLongLongMap.closedException();
            }
            table = replace(current, minCapacity, false, Make.LIKE);
            current.releaseDropped(false);
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
        reclaimer.retire(current); // the new table shares its entries' memory: every entry was freed into it
    }

    /**
     * Detach the table: every later operation on this segment sees null and throws. Waits for a running
     * replacement. With {@code fence}, the table is first replaced by a copy that the directory names but no
     * operation ever sees: every slot of the table that operations hold is frozen, so an operation that loaded it
     * before the close can no longer change anything (its CAS fails, it sees null and throws).
     *
     * @return the tables of this segment the map still holds: the detached one and, with a fence, the fence
     * (which the directory now names); the caller retires them.
     * @throws RuntimeException if the fence could not be allocated; the segment is detached anyway, unfenced.
     */
    List<T> close(final boolean fence)
    {
        final long stamp = lock.writeLock();
        try
        {
            final T current = table;
            table = null;
            if (null == current)
            {
                return List.of();
            }
            if (fence)
            {
                // the same size and encoding: it holds what this table holds
                final T fenced = replace(current, current.capacity, true, Make.LIKE);
                current.releaseDropped(true);
                return List.of(current, fenced);
            }
            return List.of(current);
        }
        finally
        {
            space = null;
            directory = null;
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Run the replacement protocol of the class documentation on {@code current}.
     *
     * @param copy false to discard the values (clear).
     * @param make how the new table is made: like {@code current}, re-keyed, or compacting.
     * @return the new table, named by the directory; the caller publishes it to operations and retires
     * {@code current}.
     */
    private T replace(final T current, final int capacity, final boolean copy, final Make make)
    {
        T next = allocate(make, capacity, current);
        current.next = next; // before the first freeze: a reader that meets a frozen slot reads its key there
        try
        {
            crashPoint(Step.ALLOCATED);
            for (int attempt = 1; ; attempt++)
            {
                final int valued = current.freezeAbsent();
                if (!copy || valued < next.capacity)
                {
                    break;
                }
                // writers filled the table while it was sized: undo, then size for what is there now
                current.thawAbsent();
                final int needed = capacityFor(valued);
                if (attempt == SIZING_ATTEMPTS || needed <= next.capacity)
                {
                    throw new IllegalStateException("segment keeps growing while it is resized: segment=" + index +
                        ", entries=" + valued + ", capacity=" + next.capacity);
                }
                final T larger = adopt(kind.allocate(space, needed, next)); // encoded like the first try
                current.next = larger;
                retire(next, larger); // readers may have read it (empty): they validate
                next = larger;
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (!(ex instanceof SimulatedCrash))
            {
                current.next = null;
                retire(next, current);
            }
            throw ex;
        }
        crashPoint(Step.ABSENT_FROZEN);
        try
        {
            // a compacting replacement copies every entry here, while the new table and its memory are private:
            // all that can fail (an arena) fails before the intent, and the copy pass then only writes slots
            current.copyEntriesInto(next);
        }
        catch (final RuntimeException | Error ex)
        {
            current.thawAbsent(); // the entries stay where they are: the segment is exactly as it was
            current.next = null;
            retire(next, current);
            throw ex;
        }
        crashPoint(Step.ENTRIES_COPIED);
        final int entry = segmentEntryOffset(index);
        // one word records the intent: from here on, recovery finds every frozen value in the next table
        directory.putLongRelease(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET, next.region.offset());
        crashPoint(Step.INTENT_RECORDED);
        final Runnable pause = pauseWhileCopying;
        if (Step.COPYING == crashAt || null != pause)
        {
            current.copyAndFreezeInto(copy ? next : null, crashAfterSlots, 0 == index);
            crashPoint(Step.COPYING);
            if (null != pause)
            {
                pauseWhileCopying = null;
                pause.run();
            }
        }
        current.copyAndFreezeInto(copy ? next : null, current.capacity, 0 == index);
        // the commit point in the file: one word; pairs with the plain loads of the next open
        directory.putLongRelease(entry + SEGMENT_TABLE_OFFSET_OFFSET, next.region.offset());
        crashPoint(Step.COMMITTED);
        directory.putLongRelease(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET, NO_NEXT_TABLE);
        return next;
    }

    private T allocate(final Make make, final int capacity, final T current)
    {
        switch (make)
        {
            case REKEYED:
                return adopt(kind.allocateRekeyed(space, capacity, current));
            case COMPACTING:
                return adopt(kind.allocateCompacting(space, capacity, current));
            default:
                return adopt(kind.allocate(space, capacity, current));
        }
    }

    private void crashPoint(final Step step)
    {
        if (step == crashAt)
        {
            crashAt = null;
            throw new SimulatedCrash(step);
        }
    }

    /**
     * Thrown by the test seam: the replacement stops at a step as if the process had died there; the test then
     * abandons the map without closing it.
     */
    static final class SimulatedCrash extends Error
    {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(final Step step)
        {
            super("simulated crash at " + step);
        }
    }

    /**
     * The slots each segment's first table needs so that a map built for {@code entries} fills without a
     * replacement: keys spread over segments by hash, so a segment's share varies (binomial, standard deviation
     * about its square root); four deviations of headroom.
     *
     * @return slots per segment (before rounding to a valid capacity); 1 for no hint.
     */
    static long slotsForHint(final long entries, final int segmentCount, final double maxLoad)
    {
        final long share = (entries + segmentCount - 1) / segmentCount;
        final long perSegment = 0 == share ? 0 : share + (long)Math.ceil(4 * Math.sqrt(share)) + 16;
        return (long)Math.ceil(perSegment / maxLoad) + 1;
    }

    /**
     * @return whether a rebuild of {@code current} at its own size leaves an eighth of its threshold free: enough to
     * make the rebuild worth its cost when the memory limit refuses a larger table (at most one rebuild per that
     * many inserts).
     */
    private boolean roomAfterRebuild(final T current)
    {
        final int threshold = kind.threshold(current.capacity, maxLoad);
        return current.live() <= threshold - threshold / 8;
    }

    /**
     * @return the capacity of a table for {@code live} entries: room for twice them at max load, so a full table
     * doubles, one full of removed keys is rebuilt at about its size, a nearly empty one shrinks (not below the
     * initial capacity).
     * @throws IllegalStateException if not even the largest table can hold them.
     */
    int capacityFor(final int live)
    {
        final int entries = Math.max(0, live);
        final int capacity = Math.max(minCapacity,
            kind.capacity((long)Math.ceil(2.0 * entries / maxLoad), maxCapacity));
        if (entries >= kind.threshold(capacity, maxLoad))
        {
            throw new IllegalStateException("segment is full: segment=" + index + ", capacity=" + capacity +
                ", live=" + entries + ", maxCapacity=" + maxCapacity + " (largest table in one region of " +
                space.maxRegionLength() + " bytes); build the map with more segments or a larger chunk size");
        }
        return capacity;
    }
}
