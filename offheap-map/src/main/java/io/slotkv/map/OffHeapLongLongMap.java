package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import io.slotkv.core.memory.OpenMode;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

import static io.slotkv.map.DirectoryDescriptor.*;
import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;

/**
 * A concurrent map from {@code long} to {@code long} in off-heap memory, optionally in a memory-mapped store
 * file. Lock-free: {@link #get} takes no lock, never waits (not even for a resize), does no CAS, writes nothing and
 * allocates nothing; an update of an existing key is one CAS on the slot's value word; an insert claims an empty key
 * word by CAS and then sets the value word by CAS. Only the replacement of a segment's table (growth, rebuild,
 * clear, close) takes that segment's lock, and only writes that meet it wait for it.
 * <p>
 * <b>Keys and values:</b> every long, including 0, -1, {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}. The
 * primitive methods follow Agrona's convention: {@link #get} returns the map's {@link #missingValue()} for an
 * absent key, so they refuse to store it ({@link IllegalArgumentException}, also for a sum of {@link #getAndAdd}).
 * The {@link #asConcurrentMap() ConcurrentMap view} stores every value and returns {@code null} exactly when a key
 * is absent; a value equal to the missing value stored through it reads as the missing value through {@link #get}
 * (use {@link #containsKey} or the view to tell them apart). The missing value is recorded in a store file.
 * <p>
 * <b>Hashing:</b> keys are hashed with a random seed chosen when the map is created (and kept in its store file),
 * so keys cannot be chosen to share a probe chain.
 * <p>
 * <b>Memory:</b> the map owns its memory: anonymous tables are its own mappings (not counted against
 * {@code -XX:MaxDirectMemorySize}, large ones on transparent huge pages), and a replaced table's memory is given
 * back to the operating system, or its file space reused, as soon as no writer can hold it, without a GC
 * ({@link #offHeapBytes()}).
 * <p>
 * <b>Closing:</b> {@link #close()} makes every later call throw {@link IllegalStateException}. An operation
 * already running completes (it is ordered before the close) or throws; the memory it uses is never unmapped
 * under it. A file-backed map is synced and marked cleanly closed.
 * <p>
 * Iteration ({@link #forEach}) and {@link #size()} are weakly consistent, like {@code ConcurrentHashMap}'s.
 */
public final class OffHeapLongLongMap implements AutoCloseable
{
    /** Default {@link Builder#maxLoad(double)}. */
    public static final double DEFAULT_MAX_LOAD = 0.7;

    /** Largest {@link Builder#maxLoad(double)}. */
    static final double MAX_MAX_LOAD = 0.95;

    /** Default {@link #missingValue()}. */
    public static final long DEFAULT_MISSING_VALUE = Long.MIN_VALUE;

    /** How long {@link #close()} waits for writers still inside an operation before it leaves memory to the GC. */
    static final long CLOSE_WAIT_NANOS = 1_000_000_000L;

    private static final System.Logger LOGGER = System.getLogger(OffHeapLongLongMap.class.getName());

    private final Segment<LongLongTable>[] segments;
    private final int segmentMask;
    private final boolean persistent;
    private final boolean readOnly;
    private final String location;
    private final long missingValue;
    private final long seed;
    private final double maxLoad;
    private final RecoveryReport recoveryReport;
    private final Reclaimer reclaimer;
    private final ValueKeys valueKeys;
    private final StoreMonitor monitor;

    /** The monitor's counters, null if statistics are off: the one field the operations test. */
    private final StoreCounters counters;
    private volatile boolean closed;
    /** Set by {@link #closeUnshared} on the closing thread before it closes: no fence copy. */
    private boolean unshared;

    /**
     * The space and the directory, null once the map is closed: a closed map pins no memory, so the GC can
     * unmap it as soon as no running operation holds one of its regions, even while the map object stays reachable.
     */
    private volatile MemorySpace space;
    private volatile MemoryRegion directory;

