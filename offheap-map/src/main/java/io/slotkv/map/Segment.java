package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.util.concurrent.locks.StampedLock;

import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_LENGTH_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.segmentEntryOffset;

/**
 * One segment of an {@link OffHeapLongLongMap}: the current table and the lock that only table replacement
 * (resize, rebuild, clear, close) takes. Operations never take the lock on their own; one that meets a frozen
 * word calls {@link #replace}, which waits for the running replacement or performs the one that is due.
 */
final class Segment
{
    private final int index;
    private final StampedLock lock = new StampedLock();

    /** The map's space and directory; read and written only under the write lock, dropped by {@link #close}. */
    private MemorySpace space;
    private MemoryRegion directory;
    private final double maxLoad;
    private final int minCapacity;
    private final int maxCapacity;

    /**
     * The current table, null once the map is closed. Written only under the write lock; the volatile store
     * publishes the new table's contents (written with plain stores while private) to the volatile load at the
     * start of every operation.
     */
    volatile LongLongTable table;

    Segment(
        final int index,
        final MemorySpace space,
        final MemoryRegion directory,
        final double maxLoad,
        final int minCapacity,
        final LongLongTable table)
    {
        this.index = index;
        this.space = space;
        this.directory = directory;
        this.maxLoad = maxLoad;
        this.minCapacity = minCapacity;
        this.maxCapacity = TableDescriptor.maxCapacity(space.maxRegionLength());
        this.table = table;
    }

    /**
     * Make sure {@code seen} is no longer this segment's table: wait for a replacement in progress, or replace it
     * now (grown, or rebuilt at the same size to drop removed keys). Returns when the caller may retry.
     *
     * @throws IllegalStateException if the table is at maximum capacity and full.
     */
    void replace(final LongLongTable seen)
    {
        final long stamp = lock.writeLock();
        try
        {
            final LongLongTable current = table;
            if (current == seen && null != current)
            {
                publish(current.freezeInto(LongLongTable.allocate(space, capacityFor(current), maxLoad),
                    space, maxLoad));
            }
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Replace the table with an empty one. Every slot of the old table is frozen first, so a write racing with
     * the clear either lands before its slot is frozen (and is cleared) or retries on the new table.
     */
    void clear()
    {
        final long stamp = lock.writeLock();
        try
        {
            final LongLongTable current = table;
            if (null == current)
            {
                throw OffHeapLongLongMap.closedException();
            }
            current.freezeInto(null, space, maxLoad);
            publish(LongLongTable.allocate(space, minCapacity, maxLoad));
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Detach the table: every later operation on this segment sees null and throws. Waits for a running
     * replacement. The memory stays valid for operations already running (each holds its table, whose region keeps
     * the space reachable; see {@link MemoryRegion}), and the segment itself no longer pins it.
     */
    void close()
    {
        final long stamp = lock.writeLock();
        table = null;
        space = null;
        directory = null;
        lock.unlockWrite(stamp);
    }

    int capacityFor(final LongLongTable current)
    {
        // room for twice the live entries at max load: a full table doubles, one full of removed keys is rebuilt
        // at about its size, a nearly empty one shrinks (not below the initial capacity)
        final int live = Math.max(0, current.live());
        final int capacity = Math.max(minCapacity,
            TableDescriptor.capacity((long)Math.ceil(2.0 * live / maxLoad), maxCapacity));
        if (live >= LongLongTable.threshold(capacity, maxLoad))
        {
            throw new IllegalStateException("segment is full: segment=" + index + ", capacity=" + capacity +
                ", live=" + live + ", maxCapacity=" + maxCapacity + " (largest table in one region of " +
                space.maxRegionLength() + " bytes); build the map with more segments or a larger chunk size");
        }
        return capacity;
    }

    private void publish(final LongLongTable next)
    {
        final int entry = segmentEntryOffset(index);
        directory.putLongRelease(entry + SEGMENT_TABLE_LENGTH_OFFSET, next.region.length());
        directory.putLongRelease(entry + SEGMENT_TABLE_OFFSET_OFFSET, next.region.offset());
        table = next; // linearization point of the replacement; pairs with the volatile load of every operation
    }
}
