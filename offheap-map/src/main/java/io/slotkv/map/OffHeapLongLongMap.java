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
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

import static io.slotkv.map.DirectoryDescriptor.*;
import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.SlotDescriptor.MIN_STORABLE_VALUE;
import static io.slotkv.map.SlotDescriptor.decode;
import static io.slotkv.map.SlotDescriptor.encode;

/**
 * A concurrent map from {@code long} to {@code long} in off-heap memory, optionally in a memory-mapped store
 * file. Lock-free: {@link #get} takes no lock, does no CAS, writes nothing and allocates nothing; an update of an
 * existing key is one CAS on the slot's value word; an insert claims an empty key word by CAS and then sets the
 * value word by CAS. Only the replacement of a segment's table (growth, rebuild, clear, close) takes that segment's
 * lock, and only operations that meet a frozen slot of that segment wait for it.
 * <p>
 * <b>Keys:</b> every long, including 0, -1, {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}.<br>
 * <b>Values:</b> every long except {@link Long#MIN_VALUE} and {@code Long.MIN_VALUE + 1} (they mark empty and
 * frozen slots) and the map's {@link #missingValue()}, which {@link #get} returns for an absent key (Agrona's
 * convention). Storing one of them throws {@link IllegalArgumentException}. The default missing value is
 * {@link Long#MIN_VALUE}, so by default exactly two values are reserved.
 * <p>
 * <b>Closing:</b> {@link #close()} makes every later call throw {@link IllegalStateException}. An operation
 * already running completes (it is ordered before the close); the memory it uses is never freed or unmapped
 * under it. A file-backed map is synced and marked cleanly closed.
 * <p>
 * Iteration ({@link #forEach}) and {@link #size()} are weakly consistent, like {@code ConcurrentHashMap}'s.
 */
public final class OffHeapLongLongMap implements AutoCloseable
{
    /** Default {@link Builder#maxLoad(double)}. */
    public static final double DEFAULT_MAX_LOAD = 0.7;

    /** Default {@link #missingValue()}. */
    public static final long DEFAULT_MISSING_VALUE = Long.MIN_VALUE;

    private static final System.Logger LOGGER = System.getLogger(OffHeapLongLongMap.class.getName());

    private final Segment[] segments;
    private final int segmentMask;
    private final boolean persistent;
    private final boolean readOnly;
    private final String location;
    private final long missingValue;
    private final double maxLoad;
    private final RecoveryReport recoveryReport;
    private volatile boolean closed;

    /**
     * The space and the directory, null once the map is closed: a closed map pins no memory, so the GC can release
     * it (and unmap a store file) as soon as no running operation holds one of its regions, even while the map
     * object itself stays reachable.
     */
    private volatile MemorySpace space;
    private volatile MemoryRegion directory;