    private OffHeapLongLongMap(final MemorySpace space, final Builder builder)
    {
        this.space = space;
        this.persistent = space.isPersistent();
        this.readOnly = space.isReadOnly();
        this.location = space.toString();
        this.reclaimer = new Reclaimer(space);
        this.valueKeys = null != builder.valueKeys ? builder.valueKeys : new ValueKeys();
        this.monitor = builder.monitor();
        this.counters = monitor.counters;
        final LongLongTable.Kind tableKind = new LongLongTable.Kind(valueKeys);
        final MemoryRegion directory;
        if (MemorySpace.NO_ROOT == space.rootOffset())
        {
            if (readOnly)
            {
                throw new IllegalStateException("store file holds no map yet (created, never written): " + location);
            }
            space.markDirty();
            final int segmentCount = builder.segments;
            this.maxLoad = builder.maxLoad;
            this.missingValue = builder.missingValue;
            this.seed = valueKeys.next();
            final int minCapacity = builder.minCapacity(segmentCount, TableDescriptor.maxCapacity(space.maxRegionLength()));
            directory = space.allocate(DirectoryDescriptor.length(segmentCount));
            DirectoryHeader.write(directory, KIND_LONG_LONG, segmentCount, maxLoad, minCapacity, seed);
            directory.putLong(MISSING_VALUE_OFFSET, missingValue);
            this.segments = newSegments(segmentCount);
            for (int i = 0; i < segmentCount; i++)
            {
                final LongLongTable table = LongLongTable.allocate(space, minCapacity, maxLoad, seed, valueKeys.next());
                directory.putLong(segmentEntryOffset(i) + SEGMENT_TABLE_OFFSET_OFFSET, table.region.offset());
                segments[i] = new Segment<>(i, space, directory, maxLoad, minCapacity, table, reclaimer, tableKind,
                    monitor);
            }
            // one word makes the map exist: a creation killed before it leaves an empty store, opened as new
            space.root(directory);
            this.recoveryReport = null;
        }
        else
        {
            final long rootOffset = space.rootOffset();
            final DirectoryHeader header = DirectoryHeader.read(space, KIND_LONG_LONG, "LONGLONG", "long->long map",
                tableKind);
            final long segmentCount = header.segmentCount;
            final long minCapacity = header.minCapacity;
            final long storedSeed = header.seed;
            final long storedMissing = space.attach(rootOffset, DirectoryDescriptor.HEADER_LENGTH)
                .getLongVolatile(MISSING_VALUE_OFFSET);
            if (builder.missingValueSet && builder.missingValue != storedMissing)
            {
                throw new IllegalArgumentException("missing value differs from the store's: the store was created " +
                    "with missingValue=" + storedMissing + ", the builder asks for missingValue=" +
                    builder.missingValue + " (leave it unset to use the store's), in " + location);
            }
            this.missingValue = storedMissing;
            this.seed = storedSeed;
            this.maxLoad = header.maxLoad;
            directory = space.attach(rootOffset, DirectoryDescriptor.length((int)segmentCount));
            // everything is read and checked before anything is written: a refused open leaves the file as it was
            final Recovery recovery = Recovery.check(space, directory, (int)segmentCount, maxLoad, seed);
            final boolean crashed = !space.wasClosedCleanly();
            final boolean verify = builder.verifyOnOpen || crashed;
            if (readOnly)
            {
                if (verify || recovery.anySuspect())
                {
                    throw new CorruptStoreException("store needs repair, which a read-only open cannot do: " +
                        (verify ? "verification asked for" : "table counts or a replacement intent are inconsistent") +
                        "; open it for writing once, in " + location);
                }
                this.recoveryReport = null;
            }
            else
            {
                space.markDirty();
                final RecoveryReport report = new RecoveryReport(location, !crashed);
                if (verify || recovery.anySuspect())
                {
                    recovery.repair(verify, report);
                    this.recoveryReport = report;
                }
                else
                {
                    this.recoveryReport = null;
                }
                space.reuseSpaceOutside(recovery.liveRegions());
            }
            this.segments = newSegments((int)segmentCount);
            for (int i = 0; i < segmentCount; i++)
            {
                segments[i] = new Segment<>(i, space, directory, maxLoad, (int)minCapacity, recovery.table(i),
                    reclaimer, tableKind, monitor);
            }
        }
        this.segmentMask = segments.length - 1;
        this.directory = directory;
        if (null != recoveryReport)
        {
            rebuildOverfullTables(recoveryReport);
            LOGGER.log(recoveryReport.changedAnything() ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                recoveryReport::toString);
            monitor.recovered(recoveryReport);
        }
    }

    /**
     * After a repair, replace every table that holds more key words than the largest max load allows: what
     * recovery leaves when it removes damaged entries (their key words stay, as removed keys). Such a table may have
     * no empty key word, so a miss or an iteration span would scan all of it; the rebuild keeps only the entries
     * with a value. Best effort: if it fails, the table stays (the next insert tries again).
     */
    private void rebuildOverfullTables(final RecoveryReport report)
    {
        for (final Segment<LongLongTable> segment : segments)
        {
            final LongLongTable table = segment.table;
            // a map's own inserts stop at the threshold of the largest max load, whatever the directory now says
            if (table.used() > LongLongTable.threshold(table.capacity, MAX_MAX_LOAD))
            {
                try
                {
                    segment.awaitOrReplace(table);
                    report.tablesRebuilt++;
                }
                catch (final RuntimeException ex)
                {
                    // best effort (a full disk, a segment at its largest table): the table stays as it is, correct
                    LOGGER.log(System.Logger.Level.WARNING, "cannot rebuild a full table at open: " + ex + ", in " +
                        location);
                }
            }
        }
    }

    /**
     * Start the configuration of a map; nothing is allocated or opened until {@link Builder#build()}.
     *
     * @return a builder with the defaults: anonymous memory, {@link Builder#segments(int) segments} from the
     * processor count, no initial sizing, {@link #DEFAULT_MAX_LOAD}, {@link #DEFAULT_MISSING_VALUE}.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The value the primitive methods use for "no value", and therefore refuse to store: the builder's, or the one
     * recorded in the store file.
     *
     * @return the value {@link #get} returns for an absent key.
     */
    public long missingValue()
    {
        return missingValue;
    }