    private OffHeapLongLongMap(final MemorySpace space, final Builder builder)
    {
        this.space = space;
        this.persistent = space.isPersistent();
        this.readOnly = space.isReadOnly();
        this.location = space.toString();
        this.missingValue = builder.missingValue;
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
            final int minCapacity = builder.minCapacity(segmentCount, TableDescriptor.maxCapacity(space.maxRegionLength()));
            directory = space.allocate(DirectoryDescriptor.length(segmentCount));
            directory.putLong(KIND_OFFSET, KIND_LONG_LONG);
            directory.putLong(SEGMENT_COUNT_OFFSET, segmentCount);
            directory.putLong(MAX_LOAD_OFFSET, Math.round(maxLoad * 1000));
            directory.putLong(MIN_CAPACITY_OFFSET, minCapacity);
            this.segments = new Segment[segmentCount];
            for (int i = 0; i < segmentCount; i++)
            {
                final LongLongTable table = LongLongTable.allocate(space, minCapacity, maxLoad);
                directory.putLong(segmentEntryOffset(i) + SEGMENT_TABLE_OFFSET_OFFSET, table.region.offset());
                segments[i] = new Segment(i, space, directory, maxLoad, minCapacity, table);
            }
            // one word makes the map exist: a creation killed before it leaves an empty store, opened as new
            space.root(directory);
            this.recoveryReport = null;
        }
        else
        {
            final long rootOffset = space.rootOffset();
            final MemoryRegion head = space.attach(rootOffset, DirectoryDescriptor.HEADER_LENGTH);
            final long kind = head.getLongVolatile(KIND_OFFSET);
            final long segmentCount = head.getLongVolatile(SEGMENT_COUNT_OFFSET);
            final long maxLoadPerMille = head.getLongVolatile(MAX_LOAD_OFFSET);
            final long minCapacity = head.getLongVolatile(MIN_CAPACITY_OFFSET);
            checkField(KIND_LONG_LONG == kind, "kind", "0x" + Long.toHexString(kind),
                "0x" + Long.toHexString(KIND_LONG_LONG) + " (LONGLONG)");
            checkField(segmentCount >= 1 && segmentCount <= MAX_SEGMENTS && Long.bitCount(segmentCount) == 1,
                "segmentCount", segmentCount, "a power of two from 1 to " + MAX_SEGMENTS);
            checkField(maxLoadPerMille >= 100 && maxLoadPerMille <= 950, "maxLoadPerMille", maxLoadPerMille,
                "100 to 950");
            checkField(TableDescriptor.isValidCapacity(minCapacity) &&
                TableDescriptor.regionLength((int)minCapacity) <= space.maxRegionLength(), "minCapacity", minCapacity,
                "a multiple of 4 from 16 to " + TableDescriptor.maxCapacity(space.maxRegionLength()));
            this.maxLoad = maxLoadPerMille / 1000.0;
            directory = space.attach(rootOffset, DirectoryDescriptor.length((int)segmentCount));
            // everything is read and checked before anything is written: a refused open leaves the file as it was
            final Recovery recovery = Recovery.check(space, directory, (int)segmentCount, maxLoad);
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
                    LOGGER.log(report.changedAnything() ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                        report::toString);
                }
                else
                {
                    this.recoveryReport = null;
                }
                space.reuseSpaceOutside(recovery.liveRegions());
            }
            this.segments = new Segment[(int)segmentCount];
            for (int i = 0; i < segmentCount; i++)
            {
                segments[i] = new Segment(i, space, directory, maxLoad, (int)minCapacity, recovery.table(i));
            }
        }
        this.segmentMask = segments.length - 1;
        this.directory = directory;
    }

    private void checkField(final boolean valid, final String field, final Object value, final String allowed)
    {
        if (!valid)
        {
            throw new CorruptStoreException("not a long->long map directory: " + field + "=" + value + ", allowed: " +
                allowed + ", in " + location);
        }
    }

    /**
     * @return a builder with the defaults: anonymous memory, {@link Builder#segments(int) segments} from the
     * processor count, no initial sizing, {@link #DEFAULT_MAX_LOAD}, {@link #DEFAULT_MISSING_VALUE}.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the value {@link #get} returns for an absent key.
     */
    public long missingValue()
    {
        return missingValue;
    }

    /**
     * @return the value of {@code key}, or {@link #missingValue()} if it has none.
     * @throws IllegalStateException if the map is closed.
     */
    public long get(final long key)
    {
        return value(valueWord(key));
    }

    /**
     * @return the value of {@code key}, or {@code defaultValue} if it has none.
     */
    public long getOrDefault(final long key, final long defaultValue)
    {
        final long word = valueWord(key);
        return ABSENT == word ? defaultValue : decode(word);
    }

    public boolean containsKey(final long key)
    {
        return ABSENT != valueWord(key);
    }

    /**
     * @return the previous value, or {@link #missingValue()} if there was none.
     * @throws IllegalArgumentException if {@code value} is reserved.
     */
    public long put(final long key, final long value)
    {
        return value(update(key, ValueUpdate.PUT, storable(value), ABSENT));
    }

    /**
     * @return the current value if there is one (nothing changed), else {@link #missingValue()} (value set).
     */
    public long putIfAbsent(final long key, final long value)
    {
        return value(update(key, ValueUpdate.PUT_IF_ABSENT, storable(value), ABSENT));
    }

    /**
     * Set the value of {@code key} only if it has one.
     *
     * @return the previous value, or {@link #missingValue()} if there was none (nothing changed).
     */
    public long replace(final long key, final long value)
    {
        return value(update(key, ValueUpdate.REPLACE, storable(value), ABSENT));
    }

    /**
     * Set the value of {@code key} to {@code value} only if it is {@code expected}.
     *
     * @return true if the value was replaced.
     */
    public boolean replace(final long key, final long expected, final long value)
    {
        final long word = storable(value);
        if (!isStorable(expected))
        {
            return false;
        }
        final long expectedWord = encode(expected);
        return expectedWord == update(key, ValueUpdate.REPLACE_IF_EQUAL, word, expectedWord);
    }

    /**
     * @return the removed value, or {@link #missingValue()} if there was none.
     */
    public long remove(final long key)
    {
        return value(update(key, ValueUpdate.REMOVE, ABSENT, ABSENT));
    }

    /**
     * Remove {@code key} only if its value is {@code expected}.
     *
     * @return true if it was removed.
     */
    public boolean remove(final long key, final long expected)
    {
        if (!isStorable(expected))
        {
            return false;
        }
        final long expectedWord = encode(expected);
        return expectedWord == update(key, ValueUpdate.REMOVE_IF_EQUAL, ABSENT, expectedWord);
    }

    /**
     * Atomically add {@code delta} to the value of {@code key}, an absent key counting as 0 (it is created).
     *
     * @return the value before the addition (0 if there was none).
     * @throws ArithmeticException      if the sum overflows a long.
     * @throws IllegalArgumentException if the sum is a reserved value.
     */
    public long getAndAdd(final long key, final long delta)
    {
        final long previous = update(key, ValueUpdate.ADD, delta, ABSENT);
        return ABSENT == previous ? 0 : decode(previous);
    }

    /**
     * Atomically add {@code delta} to the value of {@code key}, an absent key counting as 0.
     *
     * @return the value after the addition.
     * @see #getAndAdd(long, long)
     */
    public long addAndGet(final long key, final long delta)
    {
        return getAndAdd(key, delta) + delta;
    }

    /**
     * @return {@code addAndGet(key, 1)}.
     */
    public long incrementAndGet(final long key)
    {
        return addAndGet(key, 1);
    }

    /**
     * @return {@code addAndGet(key, -1)}.
     */
    public long decrementAndGet(final long key)
    {
        return addAndGet(key, -1);
    }

    /**
     * @return the number of keys with a value; weakly consistent: exact when no write runs concurrently.
     */
    public long size()
    {
        long size = ABSENT == zeroKeyWord() ? 0 : 1;
        for (final Segment segment : segments)
        {
            size += table(segment).live();
        }
        return Math.max(0, size);
    }

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
        for (final Segment segment : segments) // segment 0's new table holds no key 0 either
        {
            segment.clear();
        }
    }

    /**
     * Pass every key and value to {@code consumer}. Weakly consistent: every key that has a value during the whole
     * call is passed exactly once, with a value it had during the call; keys added or removed meanwhile may or may
     * not be passed. The consumer may modify the map. Allocates a buffer of one segment's entries.
     */
    public void forEach(final LongLongConsumer consumer)
    {
        final SegmentSnapshot snapshot = new SegmentSnapshot();
        for (int segment = -1; segment < segments.length; segment++)
        {
            snapshot(segment, snapshot);
            for (int i = 0; i < snapshot.size; i++)
            {
                consumer.accept(snapshot.keys[i], decode(snapshot.valueWords[i]));
            }
        }
    }

    /**
     * Fill {@code snapshot} with the live entries of segment {@code index}; index -1 is key 0.
     */
    void snapshot(final int index, final SegmentSnapshot snapshot)
    {
        if (index < 0)
        {
            snapshot.size = 0;
            final long zero = zeroKeyWord();
            if (ABSENT != zero)
            {
                snapshot.visit(EMPTY_KEY, zero);
            }
        }
        else
        {
            snapshot.take(segments[index]);
        }
    }

    /**
     * @return a {@link ConcurrentMap} view backed by this map, for code that expects one; it boxes, and a value
     * that is reserved here is rejected with {@link IllegalArgumentException}.
     */
    public ConcurrentMap<Long, Long> asConcurrentMap()
    {
        return new LongLongMapView(this);
    }

    /**
     * @return the number of segments.
     */
    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * @return the slots of all current tables.
     */
    public long capacity()
    {
        long capacity = 0;
        for (final Segment segment : segments)
        {
            capacity += table(segment).capacity;
        }
        return capacity;
    }

    /**
     * @return the off-heap bytes of the current tables and the directory; tables replaced by a resize are not
     * counted (anonymous memory is freed once no operation can reach them).
     */
    public long offHeapBytes()
    {
        long bytes = openDirectory().length();
        for (final Segment segment : segments)
        {
            bytes += table(segment).region.length();
        }
        return bytes;
    }

    /**
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
        final MemorySpace space = this.space;
        final MemoryRegion directory = this.directory;
        final boolean fence = persistent && !readOnly;
        RuntimeException failure = null;
        final LongLongTable[] fences = new LongLongTable[segments.length];
        for (int i = 0; i < segments.length; i++)
        {
            try
            {
                fences[i] = segments[i].close(fence && null == failure);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        try
        {
            if (null == failure)
            {
                if (fence)
                {
                    // last word before the clean mark: a clean open recomputes it to see that nothing was damaged
                    directory.putLongRelease(CLEAN_CHECK_OFFSET, Recovery.cleanCheck(directory, fences, fences.length,
                        space.maxRegionLength()));
                }
                space.close();
            }
            else
            {
                space.abandon();
            }
        }
        finally
        {
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
        for (final Segment segment : segments)
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
    Segment segment(final int i)
    {
        return segments[i];
    }

    /**
     * @return what recovery found and repaired when this map was opened, if it ran: the store file had not been
     * closed cleanly, or {@link Builder#verifyOnOpen(boolean)} asked for it, or a cheap check at open failed.
     */
    public Optional<RecoveryReport> recoveryReport()
    {
        return Optional.ofNullable(recoveryReport);
    }

    /**
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

    private long valueWord(final long key)
    {
        if (EMPTY_KEY == key)
        {
            return zeroKeyWord();
        }
        final long hash = LongHashing.mix(key);
        final Segment segment = segments[segmentOf(hash, segmentMask)];
        while (true)
        {
            final LongLongTable table = table(segment);
            final long word = table.get(key, hash);
            Reference.reachabilityFence(table); // the table's memory stays mapped until this operation is done
            if (FROZEN != word)
            {
                return word;
            }
            segment.awaitOrReplace(table);
        }
    }

    private long update(final long key, final int op, final long word, final long expected)
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        if (EMPTY_KEY == key)
        {
            final Segment segment = segments[0];
            while (true)
            {
                final LongLongTable table = table(segment);
                final long previous = ValueUpdate.apply(table.region, TableDescriptor.ZERO_KEY_VALUE_OFFSET, op, word,
                    expected);
                Reference.reachabilityFence(table);
                if (FROZEN != previous)
                {
                    return previous;
                }
                segment.awaitOrReplace(table);
            }
        }
        final long hash = LongHashing.mix(key);
        final Segment segment = segments[segmentOf(hash, segmentMask)];
        while (true)
        {
            final LongLongTable table = table(segment);
            final long previous = table.update(key, hash, op, word, expected);
            Reference.reachabilityFence(table);
            if (FROZEN != previous)
            {
                return previous;
            }
            segment.awaitOrReplace(table);
        }
    }

    /**
     * Key 0's value word, from the header of segment 0's table (see {@link TableDescriptor}).
     */
    private long zeroKeyWord()
    {
        final Segment segment = segments[0];
        while (true)
        {
            final LongLongTable table = table(segment);
            final long word = table.zeroKeyWord();
            Reference.reachabilityFence(table);
            if (FROZEN != word)
            {
                return word;
            }
            segment.awaitOrReplace(table);
        }
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

    private static LongLongTable table(final Segment segment)
    {
        final LongLongTable table = segment.table;
        if (null == table)
        {
            throw closedException();
        }
        return table;
    }

    private long value(final long word)
    {
        return ABSENT == word ? missingValue : decode(word);
    }

    private boolean isStorable(final long value)
    {
        return value >= MIN_STORABLE_VALUE && value != missingValue;
    }

    private long storable(final long value)
    {
        if (!isStorable(value))
        {
            throw new IllegalArgumentException("value is reserved: value=" + value + ", missingValue=" +
                missingValue + " (Long.MIN_VALUE, Long.MIN_VALUE + 1 and the missing value cannot be stored)");
        }
        return encode(value);
    }

    /**
     * The live entries of one segment, read without a lock: a read that meets a frozen slot waits for the
     * replacement and starts the segment again, so each entry is taken exactly once.
     */
    static final class SegmentSnapshot implements LongLongTable.SlotVisitor
    {
        long[] keys = new long[64];
        long[] valueWords = new long[64];
        int size;

        void take(final Segment segment)
        {
            while (true)
            {
                size = 0;
                final LongLongTable table = table(segment);
                final boolean complete = table.forEachLive(this);
                Reference.reachabilityFence(table);
                if (complete)
                {
                    return;
                }
                segment.awaitOrReplace(table);
            }
        }

        @Override
        public void visit(final long key, final long valueWord)
        {
            if (size == keys.length)
            {
                keys = Arrays.copyOf(keys, size * 2);
                valueWords = Arrays.copyOf(valueWords, size * 2);
            }
            keys[size] = key;
            valueWords[size] = valueWord;
            size++;
        }
    }

    /**
     * Configuration of a new map, or how to open one from a store file.
     */
    public static final class Builder
    {
        private int segments = defaultSegments();
        private long initialCapacity;
        private double maxLoad = DEFAULT_MAX_LOAD;
        private long missingValue = DEFAULT_MISSING_VALUE;
        private Path file;
        private OpenMode openMode = OpenMode.CREATE_OR_OPEN;
        private long chunkSize = MappedFileSpace.DEFAULT_CHUNK_SIZE;
        private boolean verifyOnOpen;
        private MemorySpace space;

        private Builder()
        {
        }

        /**
         * @return the default segment count: the power of two at or above 4 x available processors.
         */
        public static int defaultSegments()
        {
            return Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1;
        }

        /**
         * @param segments a power of two from 1 to 65536. Ignored when an existing store file is opened.
         */
        public Builder segments(final int segments)
        {
            if (segments < 1 || segments > MAX_SEGMENTS || Integer.bitCount(segments) != 1)
            {
                throw new IllegalArgumentException(
                    "segments must be a power of two from 1 to " + MAX_SEGMENTS + ": segments=" + segments);
            }
            this.segments = segments;
            return this;
        }

        /**
         * @param entries expected number of entries, to size the tables up front; optional (the map grows).
         *                Ignored when an existing store file is opened.
         */
        public Builder initialCapacity(final long entries)
        {
            if (entries < 0)
            {
                throw new IllegalArgumentException("initial capacity must not be negative: entries=" + entries);
            }
            this.initialCapacity = entries;
            return this;
        }

        /**
         * @param maxLoad fraction of a table's slots in use at which it is replaced, 0.1 to 0.95.
         *                Ignored when an existing store file is opened.
         */
        public Builder maxLoad(final double maxLoad)
        {
            if (!(maxLoad >= 0.1 && maxLoad <= 0.95))
            {
                throw new IllegalArgumentException("maxLoad must be from 0.1 to 0.95: maxLoad=" + maxLoad);
            }
            this.maxLoad = maxLoad;
            return this;
        }

        /**
         * @param missingValue returned by {@link #get} for an absent key; it cannot be stored.
         */
        public Builder missingValue(final long missingValue)
        {
            this.missingValue = missingValue;
            return this;
        }

        /**
         * Keep the map in a memory-mapped store file: created if absent, reopened with every entry if present
         * ({@link OpenMode#CREATE_OR_OPEN}). The file is locked for as long as the map is open.
         */
        public Builder file(final Path file)
        {
            return file(file, OpenMode.CREATE_OR_OPEN);
        }

        /**
         * Keep the map in a memory-mapped store file, opened as {@code mode} says: create-or-open, open an existing
         * store only (a missing or empty file is an error), or read-only (every write throws
         * {@link UnsupportedOperationException}; the file must have been closed cleanly).
         */
        public Builder file(final Path file, final OpenMode mode)
        {
            this.file = file;
            this.openMode = java.util.Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param verify true to check and repair every table of a store file at open even if it was closed cleanly
         *               (a full scan; see {@link RecoveryReport}). A file that was not closed cleanly is always
         *               recovered. Default false: a clean open reads only the header, the directory and each
         *               table's header, so it takes the same time whatever the size of the store.
         */
        public Builder verifyOnOpen(final boolean verify)
        {
            this.verifyOnOpen = verify;
            return this;
        }

        /**
         * Build on a given space: for tests that inject faults.
         */
        Builder space(final MemorySpace space)
        {
            this.space = space;
            return this;
        }

        /**
         * @param chunkSize of the file mappings, a power of two from 64 KiB to 1 GiB (default 1 GiB). The largest
         *                  segment table must fit one chunk. Ignored when an existing store file is opened.
         */
        public Builder chunkSize(final long chunkSize)
        {
            this.chunkSize = chunkSize;
            return this;
        }

        /**
         * @return the map.
         * @throws io.slotkv.core.memory.StoreLockedException if the store file is open elsewhere (another process, or
         *                                                     another map of this JVM, under any path).
         * @throws CorruptStoreException                       if the store file is not a SlotKV long->long map, or
         *                                                     a structure in it is out of range (the message names
         *                                                     the field, its value and the allowed range); the file
         *                                                     is left unchanged.
         * @throws java.io.UncheckedIOException               if the file cannot be opened, created or mapped, or
         *                                                     (open-existing and read-only modes) does not exist.
         * @throws io.slotkv.core.memory.DiskFullException     if a new store cannot reserve its first tables.
         * @throws IllegalArgumentException                   if the initial capacity cannot fit the segments.
         * @throws IllegalStateException                       if the JVM lacks the flags SlotKV needs (the message
         *                                                     names them), or a read-only open meets a store that was
         *                                                     not closed cleanly.
         */
        public OffHeapLongLongMap build()
        {
            final MemorySpace space = null != this.space ? this.space :
                null == file ? new AnonymousMemorySpace() : MappedFileSpace.open(file, openMode, chunkSize);
            try
            {
                return new OffHeapLongLongMap(space, this);
            }
            catch (final RuntimeException | Error ex)
            {
                space.abandon(); // never marks the file clean: a dirty file stays dirty, a refused one unchanged
                throw ex;
            }
        }

        int minCapacity(final int segmentCount, final int maxCapacity)
        {
            // keys spread over segments by hash, so a segment's share varies (binomial, standard deviation about
            // sqrt(share)): four deviations of headroom, so a hinted map fills without resizing
            final long share = (initialCapacity + segmentCount - 1) / segmentCount;
            final long perSegment = 0 == share ? 0 : share + (long)Math.ceil(4 * Math.sqrt(share)) + 16;
            final long slots = (long)Math.ceil(perSegment / maxLoad) + 1;
            if (slots > maxCapacity)
            {
                throw new IllegalArgumentException("initial capacity too large for " + segmentCount +
                    " segments: entries=" + initialCapacity + ", max per segment table=" + maxCapacity + " slots");
            }
            return TableDescriptor.capacity(slots, maxCapacity);
        }
    }
}