    /**
     * Read the value of {@code key}: lock-free and wait-free, no write and no allocation.
     *
     * @param key the key, any long.
     * @return the value of {@code key}, or {@link #missingValue()} if it has none.
     * @throws IllegalStateException if the map is closed.
     */
    public long get(final long key)
    {
        return read(key, missingValue, null, false);
    }

    /**
     * Read the value of {@code key} like {@link #get}, with the caller's value for an absent key.
     *
     * @param key          the key, any long.
     * @param defaultValue returned if {@code key} has no value; may be the missing value.
     * @return the value of {@code key}, or {@code defaultValue} if it has none.
     * @throws IllegalStateException if the map is closed.
     */
    public long getOrDefault(final long key, final long defaultValue)
    {
        return read(key, defaultValue, null, false);
    }

    /**
     * Whether {@code key} has a value; unlike {@link #get}, this tells an absent key from one whose value, stored
     * through {@link #asConcurrentMap()}, equals the missing value.
     *
     * @param key the key, any long.
     * @return true if {@code key} has a value.
     * @throws IllegalStateException if the map is closed.
     */
    public boolean containsKey(final long key)
    {
        return 0 != read(key, 0, null, true);
    }

    /**
     * Set the value of {@code key}, whether it has one or not.
     *
     * @param key   the key, any long.
     * @param value the new value: any long but the missing value.
     * @return the previous value, or {@link #missingValue()} if there was none.
     * @throws IllegalArgumentException      if {@code value} is the missing value.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public long put(final long key, final long value)
    {
        return write(key, ValueUpdate.PUT, storable(value), 0, missingValue, null);
    }

    /**
     * Set the value of {@code key} only if it has none.
     *
     * @param key   the key, any long.
     * @param value the value to set: any long but the missing value.
     * @return the current value if there is one (nothing changed), else {@link #missingValue()} (value set).
     * @throws IllegalArgumentException      if {@code value} is the missing value.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public long putIfAbsent(final long key, final long value)
    {
        return write(key, ValueUpdate.PUT_IF_ABSENT, storable(value), 0, missingValue, null);
    }

    /**
     * Set the value of {@code key} only if it has one.
     *
     * @param key   the key, any long.
     * @param value the new value: any long but the missing value.
     * @return the previous value, or {@link #missingValue()} if there was none (nothing changed).
     * @throws IllegalArgumentException      if {@code value} is the missing value.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public long replace(final long key, final long value)
    {
        return write(key, ValueUpdate.REPLACE, storable(value), 0, missingValue, null);
    }

    /**
     * Set the value of {@code key} to {@code value} only if it is {@code expected}.
     *
     * @param key      the key, any long.
     * @param expected the value {@code key} must have; an absent key never matches.
     * @param value    the new value: any long but the missing value.
     * @return true if the value was replaced.
     * @throws IllegalArgumentException      if {@code value} is the missing value.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public boolean replace(final long key, final long expected, final long value)
    {
        return writeIfEqual(key, ValueUpdate.REPLACE_IF_EQUAL, storable(value), expected);
    }

    /**
     * Remove {@code key} and its value, if it has one.
     *
     * @param key the key, any long.
     * @return the removed value, or {@link #missingValue()} if there was none.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public long remove(final long key)
    {
        return write(key, ValueUpdate.REMOVE, 0, 0, missingValue, null);
    }

    /**
     * Remove {@code key} only if its value is {@code expected}.
     *
     * @param key      the key, any long.
     * @param expected the value {@code key} must have; an absent key never matches.
     * @return true if it was removed.
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public boolean remove(final long key, final long expected)
    {
        return writeIfEqual(key, ValueUpdate.REMOVE_IF_EQUAL, 0, expected);
    }

    /**
     * Atomically add {@code delta} to the value of {@code key}, an absent key counting as 0 (it is created).
     *
     * @param key   the key, any long.
     * @param delta to add, any long.
     * @return the value before the addition (0 if there was none).
     * @throws ArithmeticException           if the sum overflows a long (nothing changed).
     * @throws IllegalArgumentException      if the sum is the missing value (nothing changed).
     * @throws IllegalStateException         if the map is closed.
     * @throws UnsupportedOperationException if the map is read-only.
     */
    public long getAndAdd(final long key, final long delta)
    {
        return write(key, ValueUpdate.ADD, delta, missingValue, 0, null);
    }

    /**
     * Atomically add {@code delta} to the value of {@code key}, an absent key counting as 0.
     *
     * @param key   the key, any long.
     * @param delta to add, any long.
     * @return the value after the addition.
     * @see #getAndAdd(long, long)
     */
    public long addAndGet(final long key, final long delta)
    {
        return getAndAdd(key, delta) + delta;
    }

    /**
     * Atomically add 1 to the value of {@code key}, an absent key counting as 0; the exceptions are those of
     * {@link #getAndAdd(long, long)}.
     *
     * @param key the key, any long.
     * @return the value after the addition: {@code addAndGet(key, 1)}.
     */
    public long incrementAndGet(final long key)
    {
        return addAndGet(key, 1);
    }

    /**
     * Atomically subtract 1 from the value of {@code key}, an absent key counting as 0; the exceptions are those of
     * {@link #getAndAdd(long, long)}.
     *
     * @param key the key, any long.
     * @return the value after the subtraction: {@code addAndGet(key, -1)}.
     */
    public long decrementAndGet(final long key)
    {
        return addAndGet(key, -1);
    }

    /**
     * Count the keys from each segment's table counters, key 0 included; no slot is scanned.
     *
     * @return the number of keys with a value; weakly consistent: exact when no write runs concurrently.
     * @throws IllegalStateException if the map is closed.
     */
    public long size()
    {
        final Found zero = new Found();
        peek(EMPTY_KEY, zero);
        long size = zero.present ? 1 : 0;
        for (final Segment<LongLongTable> segment : segments)
        {
            while (true)
            {
                final LongLongTable table = table(segment);
                final int live = table.live();
                if (!table.retired)
                {
                    size += live;
                    break;
                }
            }
        }
        return Math.max(0, size);
    }

    /**
     * Whether {@link #size()} is 0, with the same weak consistency.
     *
     * @return true if no key has a value.
     * @throws IllegalStateException if the map is closed.
     */
    public boolean isEmpty()
    {
        return 0 == size();
    }

    /**
     * Remove every key, one segment at a time (weakly consistent, like {@code ConcurrentHashMap.clear}).
     * Tables shrink back to their initial capacity.
     */
    public void clear()
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        for (final Segment<LongLongTable> segment : segments) // segment 0's new table holds no key 0 either
        {
            segment.clear();
        }
    }

    /**
     * Pass every key and value to {@code consumer}. Weakly consistent: every key that has a value during the whole
     * call is passed exactly once, with a value it had during the call; keys added or removed meanwhile may or may
     * not be passed. Takes no lock and never waits for a resize (except, to guarantee progress, after a span of a
     * segment was retried several times because its table was replaced under it); uses a fixed buffer of a few
     * dozen entries, whatever the size of the map. The consumer may modify the map.
     *
     * @param consumer receives each key and its value, on the calling thread.
     * @throws IllegalStateException if the map is closed.
     */
    public void forEach(final LongLongConsumer consumer)
    {
        final LongLongCursor cursor = new LongLongCursor(this);
        while (cursor.advance())
        {
            for (int i = 0; i < cursor.size; i++)
            {
                consumer.accept(cursor.keys[i], cursor.values[i]);
            }
        }
    }

    /**
     * A {@link ConcurrentMap} view backed by this map, for code that expects one. It boxes; it stores every long
     * value (the missing value too) and returns {@code null} exactly when a key is absent. Null keys and values are
     * rejected with {@link NullPointerException}, as {@code ConcurrentHashMap} does; a key that is not a
     * {@link Long} is absent. Its iterators are weakly consistent (see {@link #forEach}) and support
     * {@code remove}; an entry's {@code setValue} writes through. {@code compute}, {@code merge} and their kin are
     * {@link ConcurrentMap}'s retry loops over {@code putIfAbsent}, {@code replace} and {@code remove}: atomic per
     * step, the function may run more than once.
     *
     * @return the view.
     */
    public ConcurrentMap<Long, Long> asConcurrentMap()
    {
        return new LongLongMapView(this);
    }

    /**
     * The number of independently locked tables the keys are spread over by hash: the builder's, or the store's.
     *
     * @return the number of segments, a power of two.
     */
    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * The slots the current tables have, summed over the segments; tables grow at their maximum load.
     *
     * @return the slots of all current tables.
     * @throws IllegalStateException if the map is closed.
     */
    public long capacity()
    {
        long capacity = 0;
        for (final Segment<LongLongTable> segment : segments)
        {
            capacity += table(segment).capacity;
        }
        return capacity;
    }

    /**
     * The memory (or file space) this map holds now, counted as its space charges for it: whole pages for anonymous
     * memory.
     *
     * @return the off-heap bytes the map holds: the directory, the current tables, and replaced tables whose memory
     * is not released yet (it is released as soon as no writer still inside an operation can hold them, usually
     * within microseconds of the replacement).
     * @throws IllegalStateException if the map is closed.
     */
    public long offHeapBytes()
    {
        final MemorySpace space = this.space;
        long bytes = space.footprint(openDirectory()) + reclaimer.pendingBytes();
        for (final Segment<LongLongTable> segment : segments)
        {
            bytes += space.footprint(table(segment).region);
        }
        return bytes;
    }

    /**
     * Take a snapshot of the map's statistics: what its operations did since it was opened (with
     * {@link Builder#statistics(boolean) statistics} on, the default) and its sizes now. Lock-free and weakly
     * consistent: each counter and each segment is read once, while operations go on.
     *
     * @return the snapshot; {@link StoreStatistics#bytesFree()} is the bytes of the table slots that hold no value.
     * @throws IllegalStateException if the map is closed.
     */
    public StoreStatistics statistics()
    {
        final List<StoreStatistics.SegmentLoad> loads = new ArrayList<>(segments.length);
        final Found zero = new Found();
        peek(EMPTY_KEY, zero);
        long entries = 0;
        long free = 0;
        for (int i = 0; i < segments.length; i++)
        {
            final LongLongTable table = table(segments[i]);
            final int live = Math.max(0, table.live());
            final long keys = live + (0 == i && zero.present ? 1 : 0); // key 0's value is in segment 0's header
            entries += keys;
            free += (long)Math.max(0, table.capacity - live) * SlotDescriptor.SLOT_LENGTH;
            loads.add(new StoreStatistics.SegmentLoad(i, keys, table.capacity));
        }
        return monitor.statistics(entries, offHeapBytes(), free, loads);
    }

    /**
     * Whether the entries outlive the process: true for a map built with a {@link Builder#file(Path) store file}.
     *
     * @return true if the map lives in a store file.
     */
    public boolean isPersistent()
    {
        return persistent;
    }

    /**
     * Write every change through to the store file (nothing for anonymous memory).
     */
    public void sync()
    {
        final MemorySpace space = this.space;
        if (readOnly)
        {
            return;
        }
        if (null == space || closed)
        {
            throw closedException();
        }
        space.sync();
    }

    /**
     * Close a store file that no thread but the caller's has used and none will (a backup's new file): as
     * {@link #close}, but without the fence copy of each table, which only keeps a writer still inside an operation
     * from reaching the file; the tables stay where they are, so the file holds no table retired by the close.
     */
    void closeUnshared()
    {
        unshared = true;
        close();
    }

    /**
     * Close the map: later calls throw {@link IllegalStateException}; a store file is synced, marked cleanly
     * closed and unlocked. An operation already running either completes before this returns or fails with
     * {@link IllegalStateException}: for a store file, every table operations can reach is frozen after its entries
     * were copied into a table only the directory names, so no write of this map can reach the file after
     * {@code close} returns (docs/design.md, "Closing"). Closing twice does nothing.
     *
     * @throws io.slotkv.core.memory.DiskFullException if the copies could not be allocated: the map is closed, the
     * file is synced but left marked open, and the next open recovers it (nothing is lost).
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        monitor.unregisterMBean();
        final MemorySpace space = this.space;
        final MemoryRegion directory = this.directory;
        final boolean fence = persistent && !readOnly;
        RuntimeException failure = null;
        final LongLongTable[] fences = new LongLongTable[segments.length];
        final List<LongLongTable> held = new ArrayList<>();
        for (int i = 0; i < segments.length; i++)
        {
            try
            {
                final List<LongLongTable> tables = segments[i].close(fence && !unshared && null == failure);
                held.addAll(tables);
                fences[i] = tables.isEmpty() ? null : tables.get(tables.size() - 1); // the one the directory names
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        try
        {
            if (null == failure && fence)
            {
                // last word before the clean mark: a clean open recomputes it to see that nothing was damaged
                directory.putLongRelease(CLEAN_CHECK_OFFSET, Recovery.cleanCheck(directory, fences, fences.length,
                    space.maxRegionLength()));
            }
            // retired before the file is unlocked: a reader still inside an operation of this map discards what it
            // read (and throws) rather than return a word a later owner of the file wrote; anonymous memory goes
            // back to the operating system once the writers still inside have left
            for (final LongLongTable table : held)
            {
                reclaimer.retire(table);
            }
            if (!reclaimer.reclaim(CLOSE_WAIT_NANOS))
            {
                LOGGER.log(System.Logger.Level.WARNING, "a writer was still inside an operation " +
                    CLOSE_WAIT_NANOS / 1_000_000 + " ms after close: its table's memory is left to the GC, " + location);
            }
            if (!persistent)
            {
                space.release(directory);
            }
            if (null == failure)
            {
                space.close();
            }
            else
            {
                space.abandon();
            }
        }
        finally
        {
            reclaimer.close();
            this.space = null;
            this.directory = null;
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    /**
     * Test seam: drop the map as a killed process would, without fencing, syncing or marking the file clean.
     */
    void abandon()
    {
        closed = true;
        for (final Segment<LongLongTable> segment : segments)
        {
            segment.table = null;
        }
        final MemorySpace space = this.space;
        this.space = null;
        this.directory = null;
        space.abandon();
    }

    /**
     * @return segment {@code i}, for tests.
     */
    Segment<LongLongTable> segment(final int i)
    {
        return segments[i];
    }

    /**
     * @return the segments, for iteration.
     */
    Segment<LongLongTable>[] segments()
    {
        return segments;
    }

    /**
     * @return the bytes of replaced tables whose memory is not released yet, for tests.
     */
    long pendingBytes()
    {
        return reclaimer.pendingBytes();
    }

    /**
     * The report of the recovery run when this map was opened, also kept in the log.
     *
     * @return what recovery found and repaired when this map was opened, if it ran: the store file had not been
     * closed cleanly, or {@link Builder#verifyOnOpen(boolean)} asked for it, or a cheap check at open failed.
     */
    public Optional<RecoveryReport> recoveryReport()
    {
        return Optional.ofNullable(recoveryReport);
    }

    /**
     * Whether the writing methods are refused with {@link UnsupportedOperationException}.
     *
     * @return true if the map was opened {@link OpenMode#READ_ONLY}: every write throws.
     */
    public boolean isReadOnly()
    {
        return readOnly;
    }

    @Override
    public String toString()
    {
        return "OffHeapLongLongMap{segments=" + segments.length + ", space=" + location + (closed ? ", closed" : "") + '}';
    }

    static IllegalStateException closedException()
    {
        return new IllegalStateException("map is closed");
    }

    /**
     * The read of every lookup: lock-free, never waits, writes nothing.
     * <p>
     * It loads the segment's current table and probes it; a frozen slot of the key means a replacement copied the
     * key's word into {@link LongLongTable#next}, where the probe continues (possibly along several replacements).
     * The word it ends with is validated by the {@link LongLongTable#retired} flag of the table it came from, read
     * after it: set means the memory may have been released or reused under the probe, which then starts again from
     * the segment's current table (docs/design.md, "The read path").
     *
     * @param absent   returned when the key has no value.
     * @param found    set to whether the key has a value; null if the caller does not need it.
     * @param presence true to return only whether the key has a value: 1 or 0.
     */
    long read(final long key, final long absent, final Found found, final boolean presence)
    {
        return read(key, LongHashing.mix(key, seed), absent, found, presence, true);
    }

    /**
     * {@link #read} that is not a get of the statistics (iteration, {@code size}).
     *
     * @return the key's value, or 0 if it has none ({@code found} tells).
     */
    long peek(final long key, final Found found)
    {
        return read(key, LongHashing.mix(key, seed), 0, found, false, false);
    }

    /**
     * @param counted whether the lookup is a get of the statistics.
     */
    private long read(final long key, final long hash, final long absent, final Found found, final boolean presence,
        final boolean counted)
    {
        final Segment<LongLongTable> segment = EMPTY_KEY == key ? segments[0] : segments[segmentOf(hash, segmentMask)];
        while (true)
        {
            LongLongTable at = table(segment);
            long word = EMPTY_KEY == key ? at.zeroKeyWord() : at.get(key, hash);
            while (FROZEN == word)
            {
                final LongLongTable next = at.next;
                if (null == next)
                {
                    // no replacement copies this table: a replacement that failed after its first pass froze the
                    // slot while it held no value (it is being thawed), or the file was damaged (recovery would
                    // thaw it): either way the key has no value here
                    word = ABSENT;
                    break;
                }
                at = next;
                word = EMPTY_KEY == key ? at.zeroKeyWord() : at.get(key, hash);
            }
            if (at.retired)
            {
                continue;
            }
            Reference.reachabilityFence(at); // the table's memory stays mapped until this operation is done
            final boolean present = ABSENT != word;
            final StoreCounters counters = this.counters;
            if (counted && null != counters)
            {
                counters.increment(present ? StoreCounters.HITS : StoreCounters.MISSES);
            }
            if (presence)
            {
                return present ? 1 : 0;
            }
            if (null != found)
            {
                found.present = present;
            }
            return present ? at.decode(word) : absent;
        }
    }

    /**
     * The write of every update: lock-free unless the segment's table must be replaced.
     *
     * @param value    the value to store, or the delta of ADD.
     * @param expected the value to compare with, or the forbidden sum of ADD.
     * @param absent   returned when the key had no value.
     * @param found    set to whether the key had a value before; null if the caller does not need it.
     * @return the value before the operation, or {@code absent} if there was none.
     */
    private long write(final long key, final int op, final long value, final long expected, final long absent,
        final Found found)
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        final long hash = LongHashing.mix(key, seed);
        final Segment<LongLongTable> segment = EMPTY_KEY == key ? segments[0] : segments[segmentOf(hash, segmentMask)];
        int counter = reclaimer.enter();
        try
        {
            while (true)
            {
                final LongLongTable table = table(segment);
                final long previous = table.update(key, hash, op, value, expected);
                if (FROZEN != previous)
                {
                    final boolean present = ABSENT != previous;
                    if (null != found)
                    {
                        found.present = present;
                    }
                    final long decoded = present ? table.decode(previous) : absent;
                    final StoreCounters counters = this.counters;
                    if (null != counters)
                    {
                        countWrite(counters, op, present, present && decoded == expected);
                    }
                    return decoded;
                }
                reclaimer.exit(counter);
                counter = -1;
                segment.awaitOrReplace(table);
                counter = reclaimer.enter();
            }
        }
        finally
        {
            if (counter >= 0)
            {
                reclaimer.exit(counter);
            }
        }
    }

    private static void countWrite(final StoreCounters counters, final int op, final boolean present,
        final boolean matched)
    {
        final int counter = ValueUpdate.counter(op, present, matched);
        if (counter >= 0)
        {
            counters.increment(counter);
        }
    }

    /**
     * Get the values of many keys at once: {@code values[i] = get(keys[i])} for {@code i} in
     * {@code [0, length)}. Each get is one of {@link #get}'s (lock-free, linearizable on its own; the batch is not
     * atomic). It is faster than a loop of gets on a map larger than the CPU caches: the home slots of a group of
     * keys are loaded first, independently of each other, so their cache misses overlap instead of following one
     * another, and then each key is looked up in memory that is now cached. Allocation-free.
     *
     * @param keys   the keys.
     * @param values where the values (or {@link #missingValue()}) go; may be {@code keys} itself (then the misses
     *               are not overlapped).
     * @param length how many keys, from index 0.
     * @throws IndexOutOfBoundsException if {@code length} exceeds either array.
     */
    public void getAll(final long[] keys, final long[] values, final int length)
    {
        java.util.Objects.checkFromIndexSize(0, length, keys.length);
        java.util.Objects.checkFromIndexSize(0, length, values.length);
        if (values == keys)
        {
            for (int i = 0; i < length; i++)
            {
                values[i] = read(keys[i], missingValue, null, false);
            }
            return;
        }
        for (int start = 0; start < length; start += BATCH)
        {
            final int end = Math.min(length, start + BATCH);
            // the touch loop's loads are independent, so the CPU overlaps their misses; its words are placeholders
            long touched = 0;
            for (int i = start; i < end; i++)
            {
                final long hash = LongHashing.mix(keys[i], seed);
                touched += touchHome(hash);
                values[i] = hash; // kept for the second loop, which replaces it by the value
            }
            for (int i = start; i < end; i++)
            {
                values[i] = read(keys[i], values[i], missingValue, null, false, true);
            }
            if (touched == touchMatch)
            {
                touchSink = touched; // practically never: keeps the JIT from dropping the touch loads as unused
            }
        }
    }

    /** Keys whose home slots {@link #getAll} loads ahead together: about the misses a core keeps in flight. */
    private static final int BATCH = 16;

    /** A random word the sum of touched words is compared with (not final, so the JIT cannot fold it). */
    private long touchMatch = System.nanoTime() * 0x9E37_79B9_7F4A_7C15L;

    /** Written only if that comparison succeeds (probability 2^-64). */
    @SuppressWarnings("unused")
    private long touchSink;

    private long touchHome(final long hash)
    {
        final LongLongTable table = segments[segmentOf(hash, segmentMask)].table;
        return null == table ? 0 : table.touch(hash);
    }

    /**
     * @return true if the key had exactly {@code expected} and the conditional operation applied.
     */
    private boolean writeIfEqual(final long key, final int op, final long value, final long expected)
    {
        // "absent" is reported as a value other than the expected one: allocation-free and unambiguous
        return expected == write(key, op, value, expected, ~expected, null);
    }

    /**
     * For the {@link ConcurrentMap} view: {@code get} with {@code null} for absent.
     */
    Long boxedGet(final long key)
    {
        final Found found = new Found();
        final long value = read(key, 0, found, false);
        return found.present ? value : null;
    }

    /**
     * For the {@link ConcurrentMap} view: PUT, PUT_IF_ABSENT, REPLACE or REMOVE of any value, {@code null} for
     * absent.
     */
    Long boxedWrite(final long key, final int op, final long value)
    {
        final Found found = new Found();
        final long previous = write(key, op, value, 0, 0, found);
        return found.present ? previous : null;
    }

    /**
     * For the {@link ConcurrentMap} view: REPLACE_IF_EQUAL or REMOVE_IF_EQUAL of any values.
     */
    boolean boxedWriteIfEqual(final long key, final int op, final long value, final long expected)
    {
        return writeIfEqual(key, op, value, expected);
    }

    /**
     * Whether a lookup found a value: the second result of {@link #read} and {@link #write}.
     */
    static final class Found
    {
        boolean present;
    }

    private UnsupportedOperationException readOnlyException()
    {
        return new UnsupportedOperationException("map is read-only: " + location);
    }

    private MemoryRegion openDirectory()
    {
        final MemoryRegion directory = this.directory;
        if (null == directory || closed)
        {
            throw closedException();
        }
        return directory;
    }

    @SuppressWarnings("unchecked") // an array of a generic type: every element is made with LongLongTable
    private static Segment<LongLongTable>[] newSegments(final int count)
    {
        return (Segment<LongLongTable>[])new Segment<?>[count];
    }

    private static LongLongTable table(final Segment<LongLongTable> segment)
    {
        final LongLongTable table = segment.table;
        if (null == table)
        {
            throw closedException();
        }
        return table;
    }

    private long storable(final long value)
    {
        if (value == missingValue)
        {
            throw new IllegalArgumentException("value is the missing value, which get() returns for an absent key: " +
                "value=" + value + ", missingValue=" + missingValue + " (store it through asConcurrentMap(), or build " +
                "the map with another missing value)");
        }
        return value;
    }

    /**
     * Configuration of a new map, or how to open one from a store file.
     */
    public static final class Builder extends StoreBuilder<Builder>
    {
        private long missingValue = DEFAULT_MISSING_VALUE;
        private boolean missingValueSet;
        private ValueKeys valueKeys;

        private Builder()
        {
            super(DEFAULT_MAX_LOAD);
        }

        /**
         * Set the value that stands for "no value" in the primitive methods.
         *
         * @param missingValue returned by {@link #get} for an absent key; the primitive methods refuse to store it.
         *                     Recorded in a new store file; opening an existing one with another missing value
         *                     is refused (leave it unset to use the file's).
         * @return this builder.
         */
        public Builder missingValue(final long missingValue)
        {
            this.missingValue = missingValue;
            this.missingValueSet = true;
            return this;
        }

        /**
         * Test seam: the random words for the hash seed and value keys.
         */
        Builder valueKeys(final ValueKeys valueKeys)
        {
            this.valueKeys = valueKeys;
            return this;
        }

        /**
         * Create the map, or open the one in the store file: in anonymous memory unless {@link #file(Path, OpenMode)
         * a file} was given. A store file is read and checked before anything in it is written, so an open refused
         * by a check leaves it as it was, and an open that fails later never marks it clean (the next open recovers
         * it). If it was not closed cleanly, or {@link #verifyOnOpen(boolean) verification} was asked for, recovery
         * runs before this returns (see {@link OffHeapLongLongMap#recoveryReport()}).
         *
         * @return the map, open until {@link OffHeapLongLongMap#close()}.
         * @throws IllegalStateException                       if the JVM cannot give SlotKV native memory access
         *                                                     (checked once per JVM, for anonymous memory and store
         *                                                     files alike; the message names the fix): it was started
         *                                                     without the flags of
         *                                                     {@link io.slotkv.core.jvm.JvmAccess#requiredFlags()};
         *                                                     on the module path, it did not resolve the modules the
         *                                                     native-call libraries need ({@code org.slf4j},
         *                                                     {@code org.objectweb.asm}, {@code jdk.unsupported});
         *                                                     on JDK 23+, it denies {@code sun.misc.Unsafe} memory
         *                                                     access ({@code --sun-misc-unsafe-memory-access=deny});
         *                                                     or on JDK 22+, it denies native access
         *                                                     ({@code --illegal-native-access=deny}) to jffi or JNA
         *                                                     without {@code --enable-native-access} for them. Also
         *                                                     if a read-only open meets a store that was not closed
         *                                                     cleanly, or one that holds no map yet; or if
         *                                                     {@link #registerMBean(boolean)} asked for an MBean
         *                                                     whose name another open map holds (the map is closed
         *                                                     again).
         * @throws io.slotkv.core.memory.StoreLockedException if the store file is open elsewhere (another process, or
         *                                                     another map of this JVM, under any path).
         * @throws CorruptStoreException                       if the store file is not a SlotKV long->long map, or
         *                                                     a structure in it is out of range (the message names
         *                                                     the field, its value and the allowed range); the file
         *                                                     is left unchanged. In particular: a file of format
         *                                                     version 1 (SlotKV 0.1) or 2 (SlotKV 0.2), which this
         *                                                     version reads no more (the message says how to move
         *                                                     the entries); a hash seed that fails its check word
         *                                                     (the complement of the seed), which is never repaired
         *                                                     because a wrong seed would misplace every key; a
         *                                                     read-only open of a store that needs repair; and a
         *                                                     {@link #chunkSize(long) chunk size} out of range when
         *                                                     the file is created.
         * @throws java.io.UncheckedIOException               if the file cannot be opened, created or mapped, or
         *                                                     (open-existing and read-only modes) does not exist.
         * @throws io.slotkv.core.memory.DiskFullException     if a new store cannot reserve its first tables.
         * @throws IllegalArgumentException                   if the initial capacity cannot fit the segments, or
         *                                                     if {@link #missingValue(long)} was set and an existing
         *                                                     store was created with another missing value (the
         *                                                     message names both).
         * @throws OutOfMemoryError                            if anonymous memory for the first tables cannot be
         *                                                     mapped.
         */
        public OffHeapLongLongMap build()
        {
            final MemorySpace space = openSpace();
            final OffHeapLongLongMap map;
            try
            {
                map = new OffHeapLongLongMap(space, this);
            }
            catch (final RuntimeException | Error ex)
            {
                space.abandon(); // never marks the file clean: a dirty file stays dirty, a refused one unchanged
                throw ex;
            }
            if (registerMBean)
            {
                try
                {
                    map.monitor.registerMBean(OffHeapLongLongMap.class, map::statistics);
                }
                catch (final RuntimeException ex)
                {
                    map.close();
                    throw ex;
                }
            }
            return map;
        }

        int minCapacity(final int segmentCount, final int maxCapacity)
        {
            final long slots = Segment.slotsForHint(initialCapacity, segmentCount, maxLoad);
            if (slots > maxCapacity)
            {
                throw new IllegalArgumentException("initial capacity too large for " + segmentCount +
                    " segments: entries=" + initialCapacity + ", max per segment table=" + maxCapacity + " slots");
            }
            return TableDescriptor.capacity(slots, maxCapacity);
        }
    }
}
