package io.slotkv.map;

import io.slotkv.core.hash.BytesHashing;
import io.slotkv.core.jvm.JvmAccess;
import io.slotkv.core.memory.ByteCopy;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

import static io.slotkv.map.DirectoryDescriptor.KIND_BYTES;
import static io.slotkv.map.DirectoryDescriptor.MAX_SEGMENTS;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.segmentEntryOffset;
import static io.slotkv.map.DirectoryDescriptor.segmentOf;

/**
 * A concurrent map of byte keys to byte values, off-heap, lock-free: keys and values of any length from 0 bytes up
 * to the store's limits ({@link Builder#maxKeyLength}, {@link Builder#maxValueLength}).
 * <p>
 * <b>Reads</b> ({@link #get}, {@link #containsKey}) take no lock, do no CAS, write no shared memory and, copying into
 * the caller's buffer, allocate nothing; each is linearizable at its load of the key's slot word. <b>Writes</b> build
 * the new entry privately and publish it with one CAS of the key's slot word; the entry they replace goes back to
 * its segment's heap, and a reader still copying it sees that and starts again (docs/design.md, "The byte store").
 * <p>
 * Keys and values are passed as Agrona buffers with an offset and a length, as {@code byte[]} or as {@code String}
 * (UTF-8). A get into a buffer returns the value's length, or {@link #ABSENT} (-1); it copies the value only if it
 * fits the buffer from the given offset, and otherwise writes nothing, so a caller that sees a length larger than
 * its room knows the buffer was too small and by how much.
 * <p>
 * Iteration ({@link #forEach}) is weakly consistent. Redis-style conveniences ({@link #getAndSet},
 * {@link #getAndRemove}, {@link #incrBy}, {@link #decrBy}, {@link #append}) are atomic read-compute-compare-and-set
 * loops over the bytes.
 * <p>
 * {@link #asConcurrentMap()} and {@link #asConcurrentMap(ByteCodec, ByteCodec)} are {@link ConcurrentMap} views of
 * the store, String or through codecs.
 * <p>
 * <b>Memory.</b> Anonymous memory by default; with {@link Builder#file(Path)} a memory-mapped store file that
 * reopens without loading (mapped, not read), keeps every acknowledged write when the process dies (the next open
 * recovers it, {@link #recoveryReport()}) and checks each entry's CRC32C when it recovers (docs/durability.md).
 */
public final class OffHeapByteStore implements AutoCloseable
{
    /** What {@link #get} returns for a key without a value. */
    public static final int ABSENT = -1;

    /** Default limit of a key's length: 64 KiB - 1 bytes, the most an entry can hold. */
    public static final int DEFAULT_MAX_KEY_LENGTH = EntryDescriptor.MAX_KEY_LENGTH;

    /** Default limit of a value's length: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_LENGTH = 1 << 20;

    /** The longest value a store can be built for: 256 MiB - 1, what an entry's header can describe. */
    public static final int MAX_VALUE_LENGTH = EntryDescriptor.MAX_VALUE_LENGTH;

    /** Default load of a table at which it is replaced by a larger one. */
    public static final double DEFAULT_MAX_LOAD = 0.75;

    private static final int PUT = 0;
    private static final int PUT_IF_ABSENT = 1;
    private static final int REPLACE = 2;
    private static final int REPLACE_IF_EQUAL = 3;
    private static final int REMOVE = 4;
    private static final int REMOVE_IF_EQUAL = 5;
    /** Give a key with a value a new deadline (or none), keeping its value; {@link #NOT_EQUAL} if it had none to clear. */
    private static final int EXPIRE = 6;

    /** The deadline of a write: none (the entry never expires). */
    private static final long NO_DEADLINE = ByteTable.NO_DEADLINE;
    /** The deadline of a write: the one of the entry it replaces (the read-modify-write updates, as Redis's INCR). */
    private static final long KEEP_DEADLINE = -1;

    /** {@link #write} results. */
    private static final int WAS_ABSENT = 0;
    private static final int WAS_PRESENT = 1;
    private static final int NOT_EQUAL = 2;

    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final byte[] NO_BYTES = new byte[0];

    private static final System.Logger LOGGER = System.getLogger(OffHeapByteStore.class.getName());

    private final MemorySpace space;
    private final MemoryRegion directory;
    private final boolean persistent;
    private final boolean readOnly;
    private final String location;
    private final Reclaimer reclaimer;
    private final Segment<ByteTable>[] segments;

    /**
     * Each segment's heap once its table is detached (close, abandon); while the store is open a segment's heap is
     * its current table's ({@link #heap}), which a compacting replacement changes.
     */
    private final EntryHeap[] heaps;
    private final int segmentMask;
    private final long seed;
    private final int maxKeyLength;
    private final int maxValueLength;
    private final RecoveryReport recoveryReport;
    private final InstantSource clock;
    private final ExpirySweeper sweeper;
    private final MemoryLimit memoryLimit;
    final StoreMonitor monitor;

    /** The monitor's counters, null if statistics are off: the one field the operations test. */
    private final StoreCounters counters;
    private volatile boolean closed;
    /** Set by {@link #closeUnshared} on the closing thread before it closes: no fence copy. */
    private boolean unshared;

    private OffHeapByteStore(final MemorySpace space, final Builder builder)
    {
        this.space = space;
        this.persistent = space.isPersistent();
        this.readOnly = space.isReadOnly();
        this.location = space.toString();
        this.reclaimer = new Reclaimer(space);
        this.clock = builder.clock;
        this.monitor = builder.monitor();
        this.counters = monitor.counters;
        final ByteTable.Kind kind = new ByteTable.Kind();
        final int segmentCount;
        final double maxLoad;
        final int minCapacity;
        if (MemorySpace.NO_ROOT == space.rootOffset())
        {
            if (readOnly)
            {
                throw new IllegalStateException("store file holds no store yet (created, never written): " + location);
            }
            this.maxKeyLength = builder.maxKeyLength;
            this.maxValueLength = builder.maxValueLength;
            checkLimits(space, maxKeyLength, maxValueLength, "the builder's"); // before anything is written
            space.markDirty();
            segmentCount = builder.segments;
            maxLoad = builder.maxLoad;
            this.seed = new ValueKeys().next();
            final int maxCapacity = ByteTableDescriptor.maxCapacity(space.maxRegionLength());
            final long slots = Segment.slotsForHint(builder.initialCapacity, segmentCount, maxLoad);
            if (slots > maxCapacity)
            {
                throw new IllegalArgumentException("initial capacity too large for " + segmentCount + " segments: " +
                    "entries=" + builder.initialCapacity + ", max per segment table=" + maxCapacity + " slots");
            }
            minCapacity = ByteTableDescriptor.capacity(slots, maxCapacity);
            directory = space.allocate(DirectoryDescriptor.length(segmentCount));
            DirectoryHeader.write(directory, KIND_BYTES, segmentCount, maxLoad, minCapacity, seed);
            directory.putLong(DirectoryDescriptor.LIMITS_OFFSET, limits(maxKeyLength, maxValueLength));
            this.heaps = new EntryHeap[segmentCount];
            this.segments = newSegments(segmentCount);
            for (int i = 0; i < segmentCount; i++)
            {
                heaps[i] = EntryHeap.create(space, i, persistent);
                final ByteTable table = ByteTable.allocate(space, minCapacity, maxLoad, seed, clock, heaps[i]);
                directory.putLong(segmentEntryOffset(i) + SEGMENT_TABLE_OFFSET_OFFSET, table.region.offset());
                segments[i] = new Segment<>(i, space, directory, maxLoad, minCapacity, table, reclaimer, kind,
                    monitor);
            }
            // one word makes the store exist: a creation killed before it leaves an empty file, opened as new
            space.root(directory);
            this.recoveryReport = null;
        }
        else
        {
            final DirectoryHeader header = DirectoryHeader.read(space, KIND_BYTES, "BYTESTOR", "byte store", kind);
            segmentCount = header.segmentCount;
            maxLoad = header.maxLoad;
            minCapacity = header.minCapacity;
            this.seed = header.seed;
            directory = space.attach(space.rootOffset(), DirectoryDescriptor.length(segmentCount));
            final long limits = directory.getLongVolatile(DirectoryDescriptor.LIMITS_OFFSET);
            final long storedKey = limits >>> 32;
            final long storedValue = limits & 0xFFFF_FFFFL;
            if (storedKey > EntryDescriptor.MAX_KEY_LENGTH || storedValue > EntryDescriptor.MAX_VALUE_LENGTH ||
                EntryDescriptor.entryLength((int)storedKey, (int)storedValue, true) > EntryHeap.maxBlockLength(space))
            {
                throw new CorruptStoreException("not a byte store directory: limits=0x" +
                    Long.toHexString(limits) + " (maxKeyLength=" + storedKey + ", maxValueLength=" + storedValue +
                    "), allowed: limits whose longest entry fits a block of " + EntryHeap.maxBlockLength(space) +
                    " bytes, in " + location);
            }
            this.maxKeyLength = builder.maxKeyLengthSet ? builder.maxKeyLength : (int)storedKey;
            this.maxValueLength = builder.maxValueLengthSet ? builder.maxValueLength : (int)storedValue;
            if (maxKeyLength < storedKey || maxValueLength < storedValue)
            {
                // entries up to the stored limits may exist: lower limits would make them unreadable
                throw new IllegalArgumentException("a store's limits can only be raised: maxKeyLength=" +
                    maxKeyLength + " (stored " + storedKey + "), maxValueLength=" + maxValueLength + " (stored " +
                    storedValue + "), in " + location);
            }
            checkLimits(space, maxKeyLength, maxValueLength, "the builder's");
            // everything is read and checked before anything is written: a refused open leaves the file as it was
            final ByteStoreRecovery recovery = ByteStoreRecovery.check(space, directory, header, clock);
            final boolean crashed = !space.wasClosedCleanly();
            final boolean verify = builder.verifyOnOpen || crashed;
            if (readOnly)
            {
                if (crashed || recovery.anySuspect())
                {
                    throw new CorruptStoreException("store needs repair, which a read-only " +
                        "open cannot do: " + (crashed ? "it was not closed cleanly" : "a cheap check at open failed") +
                        "; open it for writing once, in " + location);
                }
                if (verify)
                {
                    // the full check, reading only: anything a repair would change refuses the file
                    final RecoveryReport report = new RecoveryReport(location, true);
                    recovery.verify(report);
                    if (report.foundDamage())
                    {
                        throw new CorruptStoreException("store fails its verification, and a read-only open " +
                            "repairs nothing (the file is unchanged; an open for writing repairs it): " + report);
                    }
                    this.recoveryReport = report;
                }
                else
                {
                    this.recoveryReport = null;
                }
                recovery.restoreHeaps(); // reads only: the accounting of what the store holds
            }
            else
            {
                final boolean repair = verify || recovery.anySuspect();
                if (!repair)
                {
                    recovery.restoreHeaps(); // reads only, and may refuse the file: before it is marked open
                }
                space.markDirty();
                if (repair)
                {
                    final RecoveryReport report = new RecoveryReport(location, !crashed);
                    recovery.repair(report, minCapacity);
                    this.recoveryReport = report;
                }
                else
                {
                    this.recoveryReport = null;
                }
                space.reuseSpaceOutside(recovery.liveRegions());
                if (limits != limits(maxKeyLength, maxValueLength))
                {
                    // raised limits are kept: one word, after the file is marked open (a crash either way leaves
                    // limits that every entry written so far fits), covered by the next clean check
                    directory.putLongVolatile(DirectoryDescriptor.LIMITS_OFFSET, limits(maxKeyLength, maxValueLength));
                }
            }
            this.heaps = new EntryHeap[segmentCount];
            this.segments = newSegments(segmentCount);
            for (int i = 0; i < segmentCount; i++)
            {
                heaps[i] = recovery.heap(i);
                segments[i] = new Segment<>(i, space, directory, maxLoad, minCapacity, recovery.table(i), reclaimer,
                    kind, monitor);
            }
        }
        this.segmentMask = segmentCount - 1;
        this.sweeper = new ExpirySweeper(this, segmentCount, builder.expirySweeper && !readOnly);
        this.memoryLimit = new MemoryLimit(builder.maxMemory, location);
        for (final EntryHeap heap : heaps)
        {
            heap.limit(memoryLimit);
        }
        memoryLimit.start(this::offHeapBytes); // from here on, every growth is checked
        if (persistent)
        {
            sweeper.startIfIdle(); // a store file may hold deadlines from before
        }
        if (null != recoveryReport)
        {
            // every recovery rebuilds the tables: only damage it removed is worth a warning
            LOGGER.log(recoveryReport.purged() > 0 ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                recoveryReport::toString);
            monitor.recovered(recoveryReport);
        }
    }

    private static long limits(final int maxKeyLength, final int maxValueLength)
    {
        return ((long)maxKeyLength << 32) | maxValueLength;
    }

    private static void checkLimits(final MemorySpace space, final int maxKeyLength, final int maxValueLength,
        final String whose)
    {
        final long longestEntry = EntryDescriptor.entryLength(maxKeyLength, maxValueLength, true);
        if (longestEntry > EntryHeap.maxBlockLength(space))
        {
            throw new IllegalArgumentException("maxKeyLength + maxValueLength do not fit an entry: maxKeyLength=" +
                maxKeyLength + ", maxValueLength=" + maxValueLength + " (" + whose + "), entry=" + longestEntry +
                " bytes (key, value, 12 of header and 8 of deadline), max entry=" + EntryHeap.maxBlockLength(space) + " bytes (the largest " +
                "block of an arena of " + Integer.highestOneBit(space.maxRegionLength()) + " bytes after its " +
                "header; a larger chunk size allows more)");
        }
    }

    @SuppressWarnings("unchecked") // an array of a generic type: every element is made with ByteTable
    private static Segment<ByteTable>[] newSegments(final int count)
    {
        return (Segment<ByteTable>[])new Segment<?>[count];
    }

    /**
     * Start the configuration of a store; nothing is allocated until {@link Builder#build()}.
     *
     * @return a builder with the defaults: segments from the processor count, {@link #DEFAULT_MAX_LOAD},
     * {@link #DEFAULT_MAX_KEY_LENGTH}, {@link #DEFAULT_MAX_VALUE_LENGTH}, huge pages on.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    // ---------------------------------------------------------------- reads

    /**
     * Copy the value of a key into {@code value} from {@code valueOffset}, if it fits.
     *
     * @param key         the buffer holding the key.
     * @param keyOffset   of the key in {@code key}.
     * @param keyLength   of the key, 0 to the store's limit.
     * @param value       where the value goes.
     * @param valueOffset where in {@code value} it goes.
     * @return the value's length (copied only if it is at most {@code value.capacity() - valueOffset}; otherwise
     * nothing is written), or {@link #ABSENT}.
     * @throws IllegalArgumentException  if the key is longer than the store's limit.
     * @throws IndexOutOfBoundsException if the key's range is not inside {@code key}, or {@code valueOffset} is not
     *                                   inside {@code value}.
     * @throws IllegalStateException     if the store is closed.
     */
    public int get(final DirectBuffer key, final int keyOffset, final int keyLength, final MutableDirectBuffer value,
        final int valueOffset)
    {
        key.boundsCheck(keyOffset, keyLength);
        value.boundsCheck(valueOffset, 0);
        checkKeyLength(keyLength);
        final int length = counted(read(key.byteArray(), key.addressOffset() + keyOffset, keyLength,
            value.byteArray(), value.addressOffset() + valueOffset, value.capacity() - valueOffset));
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(value);
        return length;
    }

    /**
     * Read the value of a key as a new array.
     *
     * @param key the key.
     * @return a copy of the key's value, or null if it has none.
     * @throws IllegalArgumentException if the key is longer than the store's limit.
     * @throws IllegalStateException    if the store is closed.
     */
    public byte[] get(final byte[] key)
    {
        final byte[] value = peek(key);
        counted(null == value ? ABSENT : value.length);
        return value;
    }

    /**
     * {@link #get(byte[])} that is not a get of the statistics: for the reads inside read-compute-write loops.
     */
    byte[] peek(final byte[] key)
    {
        checkKeyLength(key.length);
        byte[] value = NO_BYTES;
        while (true)
        {
            final int length = read(key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length);
            if (ABSENT == length)
            {
                return null;
            }
            if (length == value.length)
            {
                return value;
            }
            if (length < value.length)
            {
                return java.util.Arrays.copyOf(value, length);
            }
            value = new byte[length]; // a writer may change it meanwhile: then this loops once more
        }
    }

    /**
     * Read the value of a String key as a String.
     *
     * @param key the key, encoded as UTF-8.
     * @return the key's value decoded from UTF-8, or null if it has none.
     * @throws IllegalArgumentException if the encoded key is longer than the store's limit.
     * @throws IllegalStateException    if the store is closed.
     */
    public String getString(final String key)
    {
        final byte[] value = get(key.getBytes(StandardCharsets.UTF_8));
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Tell whether a key has a value.
     *
     * @param key the key.
     * @return whether the key has a value.
     * @throws IllegalArgumentException if the key is longer than the store's limit.
     * @throws IllegalStateException    if the store is closed.
     */
    public boolean containsKey(final byte[] key)
    {
        checkKeyLength(key.length);
        return ABSENT != counted(read(key, BYTE_ARRAY_BASE, key.length, null, 0, 0));
    }

    /**
     * Same as {@link #containsKey(byte[])} for a key in a buffer.
     *
     * @param key the buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength length of the key in bytes.
     * @return whether the key has a value.
     */
    public boolean containsKey(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        key.boundsCheck(keyOffset, keyLength);
        checkKeyLength(keyLength);
        final boolean present =
            ABSENT != counted(read(key.byteArray(), key.addressOffset() + keyOffset, keyLength, null, 0, 0));
        Reference.reachabilityFence(key);
        return present;
    }

    /**
     * Copy the value of a key into a {@link ByteBuffer}, if it fits: as {@link #get(DirectBuffer, int, int,
     * MutableDirectBuffer, int)} with the key from {@code key.position()} to {@code key.limit()} and the value copied
     * to {@code value.position()} if it is at most {@code value.remaining()} bytes. Neither buffer's position or
     * limit changes. Direct and heap buffers work alike (a read-only one only as the key).
     *
     * @param key the key, from its position to its limit (unchanged).
     * @param value the buffer the value is copied into, at its position (position and limit unchanged).
     * @return the value's length (copied only if it fits), or {@link #ABSENT}.
     * @throws ReadOnlyBufferException if {@code value} is read-only.
     */
    public int get(final ByteBuffer key, final ByteBuffer value)
    {
        if (value.isReadOnly())
        {
            throw new ReadOnlyBufferException();
        }
        checkKeyLength(key.remaining());
        final int length = counted(read(base(key), offset(key), key.remaining(), base(value), offset(value),
            value.remaining()));
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(value);
        return length;
    }

    /**
     * Same as {@link #containsKey(byte[])} for the key from {@code key.position()} to {@code key.limit()}.
     *
     * @param key the key, from its position to its limit (unchanged).
     * @return whether the key has a value.
     */
    public boolean containsKey(final ByteBuffer key)
    {
        checkKeyLength(key.remaining());
        final boolean present = ABSENT != counted(read(base(key), offset(key), key.remaining(), null, 0, 0));
        Reference.reachabilityFence(key);
        return present;
    }

    /**
     * @return the array behind a heap buffer, null for a direct one: the base of {@link #offset}.
     */
    private static byte[] base(final ByteBuffer buffer)
    {
        return buffer.isDirect() ? null : BufferUtil.array(buffer);
    }

    /**
     * @return the address (direct) or array offset (heap) of {@code buffer.position()}.
     */
    private static long offset(final ByteBuffer buffer)
    {
        return buffer.isDirect() ? BufferUtil.address(buffer) + buffer.position() :
            BufferUtil.ARRAY_BASE_OFFSET + BufferUtil.arrayOffset(buffer) + buffer.position();
    }

    /**
     * @return {@code length}, counted as a hit, or as a miss if it is {@link #ABSENT}.
     */
    private int counted(final int length)
    {
        final StoreCounters counters = this.counters;
        if (null != counters)
        {
            counters.increment(ABSENT == length ? StoreCounters.MISSES : StoreCounters.HITS);
        }
        return length;
    }

    /**
     * Count one operation in {@code counter}, if statistics are on.
     */
    private void count(final int counter)
    {
        final StoreCounters counters = this.counters;
        if (null != counters)
        {
            counters.increment(counter);
        }
    }

    private int read(final Object keyBase, final long keyOffset, final int keyLength, final Object dstBase,
        final long dstOffset, final int room)
    {
        final long hash = BytesHashing.hash(keyBase, keyOffset, keyLength, seed);
        final Segment<ByteTable> segment = segments[segmentOf(hash, segmentMask)];
        while (true)
        {
            final ByteTable table = table(segment);
            final int length = table.get(keyBase, keyOffset, keyLength, hash, dstBase, dstOffset, room);
            if (ByteTable.STALE == length)
            {
                checkReplaced(segment, table);
                continue;
            }
            if (ByteTable.RETRY == length || table.retired)
            {
                continue; // an entry was reused while read, or the table was replaced: read the current one
            }
            Reference.reachabilityFence(table);
            return length;
        }
    }

    // ---------------------------------------------------------------- writes

    /**
     * Set the value of a key, whether it has one or not.
     *
     * @param key the buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength length of the key in bytes.
     * @param value the buffer holding the value.
     * @param valueOffset offset of the value in {@code value}.
     * @param valueLength length of the value in bytes.
     * @return true if the key had a value (replaced), false if it was inserted.
     * @throws IllegalArgumentException  if the key or the value is longer than the store's limit.
     * @throws IndexOutOfBoundsException if a range is not inside its buffer.
     * @throws IllegalStateException     if the store is closed, or its segment cannot grow (at its largest table).
     */
    public boolean put(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value,
        final int valueOffset, final int valueLength)
    {
        key.boundsCheck(keyOffset, keyLength);
        value.boundsCheck(valueOffset, valueLength);
        final int result = write(PUT, key.byteArray(), key.addressOffset() + keyOffset, keyLength, value.byteArray(),
            value.addressOffset() + valueOffset, valueLength, null, 0, 0, NO_DEADLINE);
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(value);
        return WAS_PRESENT == result;
    }

    /**
     * Set the value of a key, whether it has one or not.
     *
     * @param key the key.
     * @param value the value.
     * @return true if the key had a value (replaced), false if it was inserted.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean put(final byte[] key, final byte[] value)
    {
        return WAS_PRESENT == write(PUT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, null,
            0, 0, NO_DEADLINE);
    }

    /**
     * Set a String key's String value (both UTF-8).
     *
     * @param key the key.
     * @param value the value.
     * @return true if the key had a value.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean putString(final String key, final String value)
    {
        return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Set the value of a key only if it has none.
     *
     * @param key the key.
     * @param value the value.
     * @return true if the value was stored (the key had none).
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value)
    {
        return WAS_ABSENT == write(PUT_IF_ABSENT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
            value.length, null, 0, 0, NO_DEADLINE);
    }

    /**
     * Set the value of a key only if it has one (SKV's update).
     *
     * @param key the key.
     * @param value the value.
     * @return true if the value was replaced.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean replace(final byte[] key, final byte[] value)
    {
        return WAS_PRESENT == write(REPLACE, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length,
            null, 0, 0, NO_DEADLINE);
    }

    /**
     * Set the value of a key only if its value is exactly {@code expected} (compare-and-set on the bytes).
     *
     * @param key the key.
     * @param expected the value the key must hold.
     * @param value the value.
     * @return true if the value was replaced.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean replace(final byte[] key, final byte[] expected, final byte[] value)
    {
        return WAS_PRESENT == write(REPLACE_IF_EQUAL, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
            value.length, expected, BYTE_ARRAY_BASE, expected.length, NO_DEADLINE);
    }

    /**
     * Remove the value of a key.
     *
     * @param key the key.
     * @return true if the key had a value.
     * @throws IllegalArgumentException if the key is longer than the store's limit.
     * @throws IllegalStateException    if the store is closed.
     */
    public boolean remove(final byte[] key)
    {
        return WAS_PRESENT == write(REMOVE, key, BYTE_ARRAY_BASE, key.length, null, 0, 0, null, 0, 0,
            NO_DEADLINE);
    }

    /**
     * Same as {@link #remove(byte[])} for a key in a buffer.
     *
     * @param key the buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength length of the key in bytes.
     * @return true if the key had a value.
     */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        key.boundsCheck(keyOffset, keyLength);
        final int result = write(REMOVE, key.byteArray(), key.addressOffset() + keyOffset, keyLength, null, 0, 0, null,
            0, 0, NO_DEADLINE);
        Reference.reachabilityFence(key);
        return WAS_PRESENT == result;
    }

    /**
     * Remove a String key's value (SKV's delete).
     *
     * @param key the key.
     * @return true if the key had a value.
     */
    public boolean removeString(final String key)
    {
        return remove(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Remove the value of a key only if it is exactly {@code expected}.
     *
     * @param key the key.
     * @param expected the value the key must hold.
     * @return true if it was removed.
     */
    public boolean remove(final byte[] key, final byte[] expected)
    {
        return WAS_PRESENT == write(REMOVE_IF_EQUAL, key, BYTE_ARRAY_BASE, key.length, null, 0, 0, expected,
            BYTE_ARRAY_BASE, expected.length, NO_DEADLINE);
    }

    /**
     * Same as {@link #put(DirectBuffer, int, int, DirectBuffer, int, int)} for a key and a value from their buffers'
     * positions to their limits (positions and limits unchanged).
     *
     * @param key the key, from its position to its limit (unchanged).
     * @param value the value, from its position to its limit (unchanged).
     * @return true if the key had a value (replaced), false if it was inserted.
     */
    public boolean put(final ByteBuffer key, final ByteBuffer value)
    {
        final int result = write(PUT, base(key), offset(key), key.remaining(), base(value), offset(value),
            value.remaining(), null, 0, 0, NO_DEADLINE);
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(value);
        return WAS_PRESENT == result;
    }

    /**
     * Same as {@link #remove(byte[])} for the key from {@code key.position()} to {@code key.limit()}.
     *
     * @param key the key, from its position to its limit (unchanged).
     * @return true if the key had a value.
     */
    public boolean remove(final ByteBuffer key)
    {
        final int result = write(REMOVE, base(key), offset(key), key.remaining(), null, 0, 0, null, 0, 0,
            NO_DEADLINE);
        Reference.reachabilityFence(key);
        return WAS_PRESENT == result;
    }

    /**
     * Set every key of {@code entries} to its value, as {@link #putString} one after another (SKV's
     * {@code PutBatchString}): each entry is atomic, the batch is not. A concurrent reader may see any of its entries
     * stored and others not yet; one that sees an entry written later by the batch may still see an earlier one
     * missing only if a concurrent writer removed or changed it. If a put throws (a key or value too long), the
     * entries before it are stored.
     *
     * @param entries keys and values, UTF-8; none may be null.
     * @throws IllegalArgumentException if a key or value is longer than the store's limit.
     */
    public void putAll(final Map<String, String> entries)
    {
        for (final Map.Entry<String, String> entry : entries.entrySet())
        {
            putString(entry.getKey(), entry.getValue());
        }
    }

    /**
     * Set the value of a key and return the one it had (Redis {@code GETSET}); atomic.
     *
     * @param key the key.
     * @param value the value.
     * @return the previous value, or null if the key had none.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public byte[] getAndSet(final byte[] key, final byte[] value)
    {
        checkValueLength(value.length);
        return update(key, old -> value, NO_DEADLINE);
    }

    /**
     * Remove the value of a key and return it (Redis {@code GETDEL}); atomic.
     *
     * @param key the key.
     * @return the removed value, or null if the key had none.
     */
    public byte[] getAndRemove(final byte[] key)
    {
        return update(key, old -> null, NO_DEADLINE);
    }

    /**
     * Add {@code delta} to the decimal integer a key holds, as Redis {@code INCRBY} does; atomic. An absent key
     * counts as 0. The value must be the decimal text of a signed 64-bit integer as Redis writes it: an optional
     * {@code -}, then digits without leading zeros (just {@code 0} for zero), at most 20 bytes; the sum is stored the
     * same way.
     *
     * @param key the key.
     * @param delta the amount to add.
     * @return the new value.
     * @throws NumberFormatException if the value is not such an integer (Redis: "value is not an integer or out of
     *                               range"); the value is unchanged.
     * @throws ArithmeticException   if the sum overflows a signed 64-bit integer (Redis: "increment or decrement
     *                               would overflow"); the value is unchanged.
     */
    public long incrBy(final byte[] key, final long delta)
    {
        final byte[] old = update(key, current -> Decimal.bytes(sum(key, current, delta)), KEEP_DEADLINE);
        return sum(key, old, delta);
    }

    /**
     * Subtract {@code delta} from the decimal integer a key holds, as Redis {@code DECRBY} does: as
     * {@link #incrBy} with {@code -delta}.
     *
     * @param key the key.
     * @param delta the amount to subtract.
     * @return the new value.
     * @throws NumberFormatException if the value is not a decimal integer.
     * @throws ArithmeticException   if the difference overflows, or {@code delta} is {@link Long#MIN_VALUE} (its
     *                               negation does, as in Redis).
     */
    public long decrBy(final byte[] key, final long delta)
    {
        if (Long.MIN_VALUE == delta)
        {
            throw new ArithmeticException("decrement would overflow: delta=" + delta);
        }
        return incrBy(key, -delta);
    }

    private static long sum(final byte[] key, final byte[] value, final long delta)
    {
        final long current = null == value ? 0 : Decimal.parse(value, key);
        final long sum = current + delta;
        if (((current ^ sum) & (delta ^ sum)) < 0)
        {
            throw new ArithmeticException("increment or decrement would overflow: value=" + current + ", delta=" +
                delta + ", key=" + Decimal.describe(key));
        }
        return sum;
    }

    /**
     * Append bytes to a key's value, as Redis {@code APPEND} does (an absent key is an empty value); atomic.
     *
     * @param key the key.
     * @param suffix the bytes to append.
     * @return the length of the value after the append.
     * @throws IllegalArgumentException if the value would be longer than the store's limit; it is unchanged.
     */
    public int append(final byte[] key, final byte[] suffix)
    {
        final byte[] old = update(key, current ->
        {
            final int length = null == current ? 0 : current.length;
            if ((long)length + suffix.length > maxValueLength)
            {
                throw new IllegalArgumentException("value too long after append: length=" +
                    ((long)length + suffix.length) + ", maxValueLength=" + maxValueLength + ", key=" +
                    Decimal.describe(key));
            }
            final byte[] appended = java.util.Arrays.copyOf(null == current ? NO_BYTES : current,
                length + suffix.length);
            System.arraycopy(suffix, 0, appended, length, suffix.length);
            return appended;
        }, KEEP_DEADLINE);
        return (null == old ? 0 : old.length) + suffix.length;
    }

    /**
     * Replace a key's value by {@code next.apply(its value)} (null: absent), atomically by comparing the bytes: read,
     * compute, then {@link #replace(byte[], byte[], byte[])} (or {@link #putIfAbsent}, or {@link #remove(byte[],
     * byte[])} when the result is null), again from the read if another writer changed the value meanwhile.
     * Linearizable at the successful conditional write; lock-free (a retry means another write succeeded).
     *
     * @param next     the new value from the current one, or null to remove; may run more than once.
     * @param deadline of the new value: {@link #KEEP_DEADLINE} (the old value's; none for a key that had no value),
     *                 {@link #NO_DEADLINE}, or a deadline.
     * @return the value replaced (null if the key had none).
     */
    private byte[] update(final byte[] key, final UnaryOperator<byte[]> next, final long deadline)
    {
        checkKeyLength(key.length);
        while (true)
        {
            final byte[] old = peek(key); // the read of a write: not a get of the statistics
            final byte[] value = next.apply(old);
            final boolean done;
            if (null == old)
            {
                done = null == value || WAS_ABSENT == write(PUT_IF_ABSENT, key, BYTE_ARRAY_BASE, key.length, value,
                    BYTE_ARRAY_BASE, value.length, null, 0, 0, KEEP_DEADLINE == deadline ? NO_DEADLINE : deadline);
            }
            else
            {
                // the value changes, its deadline does not (Redis's INCR and APPEND keep a key's time to live)
                done = null == value ? remove(key, old) : WAS_PRESENT == write(REPLACE_IF_EQUAL, key,
                    BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, old, BYTE_ARRAY_BASE,
                    old.length, deadline);
            }
            if (done)
            {
                return old;
            }
        }
    }

    /**
     * The write of every update: locate the key's slot, decide by its word, CAS. Lock-free unless the segment's
     * table must be replaced.
     *
     * @return {@link #WAS_ABSENT}, {@link #WAS_PRESENT} or {@link #NOT_EQUAL}.
     */
    private int write(final int op, final Object keyBase, final long keyOffset, final int keyLength,
        final Object valueBase, final long valueOffset, final int valueLength, final Object expectedBase,
        final long expectedOffset, final int expectedLength, final long deadline)
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        checkKeyLength(keyLength);
        checkValueLength(valueLength);
        final long hash = BytesHashing.hash(keyBase, keyOffset, keyLength, seed);
        final int segmentIndex = segmentOf(hash, segmentMask);
        final Segment<ByteTable> segment = segments[segmentIndex];
        final boolean inserts = PUT == op || PUT_IF_ABSENT == op;
        final boolean removes = REMOVE == op || REMOVE_IF_EQUAL == op;
        long entry = 0; // the new entry's LIVE word, once built
        long entryDeadline = NO_DEADLINE; // the deadline it was built with
        EntryHeap entryHeap = null; // the heap its block came from, and only a table of that heap may name it
        ByteTable awaiting = null; // a table this writer must see replaced before it goes on
        boolean rebuiltForMemory = false; // at the memory limit, one round of rebuilds to free removed keys' entries
        boolean reclaimedForMemory = false;
        int counter = reclaimer.enter();
        try
        {
            retry:
            while (true)
            {
                if (null != awaiting)
                {
                    // an unpublished block is never held outside the epoch: close waits only for writers inside
                    // it, and once it returns a store file's blocks may be the next owner's
                    if (0 != entry)
                    {
                        freeUnpublished(entryHeap, entry);
                        entry = 0;
                    }
                    reclaimer.exit(counter);
                    counter = -1;
                    if (rebuiltForMemory && !reclaimedForMemory)
                    {
                        reclaimedForMemory = true;
                        rebuildDropped(); // at the memory limit: every segment's removed entries, not only ours
                    }
                    else
                    {
                        segment.awaitOrReplace(awaiting);
                    }
                    awaiting = null;
                    counter = reclaimer.enter();
                }
                final ByteTable table = table(segment);
                if (0 != entry && entryHeap != table.heap)
                {
                    // built for a table that a compacting replacement has replaced since: a slot of this table never
                    // names a block of the old heap, and the block goes back to the heap it came from (still ours:
                    // this writer has not left the epoch since it loaded the old table)
                    freeUnpublished(entryHeap, entry);
                    entry = 0;
                }
                final int index = table.locate(keyBase, keyOffset, keyLength, hash);
                if (ByteTable.LOCATE_RETRY == index)
                {
                    continue;
                }
                if (ByteTable.LOCATE_STALE == index)
                {
                    checkReplaced(segment, table);
                    continue;
                }
                if (ByteTable.LOCATE_FROZEN == index || (ByteTable.LOCATE_FULL == index && inserts))
                {
                    awaiting = table;
                    continue;
                }
                if (index < 0)
                {
                    if (!inserts)
                    {
                        return WAS_ABSENT;
                    }
                    if (table.used() >= table.threshold)
                    {
                        awaiting = table;
                        continue;
                    }
                    final long wanted = KEEP_DEADLINE == deadline ? NO_DEADLINE : deadline; // an absent key has none
                    if (0 != entry && entryDeadline != wanted)
                    {
                        freeUnpublished(entryHeap, entry);
                        entry = 0;
                    }
                    if (0 == entry)
                    {
                        entryHeap = table.heap;
                        try
                        {
                            entry = build(entryHeap, hash, keyBase, keyOffset, keyLength, valueBase, valueOffset,
                                valueLength, wanted);
                        }
                        catch (final MemoryLimitException full)
                        {
                            if (rebuiltForMemory || !holdsDropped())
                            {
                                throw full;
                            }
                            rebuiltForMemory = true; // rebuilds free the entries of removed keys: then try again
                            awaiting = table;
                            continue;
                        }
                        entryDeadline = wanted;
                    }
                    if (table.claim(-index - 1, hash, entry))
                    {
                        entry = 0;
                        count(StoreCounters.INSERTS);
                        return WAS_ABSENT;
                    }
                    count(StoreCounters.CAS_RETRIES);
                    continue; // another key claimed the slot first: locate again
                }
                long word = table.word(index);
                while (true)
                {
                    if (EntryRef.isFrozen(word))
                    {
                        awaiting = table;
                        continue retry;
                    }
                    final boolean live = EntryRef.LIVE == EntryRef.state(word);
                    long current = NO_DEADLINE; // the deadline of the word's entry
                    if (live && EntryRef.expires(word))
                    {
                        current = table.deadline(word);
                        if (ByteTable.DEADLINE_RETRY == current)
                        {
                            word = table.word(index);
                            continue;
                        }
                    }
                    // a LIVE entry past its deadline is no value: the key is absent to this write as to every read
                    final boolean alive = live && (NO_DEADLINE == current || current > table.clock.millis());
                    if (!alive && !inserts)
                    {
                        return WAS_ABSENT; // a tombstone, or expired: the key has no value
                    }
                    if (alive && PUT_IF_ABSENT == op)
                    {
                        // a caller that read the key as absent just before (the read-compute-write loops, the map
                        // view) asks again only if a read now finds it: a damaged filter word that hides the key
                        // from reads would keep it asking forever, so the write path heals it
                        table.healFilter(hash);
                        return WAS_PRESENT;
                    }
                    if (REPLACE_IF_EQUAL == op || REMOVE_IF_EQUAL == op)
                    {
                        final int equal = table.valueEquals(word, expectedBase, expectedOffset, expectedLength);
                        if (ByteTable.RETRY == equal)
                        {
                            word = table.word(index);
                            continue;
                        }
                        if (0 == equal)
                        {
                            return NOT_EQUAL;
                        }
                    }
                    if (EXPIRE == op && NO_DEADLINE == deadline && NO_DEADLINE == current)
                    {
                        return NOT_EQUAL; // persist of a key without a deadline: nothing to change
                    }
                    final long update;
                    if (removes)
                    {
                        update = EntryRef.tombstone(word);
                    }
                    else
                    {
                        // keep the deadline of a value, never of an expired one or a tombstone's (the key has none)
                        final long wanted = KEEP_DEADLINE != deadline ? deadline : alive ? current : NO_DEADLINE;
                        if (0 != entry && (entryDeadline != wanted || EXPIRE == op))
                        {
                            freeUnpublished(entryHeap, entry); // built for another deadline, or from another entry
                            entry = 0;
                        }
                        if (0 == entry)
                        {
                            entryHeap = table.heap;
                            try
                            {
                                entry = EXPIRE == op ? table.copyWithDeadline(word, wanted) :
                                    build(entryHeap, hash, keyBase, keyOffset, keyLength, valueBase, valueOffset,
                                        valueLength, wanted);
                            }
                            catch (final MemoryLimitException full)
                            {
                                if (rebuiltForMemory || !holdsDropped())
                                {
                                    throw full;
                                }
                                rebuiltForMemory = true;
                                awaiting = table;
                                continue retry;
                            }
                            entryDeadline = wanted;
                            if (0 == entry)
                            {
                                word = table.word(index); // the entry to copy was freed meanwhile
                                continue;
                            }
                        }
                        update = entry;
                    }
                    final long witness = table.compareAndExchange(index, word, update);
                    if (witness != word)
                    {
                        count(StoreCounters.CAS_RETRIES);
                        word = witness; // another writer changed the key first: decide again by its word
                        continue;
                    }
                    // linearization point: the CAS above
                    if (removes)
                    {
                        table.countLive(-1); // the tombstone keeps the entry: the slot still knows its key
                        count(StoreCounters.REMOVES);
                        return WAS_PRESENT;
                    }
                    entry = 0;
                    table.free(word); // the entry replaced, or the tombstone's: no slot names it any more
                    if (!live)
                    {
                        table.countLive(1);
                    }
                    else if (!alive)
                    {
                        count(StoreCounters.EXPIRED); // an expired entry was LIVE: the count stays
                    }
                    if (EXPIRE != op)
                    {
                        count(alive ? StoreCounters.UPDATES : StoreCounters.INSERTS); // expire changes no value
                    }
                    return alive ? WAS_PRESENT : WAS_ABSENT;
                }
            }
        }
        finally
        {
            if (0 != entry && counter >= 0)
            {
                freeUnpublished(entryHeap, entry); // built, but the operation stored nothing: freed inside the epoch
            }
            if (counter >= 0)
            {
                reclaimer.exit(counter);
            }
        }
    }

    /**
     * @return whether some segment's table has tombstones, whose entries a rebuild would free.
     */
    private boolean holdsDropped()
    {
        for (final Segment<ByteTable> segment : segments)
        {
            final ByteTable table = segment.table;
            if (null != table && table.holdsDropped())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Rebuild every segment whose table has tombstones: a write at the memory limit asks for it once, outside the
     * epoch, so that the entries of removed (and swept) keys give their memory back, in whichever segment they are.
     */
    private void rebuildDropped()
    {
        for (final Segment<ByteTable> segment : segments)
        {
            final ByteTable table = segment.table;
            if (null != table && table.holdsDropped())
            {
                segment.awaitOrReplace(table);
            }
        }
    }

    /**
     * Write a new entry privately into a block of the heap.
     *
     * @return its LIVE word.
     */
    private static long build(final EntryHeap heap, final long hash, final Object keyBase, final long keyOffset,
        final int keyLength, final Object valueBase, final long valueOffset, final int valueLength,
        final long deadline)
    {
        final boolean expires = NO_DEADLINE != deadline;
        final long length = EntryDescriptor.entryLength(keyLength, valueLength, expires);
        final long position = heap.allocate((int)length);
        final long address = heap.allocatedAddress(position, length);
        final long generation = EntryDescriptor.generation(UnsafeApi.getLong(null, address));
        ByteCopy.copy(keyBase, keyOffset, null, address + EntryDescriptor.KEY_OFFSET, keyLength);
        ByteCopy.copy(valueBase, valueOffset, null, address + EntryDescriptor.valueOffset(keyLength), valueLength);
        final long header = EntryDescriptor.header(generation, keyLength, valueLength, expires);
        heap.seal(position, address, header, deadline);
        return EntryRef.live(EntryRef.fingerprint(hash), generation, position, expires);
    }

    private static void freeUnpublished(final EntryHeap heap, final long word)
    {
        final long position = EntryRef.position(word);
        final long header = UnsafeApi.getLong(null, heap.address(position, EntryDescriptor.KEY_OFFSET));
        heap.free(position, (int)EntryDescriptor.entryLength(header));
    }

    // ---------------------------------------------------------------- expiry

    /** {@link #pttl} and {@link #ttl}: the key has no value (Redis's -2). */
    public static final long TTL_ABSENT = -2;

    /** {@link #pttl} and {@link #ttl}: the key has a value without a deadline (Redis's -1). */
    public static final long TTL_NONE = -1;

    /**
     * Set the value of a key with a time to live, whether it has a value or not (Redis {@code SET key value PX}):
     * from {@code ttlMillis} after now on the clock ({@link Builder#clock}), the key has no value.
     *
     * @param key       the key.
     * @param value     the value.
     * @param ttlMillis the time to live, 1 ms or more.
     * @return true if the key had a value (replaced), false if it was inserted.
     * @throws IllegalArgumentException if {@code ttlMillis} is not positive or its deadline overflows, or the key or
     *                                  the value is longer than the store's limit.
     * @see #put(DirectBuffer, int, int, DirectBuffer, int, int)
     */
    public boolean put(final byte[] key, final byte[] value, final long ttlMillis)
    {
        return WAS_PRESENT == write(PUT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, null,
            0, 0, deadlineAfter(ttlMillis));
    }

    /**
     * Same as {@link #put(byte[], byte[], long)} for a key and a value in buffers; allocates nothing.
     *
     * @param key         the buffer holding the key.
     * @param keyOffset   offset of the key in {@code key}.
     * @param keyLength   length of the key in bytes.
     * @param value       the buffer holding the value.
     * @param valueOffset offset of the value in {@code value}.
     * @param valueLength length of the value in bytes.
     * @param ttlMillis   the time to live, 1 ms or more.
     * @return true if the key had a value (replaced), false if it was inserted.
     * @throws IndexOutOfBoundsException if a range is not inside its buffer.
     */
    public boolean put(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value,
        final int valueOffset, final int valueLength, final long ttlMillis)
    {
        key.boundsCheck(keyOffset, keyLength);
        value.boundsCheck(valueOffset, valueLength);
        final int result = write(PUT, key.byteArray(), key.addressOffset() + keyOffset, keyLength, value.byteArray(),
            value.addressOffset() + valueOffset, valueLength, null, 0, 0, deadlineAfter(ttlMillis));
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(value);
        return WAS_PRESENT == result;
    }

    /**
     * Same as {@link #put(byte[], byte[], long)} for a String key and value (UTF-8).
     *
     * @param key       the key.
     * @param value     the value.
     * @param ttlMillis the time to live, 1 ms or more.
     * @return true if the key had a value.
     */
    public boolean putString(final String key, final String value, final long ttlMillis)
    {
        return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), ttlMillis);
    }

    /**
     * Set the value of a key with a deadline (Redis {@code SET key value PXAT}): from {@code deadlineMillis} on
     * (milliseconds since the epoch, on the store's clock) the key has no value; a deadline not after now stores a
     * value that is already absent.
     *
     * @param key            the key.
     * @param value          the value.
     * @param deadlineMillis the first millisecond the key has no value.
     * @return true if the key had a value.
     */
    public boolean putUntil(final byte[] key, final byte[] value, final long deadlineMillis)
    {
        return WAS_PRESENT == write(PUT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, null,
            0, 0, deadlineAt(deadlineMillis));
    }

    /**
     * Set the value of a key with a time to live only if it has none (Redis {@code SET key value NX PX}, the usual
     * lease or lock): an expired value counts as none.
     *
     * @param key       the key.
     * @param value     the value.
     * @param ttlMillis the time to live, 1 ms or more.
     * @return true if the value was stored.
     * @throws IllegalArgumentException if {@code ttlMillis} is not positive or its deadline overflows.
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final long ttlMillis)
    {
        return WAS_ABSENT == write(PUT_IF_ABSENT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
            value.length, null, 0, 0, deadlineAfter(ttlMillis));
    }

    /**
     * Give a key's value a time to live in seconds (Redis {@code EXPIRE}), as {@link #pexpire}.
     *
     * @param key     the key.
     * @param seconds the time to live; 0 or less removes the value.
     * @return true if the key had a value.
     * @throws IllegalArgumentException if the deadline overflows.
     */
    public boolean expire(final byte[] key, final long seconds)
    {
        return pexpire(key, millis(seconds));
    }

    /**
     * Give a key's value a time to live in milliseconds (Redis {@code PEXPIRE}), keeping the value: one atomic write
     * of a copy of its entry with the new deadline. A time to live of 0 or less removes the value, as in Redis.
     *
     * @param key    the key.
     * @param millis the time to live; 0 or less removes the value.
     * @return true if the key had a value (now with the deadline, or removed).
     * @throws IllegalArgumentException if the deadline overflows.
     */
    public boolean pexpire(final byte[] key, final long millis)
    {
        final long now = clock.millis();
        if (millis > 0 && now > Long.MAX_VALUE - millis)
        {
            throw new IllegalArgumentException("invalid expire time: millis=" + millis + ", now=" + now);
        }
        return expireWrite(key, millis > 0 ? now + millis : now);
    }

    /**
     * Give a key's value a deadline in seconds since the epoch (Redis {@code EXPIREAT}), as {@link #pexpireAt}.
     *
     * @param key          the key.
     * @param epochSeconds the first second the key has no value.
     * @return true if the key had a value.
     * @throws IllegalArgumentException if the deadline overflows.
     */
    public boolean expireAt(final byte[] key, final long epochSeconds)
    {
        return pexpireAt(key, millis(epochSeconds));
    }

    /**
     * Give a key's value a deadline in milliseconds since the epoch (Redis {@code PEXPIREAT}), keeping the value; a
     * deadline not after now removes the value.
     *
     * @param key         the key.
     * @param epochMillis the first millisecond the key has no value.
     * @return true if the key had a value.
     */
    public boolean pexpireAt(final byte[] key, final long epochMillis)
    {
        return expireWrite(key, deadlineAt(epochMillis));
    }

    /**
     * Remove the deadline of a key's value (Redis {@code PERSIST}), keeping the value.
     *
     * @param key the key.
     * @return true if the key had a value with a deadline (now without one).
     */
    public boolean persist(final byte[] key)
    {
        return WAS_PRESENT == write(EXPIRE, key, BYTE_ARRAY_BASE, key.length, null, 0, 0, null, 0, 0, NO_DEADLINE);
    }

    /**
     * {@link #set} and {@link #setAndGet}: keep the deadline the key's value has (Redis {@code KEEPTTL}); a key
     * without a value gets none.
     */
    public static final long KEEP_TTL = KEEP_DEADLINE;

    /** {@link #set}, {@link #setAndGet} and {@link #getAndExpire}: no deadline. */
    public static final long NO_TTL = NO_DEADLINE;

    /**
     * Set the value of a key under a condition, with a deadline, as Redis {@code SET key value [NX|XX]
     * [PXAT t|KEEPTTL]} does; one atomic write (the linearization point of {@link #put}).
     *
     * @param key            the key.
     * @param value          the value.
     * @param condition      when to write.
     * @param deadlineMillis the first millisecond (since the epoch, on the store's clock) the key has no value;
     *                       {@link #NO_TTL} for none, {@link #KEEP_TTL} to keep the one the value has. A deadline not
     *                       after now stores a value that is already absent.
     * @return true if the value was written.
     * @throws IllegalArgumentException if {@code deadlineMillis} is negative but {@link #KEEP_TTL}, or the key or the
     *                                  value is longer than the store's limit.
     */
    public boolean set(final byte[] key, final byte[] value, final SetCondition condition, final long deadlineMillis)
    {
        final long deadline = deadlineArgument(deadlineMillis);
        switch (condition)
        {
            case IF_ABSENT:
                return WAS_ABSENT == write(PUT_IF_ABSENT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
                    value.length, null, 0, 0, KEEP_DEADLINE == deadline ? NO_DEADLINE : deadline);
            case IF_PRESENT:
                return WAS_PRESENT == write(REPLACE, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
                    value.length, null, 0, 0, deadline);
            default:
                write(PUT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE, value.length, null, 0, 0,
                    deadline);
                return true;
        }
    }

    /**
     * As {@link #set}, returning the value the key had (Redis {@code SET ... GET}); atomic: read, then a write
     * conditional on those bytes, again from the read if another writer changed the value meanwhile. Linearizable
     * at the conditional write, or at the read when the condition does not hold.
     *
     * @param key            the key.
     * @param value          the value.
     * @param condition      when to write: whether it wrote follows from the result (always; only if it is null;
     *                       only if it is not).
     * @param deadlineMillis as for {@link #set}.
     * @return the value the key had, or null if it had none.
     * @throws IllegalArgumentException as {@link #set}.
     */
    public byte[] setAndGet(final byte[] key, final byte[] value, final SetCondition condition,
        final long deadlineMillis)
    {
        final long deadline = deadlineArgument(deadlineMillis);
        checkKeyLength(key.length);
        checkValueLength(value.length);
        while (true)
        {
            final byte[] old = peek(key);
            if ((SetCondition.IF_ABSENT == condition && null != old) ||
                (SetCondition.IF_PRESENT == condition && null == old))
            {
                return old;
            }
            final boolean done = null == old ?
                WAS_ABSENT == write(PUT_IF_ABSENT, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
                    value.length, null, 0, 0, KEEP_DEADLINE == deadline ? NO_DEADLINE : deadline) :
                WAS_PRESENT == write(REPLACE_IF_EQUAL, key, BYTE_ARRAY_BASE, key.length, value, BYTE_ARRAY_BASE,
                    value.length, old, BYTE_ARRAY_BASE, old.length, deadline);
            if (done)
            {
                return old;
            }
        }
    }

    /**
     * Read a key's value and give it a new deadline (Redis {@code GETEX}); atomic, as {@link #getAndUpdate}.
     *
     * @param key            the key.
     * @param deadlineMillis the value's new deadline (a deadline not after now leaves the key without a value), or
     *                       {@link #NO_TTL} to remove the one it has (Redis {@code PERSIST}).
     * @return the value, or null if the key has none (nothing written).
     * @throws IllegalArgumentException if {@code deadlineMillis} is negative.
     */
    public byte[] getAndExpire(final byte[] key, final long deadlineMillis)
    {
        if (deadlineMillis < 0)
        {
            throw new IllegalArgumentException("invalid deadline: deadlineMillis=" + deadlineMillis);
        }
        return update(key, UnaryOperator.identity(), deadlineArgument(deadlineMillis));
    }

    /**
     * Replace a key's value by {@code function.apply(its value)}, atomically, keeping its deadline (as Redis's
     * {@code SETRANGE} and {@code INCRBYFLOAT} do): read, compute, then a write conditional on the bytes read, again
     * from a new read if another writer changed the value meanwhile (so {@code function} may run more than once and
     * must have no side effects). Linearizable at the successful conditional write; lock-free.
     *
     * @param key      the key.
     * @param function the new value from the current one (null: the key has none); null to remove the key.
     * @return the value replaced, or null if the key had none.
     * @throws IllegalArgumentException if the key, or a value {@code function} returns, is longer than the store's
     *                                  limit (nothing written); whatever {@code function} throws passes through.
     */
    public byte[] getAndUpdate(final byte[] key, final UnaryOperator<byte[]> function)
    {
        return update(key, function, KEEP_DEADLINE);
    }

    private long deadlineArgument(final long deadlineMillis)
    {
        if (KEEP_TTL == deadlineMillis || NO_TTL == deadlineMillis)
        {
            return deadlineMillis;
        }
        if (deadlineMillis < 0)
        {
            throw new IllegalArgumentException("invalid deadline: deadlineMillis=" + deadlineMillis +
                " (allowed: NO_TTL, KEEP_TTL, or milliseconds since the epoch)");
        }
        return deadlineAt(deadlineMillis);
    }

    /**
     * Tell how long a key keeps its value, in milliseconds.
     *
     * @param key the key.
     * @return the milliseconds until the key's value expires (Redis {@code PTTL}): at least 1;
     * {@link #TTL_NONE} if it has no deadline, {@link #TTL_ABSENT} if the key has no value.
     * @throws IllegalArgumentException if the key is longer than the store's limit.
     * @throws IllegalStateException    if the store is closed.
     */
    public long pttl(final byte[] key)
    {
        final long deadline = deadlineOf(key);
        if (TTL_ABSENT == deadline)
        {
            return TTL_ABSENT;
        }
        if (NO_DEADLINE == deadline)
        {
            return TTL_NONE;
        }
        final long left = deadline - clock.millis();
        return left > 0 ? left : TTL_ABSENT;
    }

    /**
     * Tell when a key's value expires (Redis {@code PEXPIRETIME}).
     *
     * @param key the key.
     * @return its deadline in milliseconds since the epoch; {@link #TTL_NONE} if it has none, {@link #TTL_ABSENT} if
     * the key has no value.
     */
    public long expireTime(final byte[] key)
    {
        final long deadline = deadlineOf(key);
        if (TTL_ABSENT == deadline)
        {
            return TTL_ABSENT;
        }
        if (NO_DEADLINE == deadline)
        {
            return TTL_NONE;
        }
        return deadline > clock.millis() ? deadline : TTL_ABSENT;
    }

    /**
     * Tell how long a key keeps its value, in seconds.
     *
     * @param key the key.
     * @return the seconds until the key's value expires (Redis {@code TTL}: {@link #pttl} rounded to the nearest
     * second), {@link #TTL_NONE} or {@link #TTL_ABSENT}.
     */
    public long ttl(final byte[] key)
    {
        final long millis = pttl(key);
        return millis < 0 ? millis : (millis + 500) / 1000;
    }

    /**
     * Reclaim expired keys now, on the calling thread: scan up to {@code maxSlots} slots from where the last sweep
     * stopped (round-robin over every segment) and turn each LIVE slot whose entry's deadline has passed into a
     * tombstone, as a remove does. For stores built with {@link Builder#expirySweeper(boolean) expirySweeper(false)},
     * whose owner drives the reclamation; the background sweeper calls it too. Lock-free: readers and writers never
     * wait for it, and it never removes a key that a write gave a new value meanwhile.
     *
     * @param maxSlots how many slots to look at, 1 or more.
     * @return the keys expired by this call.
     * @throws IllegalStateException         if the store is closed.
     * @throws UnsupportedOperationException if the store is read-only.
     */
    public int sweepExpired(final int maxSlots)
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        if (maxSlots < 1)
        {
            throw new IllegalArgumentException("maxSlots must be positive: maxSlots=" + maxSlots);
        }
        return (int)sweeper.sweep(maxSlots);
    }

    /**
     * Sweep slots {@code [from, from + count)} of segment {@code segmentIndex}'s current table (clamped to it), as a
     * writer: inside the reclaimer's epoch, so close waits for it.
     *
     * @return the words with a deadline seen (high 32 bits) and the keys expired (low 32 bits), and the slots the
     * table has in {@code capacityOut[0]}.
     */
    long sweepSegment(final int segmentIndex, final int from, final int count, final int[] capacityOut)
    {
        final int counter = reclaimer.enter();
        try
        {
            final ByteTable table = table(segments[segmentIndex]);
            capacityOut[0] = table.capacity;
            final int start = Math.min(from, table.capacity);
            final long result = table.sweep(start, (int)Math.min((long)start + count, table.capacity),
                clock.millis());
            Reference.reachabilityFence(table);
            return result;
        }
        finally
        {
            reclaimer.exit(counter);
        }
    }

    /**
     * @return whether the background sweeper is scheduled (it is from the first deadline the store is given).
     */
    boolean sweeperRunning()
    {
        return sweeper.isRunning();
    }

    private boolean expireWrite(final byte[] key, final long deadline)
    {
        if (deadline <= clock.millis())
        {
            return remove(key); // Redis: a deadline not in the future deletes the key
        }
        sweeper.startIfIdle();
        return WAS_PRESENT == write(EXPIRE, key, BYTE_ARRAY_BASE, key.length, null, 0, 0, null, 0, 0, deadline);
    }

    /**
     * @return the deadline {@code ttlMillis} after now.
     * @throws IllegalArgumentException if {@code ttlMillis} is not positive or the deadline overflows.
     */
    private long deadlineAfter(final long ttlMillis)
    {
        final long now = clock.millis();
        if (ttlMillis <= 0 || now > Long.MAX_VALUE - ttlMillis)
        {
            throw new IllegalArgumentException("invalid expire time: ttlMillis=" + ttlMillis + " (allowed: 1 or more," +
                " with now + ttlMillis a long), now=" + now);
        }
        sweeper.startIfIdle();
        return now + ttlMillis;
    }

    /**
     * @return {@code epochMillis} as a stored deadline: at least 1, since 0 means none.
     */
    private long deadlineAt(final long epochMillis)
    {
        sweeper.startIfIdle();
        return Math.max(1, epochMillis);
    }

    private static long millis(final long seconds)
    {
        if (seconds > Long.MAX_VALUE / 1000 || seconds < Long.MIN_VALUE / 1000)
        {
            throw new IllegalArgumentException("invalid expire time: seconds=" + seconds);
        }
        return seconds * 1000;
    }

    /**
     * @return the deadline of the key's entry, {@link #NO_DEADLINE} if it has none, or {@link #TTL_ABSENT} if the key
     * has no entry (a tombstone, or none); validated like a read, writes nothing.
     */
    private long deadlineOf(final byte[] key)
    {
        checkKeyLength(key.length);
        final long hash = BytesHashing.hash(key, BYTE_ARRAY_BASE, key.length, seed);
        final Segment<ByteTable> segment = segments[segmentOf(hash, segmentMask)];
        while (true)
        {
            final ByteTable table = table(segment);
            final int index = table.locate(key, BYTE_ARRAY_BASE, key.length, hash);
            if (ByteTable.LOCATE_RETRY == index)
            {
                continue;
            }
            if (ByteTable.LOCATE_STALE == index)
            {
                checkReplaced(segment, table);
                continue;
            }
            long deadline = TTL_ABSENT;
            if (index >= 0)
            {
                final long word = table.word(index) & ~EntryRef.FROZEN_BIT;
                if (EntryRef.LIVE == EntryRef.state(word))
                {
                    deadline = table.deadline(word);
                    if (ByteTable.DEADLINE_RETRY == deadline)
                    {
                        continue;
                    }
                }
            }
            if (table.retired)
            {
                continue;
            }
            Reference.reachabilityFence(table);
            return deadline;
        }
    }

    // ---------------------------------------------------------------- the whole store

    /**
     * Hand every entry to {@code consumer}, weakly consistent (as {@code ConcurrentHashMap}'s iteration): a key that
     * has a value for the whole call is handed out exactly once, with a value it had during the call; a key
     * written or removed meanwhile may or may not be. Lock-free, except that a part of a segment whose table was
     * replaced under it 8 times in a row is read under the segment's read lock.
     * <p>
     * Entries are reused without epochs, so a view into an entry itself could change under the consumer: each is
     * copied once, validated, into a buffer of the iteration, and the views wrap that copy (no allocation per
     * entry). They are valid only inside the call; the consumer may write to the store.
     *
     * @param consumer gets each key and value.
     * @throws IllegalStateException if the store is closed.
     */
    public void forEach(final ByteEntryConsumer consumer)
    {
        final ByteCursor cursor = cursor();
        final UnsafeBuffer key = new UnsafeBuffer(NO_BYTES);
        final UnsafeBuffer value = new UnsafeBuffer(NO_BYTES);
        while (cursor.advance())
        {
            handOut(cursor, key, value, consumer);
        }
    }

    /** Hand the entries of the cursor's buffer to {@code consumer} through two views. */
    private static void handOut(final ByteCursor cursor, final UnsafeBuffer key, final UnsafeBuffer value,
        final ByteEntryConsumer consumer)
    {
        final byte[] bytes = cursor.bytes;
        for (int i = 0; i < cursor.size; i++)
        {
            final int keyOffset = cursor.keyOffsets[i];
            final int keyLength = cursor.keyLengths[i];
            key.wrap(bytes, keyOffset, keyLength);
            value.wrap(bytes, keyOffset + keyLength, cursor.valueLengths[i]);
            consumer.accept(key, value);
        }
    }

    /**
     * Hand out the entries of the next part of the store, as Redis {@code SCAN} does: call with 0 to start, then with
     * what each call returned until it returns 0. The cursor is a position in hash order (a segment and a span of the
     * hash), which table replacements do not move, so a key that has a value for the whole scan is handed out exactly
     * once, and a key written or removed meanwhile may or may not be; different cursors are independent and need no
     * closing. The views are valid only inside the call.
     *
     * @param cursor   0, or what the last call returned.
     * @param count    about how many entries to hand out (more when a span holds more; fewer when the store ends).
     * @param consumer gets each key and value.
     * @return the cursor to go on from, or 0 when the scan is over.
     * @throws IllegalArgumentException if {@code cursor} was not made by this method for a store of this many
     *                                  segments, or {@code count} is not positive.
     * @throws IllegalStateException    if the store is closed.
     */
    public long scan(final long cursor, final int count, final ByteEntryConsumer consumer)
    {
        final long segment = cursor >>> 32;
        if (segment >= segments.length || count < 1)
        {
            throw new IllegalArgumentException("invalid cursor or count: cursor=" + Long.toUnsignedString(cursor) +
                ", count=" + count + ", segments=" + segments.length);
        }
        final ByteCursor walk = cursor();
        walk.seek((int)segment, cursor & 0xFFFF_FFFFL);
        final UnsafeBuffer key = new UnsafeBuffer(NO_BYTES);
        final UnsafeBuffer value = new UnsafeBuffer(NO_BYTES);
        int handed = 0;
        while (handed < count)
        {
            if (!walk.advance())
            {
                return 0;
            }
            handOut(walk, key, value, consumer);
            handed += walk.size;
        }
        final int next = walk.resumeSegment();
        // a position past the start: never 0 unless the scan is over
        return next >= segments.length ? 0 : ((long)next << 32) | walk.resumePosition();
    }

    /**
     * @return a cursor over every segment, for {@link #forEach} and the map views' iterators.
     */
    ByteCursor cursor()
    {
        return new ByteCursor(segments);
    }

    /**
     * @return a cursor that also reads each entry's deadline: for export and backup.
     */
    ByteCursor cursorWithDeadlines()
    {
        return new ByteCursor(segments, true);
    }

    /**
     * Set a key's value and deadline from arrays' first bytes, as {@link #putUntil} does, for import and backup; a
     * deadline already passed stores nothing.
     *
     * @param deadline epoch milliseconds, or 0 for none.
     * @return false if the deadline had passed (nothing stored), else true.
     */
    boolean putEntry(final byte[] key, final int keyLength, final byte[] value, final int valueLength,
        final long deadline)
    {
        if (0 != deadline && deadline <= clock.millis())
        {
            return false;
        }
        if (0 != deadline)
        {
            sweeper.startIfIdle();
        }
        write(PUT, key, BYTE_ARRAY_BASE, keyLength, value, BYTE_ARRAY_BASE, valueLength, null, 0, 0,
            0 == deadline ? NO_DEADLINE : deadline);
        return true;
    }

    /**
     * A {@link ConcurrentMap} view backed by this store with String keys and values as UTF-8
     * ({@link ByteCodec#UTF_8}): the same entries as {@link #putString}/{@link #getString}. It is
     * {@link #asConcurrentMap(ByteCodec, ByteCodec) asConcurrentMap(ByteCodec.UTF_8, ByteCodec.UTF_8)}, and that
     * method documents the contract: in short, atomic single-key operations over the store's byte operations, nulls
     * refused with {@link NullPointerException}, weakly consistent iterators that support {@code remove}, an
     * approximate {@code size()} under concurrent writes, and equality of keys and values by their UTF-8 bytes.
     *
     * @return the view; it holds no state of its own, so views of one store are interchangeable.
     */
    public ConcurrentMap<String, String> asConcurrentMap()
    {
        return asConcurrentMap(ByteCodec.UTF_8, ByteCodec.UTF_8);
    }

    /**
     * A {@link ConcurrentMap} view backed by this store, keys and values encoded by codecs. Every call is one or a few
     * of the store's byte operations on the encoded key (and value); the view keeps nothing on the heap, and entries
     * written through the byte API are in the view as the codecs decode them.
     * <p>
     * <b>Equality by bytes.</b> Keys and values are compared by their encoded bytes, so the codecs must be
     * deterministic and injective ({@link ByteCodec}): {@code replace(k, old, v)}, {@code remove(k, v)},
     * {@code containsValue} and the entry set's {@code contains} compare the encoding of the given value with the
     * stored bytes, not with {@code equals}.
     * <p>
     * <b>Atomicity.</b> Single-key operations are atomic (linearizable): {@code put} is {@link #getAndSet},
     * {@code remove(k)} is {@link #getAndRemove}, {@code replace(k, old, v)} and {@code remove(k, v)} are the store's
     * compare-and-set on the bytes ({@link #replace(byte[], byte[], byte[])}, {@link #remove(byte[], byte[])});
     * {@code putIfAbsent} is {@link #putIfAbsent(byte[], byte[])}, and when the key has a value it returns the value a
     * read then finds (again if the key was removed in between); {@code replace(k, v)} reads the value and replaces it
     * by a compare-and-set on its bytes, again from the read if another writer changed it. {@code compute},
     * {@code computeIfAbsent}, {@code computeIfPresent}, {@code merge} and {@code replaceAll} are
     * {@link ConcurrentMap}'s default retry loops over those operations: each step is atomic, the function may run
     * more than once, and a value is stored only if the key's value is still the one the function saw.
     * {@code putAll} is one {@link #put(byte[], byte[])} per entry: each entry is atomic, the whole is not.
     * <p>
     * <b>Iteration.</b> The iterators of {@code keySet()}, {@code values()} and {@code entrySet()}, and
     * {@code forEach}, are weakly consistent as {@link #forEach(ByteEntryConsumer)} is: they never throw
     * {@link java.util.ConcurrentModificationException}; a key that has a value for the whole iteration comes out
     * exactly once, with a value it had meanwhile; a key written or removed meanwhile may or may not. Each element is
     * decoded from a validated copy of a span of entries; the only allocations per element are the decoded objects
     * (and the entry set's entry). The order is unspecified. An iterator's {@code remove} removes the key it returned
     * last, whatever its value is by then (a remove of the exact bytes the iteration read); an entry's
     * {@code setValue} writes through with a put of its key and updates the entry, whether or not the key still has
     * a value. {@code containsValue} and {@code values().contains} scan the store; {@code keySet().contains} and
     * {@code remove}, and {@code entrySet().contains} and {@code remove}, are single-key operations.
     * <p>
     * <b>Size.</b> {@code size()} and {@code isEmpty()} are as {@link #size()}: exact when no write runs, an
     * approximation under concurrent writes; at most {@link Integer#MAX_VALUE}.
     * <p>
     * <b>Nulls and other types.</b> Null keys and values are refused with {@link NullPointerException}, in queries
     * too, as {@code ConcurrentHashMap} does ({@code remove(k, null)} and an entry with a null key or value given to
     * the entry set's {@code contains} or {@code remove} are false). A key or value given to a query ({@code get},
     * {@code containsKey}, {@code containsValue}, {@code remove}, ...) that is not an instance of its codec's
     * {@link ByteCodec#type()}, or a key whose encoding is longer than {@link #maxKeyLength()}, is absent (null,
     * false): no key equals it.
     * <p>
     * <b>Codec failures.</b> An exception a codec throws goes to the caller unchanged. If decoding a value a write
     * returns fails (the previous value of {@code put}, {@code remove(k)}, {@code replace(k, v)}), the write has
     * been done; an iterator that fails decoding an element has moved past it.
     * <p>
     * <b>Limits and closing.</b> A write whose encoded key or value is longer than the store's limit
     * ({@link #maxKeyLength()}, {@link #maxValueLength()}) throws {@link IllegalArgumentException} and stores nothing;
     * every call of the view throws {@link IllegalStateException} once the store is closed.
     * <p>
     * {@code equals}, {@code hashCode} and {@code toString} are those of {@link java.util.AbstractMap}, over a
     * weakly consistent iteration: exact when no write runs. The view is not serializable.
     *
     * @param keyCodec   how keys become bytes and back.
     * @param valueCodec how values become bytes and back.
     * @param <K>        the keys' type.
     * @param <V>        the values' type.
     * @return the view; it holds no state of its own, so views of one store are interchangeable.
     * @throws NullPointerException if a codec, or its {@link ByteCodec#type()}, is null.
     */
    public <K, V> ConcurrentMap<K, V> asConcurrentMap(final ByteCodec<K> keyCodec, final ByteCodec<V> valueCodec)
    {
        return new ByteStoreMapView<>(this, keyCodec, valueCodec);
    }

    /**
     * Count the keys with a value.
     *
     * @return the number of keys with a value, as the tables' counts say at the moment each is read (exact when no
     * write runs).
     * @throws IllegalStateException if the store is closed.
     */
    public long size()
    {
        long size = 0;
        for (final Segment<ByteTable> segment : segments)
        {
            size += table(segment).live();
        }
        return Math.max(0, size);
    }

    /**
     * Take a snapshot of the store's statistics: what its operations did since it was opened (with
     * {@link Builder#statistics(boolean) statistics} on, the default) and its sizes now. Lock-free and weakly
     * consistent: each counter and each segment is read once, while operations go on.
     *
     * @return the snapshot; {@link StoreStatistics#bytesFree()} is {@link #freeBytes()}.
     * @throws IllegalStateException if the store is closed.
     */
    public StoreStatistics statistics()
    {
        final List<StoreStatistics.SegmentLoad> loads = new ArrayList<>(segments.length);
        long entries = 0;
        for (int i = 0; i < segments.length; i++)
        {
            final ByteTable table = table(segments[i]);
            final int live = Math.max(0, table.live());
            entries += live;
            loads.add(new StoreStatistics.SegmentLoad(i, live, table.capacity));
        }
        return monitor.statistics(entries, offHeapBytes(), freeBytes(), loads);
    }

    /**
     * Tell whether no key has a value.
     *
     * @return true if no key has a value.
     */
    public boolean isEmpty()
    {
        return 0 == size();
    }

    /**
     * Remove every value: each segment's table is replaced by an empty one, and its entries go back to the heap.
     * Writes that race with it land before (and are removed) or after.
     *
     * @throws IllegalStateException if the store is closed.
     */
    public void clear()
    {
        if (readOnly)
        {
            throw readOnlyException();
        }
        for (final Segment<ByteTable> segment : segments)
        {
            segment.clear();
        }
    }

    /**
     * Measure the store's off-heap memory.
     *
     * @return the bytes the store holds off-heap: the directory, tables (including replaced ones not yet released) and
     * entry heaps (their roots and arenas).
     */
    public long offHeapBytes()
    {
        long bytes = reclaimer.pendingBytes() + space.footprint(directory);
        for (int i = 0; i < segments.length; i++)
        {
            final ByteTable table = segments[i].table;
            final EntryHeap heap = null == table ? heaps[i] : table.heap;
            if (null != table)
            {
                bytes += space.footprint(table.region);
            }
            bytes += heap.arenaBytes() + space.footprint(heap.root());
        }
        return bytes;
    }

    /**
     * Measure the entries in use.
     *
     * @return bytes of the entries' blocks in use (keys, values, headers and size-class rounding; a removed key's
     * entry stays in use until its table is next replaced).
     */
    public long entryBytes()
    {
        long bytes = 0;
        for (int i = 0; i < segments.length; i++)
        {
            bytes += heap(i).allocatedBytes();
        }
        return bytes;
    }

    /**
     * Measure the keys and values in use.
     *
     * @return bytes of the keys and values in the entries in use ({@link #entryBytes()} without the 12-byte entry
     * headers and the size-class rounding).
     */
    public long keyValueBytes()
    {
        long bytes = 0;
        for (int i = 0; i < segments.length; i++)
        {
            bytes += heap(i).payloadBytes();
        }
        return bytes;
    }

    /**
     * Measure the free space of the entry heaps.
     *
     * @return bytes of the entry heaps not in use: blocks on free lists and the unused rest of each newest arena.
     */
    public long freeBytes()
    {
        long bytes = 0;
        for (int i = 0; i < segments.length; i++)
        {
            bytes += heap(i).freeBytes();
        }
        return bytes;
    }

    /**
     * Measure the fragmentation of the entry heaps.
     *
     * @return the share of the entry heaps' carved bytes that sit in freed blocks, {@code freed / (entryBytes +
     * freed)} where {@code freed} is {@link #freeBytes()} less the untouched rest of each newest arena (and the
     * arenas' headers); 0 for empty heaps. This is what churn of mixed sizes leaves behind (a freed block is reused only by an entry of its size
     * class) and what a compacting rebuild gives back; space never handed out is not counted.
     */
    public double fragmentation()
    {
        long freed = 0;
        for (int i = 0; i < segments.length; i++)
        {
            freed += heap(i).freedBytes();
        }
        final long total = freed + entryBytes();
        return 0 == total ? 0 : (double)freed / total;
    }

    /**
     * Count the slots of the tables.
     *
     * @return the slots of all current tables: the store replaces a segment's table by a larger one when its used
     * slots reach the max load.
     * @throws IllegalStateException if the store is closed.
     */
    public long capacity()
    {
        long capacity = 0;
        for (final Segment<ByteTable> segment : segments)
        {
            capacity += table(segment).capacity;
        }
        return capacity;
    }

    /**
     * Tell the number of segments.
     *
     * @return the number of segments.
     */
    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * Tell the key limit.
     *
     * @return the longest key this store accepts.
     */
    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    /**
     * Tell the value limit.
     *
     * @return the longest value this store accepts.
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * Write every change through to the store file (nothing for anonymous memory or a read-only store): after it
     * returns, what was written before it survives a power loss too (docs/durability.md).
     *
     * @throws IllegalStateException if the store is closed.
     */
    public void sync()
    {
        if (closed)
        {
            throw OffHeapLongLongMap.closedException();
        }
        if (!readOnly)
        {
            space.sync();
        }
    }

    /**
     * Tell what recovery did at open.
     *
     * @return what recovery found and repaired when this store was opened, if it ran: the store file had not been
     * closed cleanly, or {@link Builder#verifyOnOpen(boolean)} asked for it, or a cheap check at open failed. For a
     * {@link io.slotkv.core.memory.OpenMode#READ_ONLY read-only} open with {@code verifyOnOpen}: the full check,
     * which found nothing (it refuses a file with anything to repair) and changed nothing.
     */
    public Optional<RecoveryReport> recoveryReport()
    {
        return Optional.ofNullable(recoveryReport);
    }

    /**
     * Tell whether the store is read-only.
     *
     * @return true if the store was opened {@link OpenMode#READ_ONLY}: every write throws
     * {@link UnsupportedOperationException}.
     */
    public boolean isReadOnly()
    {
        return readOnly;
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
     * Close the store: later calls throw {@link IllegalStateException}; an operation already running completes
     * or fails with it. A store file is synced, marked cleanly closed and unlocked: every table operations can
     * reach is first frozen after its entries were copied into a table only the directory names, then close waits
     * until no write is inside an operation (a writer may still be filling a block it allocated), saves each heap's
     * allocator state and the clean check (docs/design.md, "Closing"). So no write of this store reaches the file
     * after {@code close} returns. Anonymous memory goes back to the operating system once no operation can still
     * read it. Closing twice does nothing.
     *
     * @throws io.slotkv.core.memory.DiskFullException if the fence copies could not be allocated: the store is
     * closed, the file is synced but left marked open, and the next open recovers it (nothing is lost).
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
        sweeper.stop();
        final boolean fence = persistent && !readOnly;
        RuntimeException failure = null;
        final ByteTable[] named = new ByteTable[segments.length];
        final List<ByteTable> held = new ArrayList<>();
        for (int i = 0; i < segments.length; i++)
        {
            try
            {
                final List<ByteTable> tables = segments[i].close(fence && !unshared && null == failure);
                held.addAll(tables);
                named[i] = tables.isEmpty() ? null : tables.get(tables.size() - 1); // the one the directory names
                if (!tables.isEmpty())
                {
                    heaps[i] = tables.get(0).heap; // the fence shares it
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        try
        {
            for (final ByteTable table : held)
            {
                reclaimer.retire(table);
            }
            // a writer still inside may be filling or freeing a block of a heap; in a store file that block could
            // be a later owner's, so the file is not let go until every writer has left
            while (!reclaimer.reclaim(OffHeapLongLongMap.CLOSE_WAIT_NANOS))
            {
                LOGGER.log(System.Logger.Level.WARNING, "a writer is still inside an operation " +
                    OffHeapLongLongMap.CLOSE_WAIT_NANOS / 1_000_000 + " ms after close began" +
                    (persistent ? "; waiting for it before the file is let go, " : ": its memory is left to the GC, ") +
                    location);
                if (!persistent)
                {
                    break;
                }
            }
            boolean damaged = false;
            for (final EntryHeap heap : heaps)
            {
                damaged |= heap.damaged;
            }
            if (damaged && null == failure)
            {
                LOGGER.log(System.Logger.Level.WARNING, "the store met damage while open (a freed or foreign block " +
                    "named by a slot or a free list): the file is left for recovery at its next open, " + location);
            }
            if (null == failure && fence && !damaged)
            {
                for (final EntryHeap heap : heaps)
                {
                    heap.save();
                }
                // last word before the clean mark: a clean open recomputes it to see that nothing was damaged
                directory.putLongRelease(DirectoryDescriptor.CLEAN_CHECK_OFFSET,
                    ByteStoreRecovery.cleanCheck(directory, named, heaps, space.maxRegionLength()));
            }
            if (!persistent)
            {
                for (final EntryHeap heap : heaps)
                {
                    for (final MemoryRegion region : heap.regions())
                    {
                        space.release(region); // a late reader reads zeros: a generation mismatch, then the closed check
                    }
                }
                space.release(directory);
            }
            if (null == failure && !damaged)
            {
                space.close();
            }
            else
            {
                space.abandon(); // synced, but left marked open: the next open recovers
            }
        }
        finally
        {
            reclaimer.close();
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    /**
     * Test seam: drop the store as a killed process would, without fencing, syncing or marking the file clean.
     */
    void abandon()
    {
        closed = true;
        sweeper.stop(); // a killed process sweeps no more: nothing writes into the file after this returns
        for (int i = 0; i < segments.length; i++)
        {
            final List<ByteTable> tables = segments[i].close(false);
            if (!tables.isEmpty())
            {
                heaps[i] = tables.get(0).heap;
            }
        }
        space.abandon();
    }

    @Override
    public String toString()
    {
        return "OffHeapByteStore{segments=" + segments.length + ", " + (persistent ? location : "anonymous memory") +
            '}';
    }

    private UnsupportedOperationException readOnlyException()
    {
        return new UnsupportedOperationException("store is read-only: " + location);
    }

    /**
     * Test seam: segment {@code i}, for its crash points.
     */
    Segment<ByteTable> segment(final int i)
    {
        return segments[i];
    }

    /**
     * A slot of {@code table} names a freed block and did not change: fine if the table was replaced meanwhile (its
     * dropped tombstones are freed after the replacement is published), a damaged store if it is still current.
     */
    private static void checkReplaced(final Segment<ByteTable> segment, final ByteTable table)
    {
        if (segment.table == table)
        {
            table.heap.damaged = true;
            throw new CorruptStoreException("a slot names a freed entry block in the current table: the store is " +
                "damaged (" + table.region + "); the next open recovers it (or open it with verifyOnOpen(true))");
        }
    }

    /**
     * @return segment {@code i}'s heap: its current table's, or once the table is detached the one close left.
     */
    private EntryHeap heap(final int i)
    {
        final ByteTable table = segments[i].table;
        return null == table ? heaps[i] : table.heap;
    }

    private static ByteTable table(final Segment<ByteTable> segment)
    {
        final ByteTable table = segment.table;
        if (null == table)
        {
            throw OffHeapLongLongMap.closedException();
        }
        return table;
    }

    private void checkValueLength(final int valueLength)
    {
        if (valueLength > maxValueLength)
        {
            throw new IllegalArgumentException("value too long: length=" + valueLength + ", maxValueLength=" +
                maxValueLength);
        }
    }

    private void checkKeyLength(final int keyLength)
    {
        if (keyLength > maxKeyLength)
        {
            throw new IllegalArgumentException("key too long: length=" + keyLength + ", maxKeyLength=" + maxKeyLength);
        }
    }

    /**
     * Configuration of a new {@link OffHeapByteStore}.
     */
    public static final class Builder extends StoreBuilder<Builder>
    {
        private int maxKeyLength = DEFAULT_MAX_KEY_LENGTH;
        private int maxValueLength = DEFAULT_MAX_VALUE_LENGTH;
        private boolean maxKeyLengthSet;
        private boolean maxValueLengthSet;
        private InstantSource clock = InstantSource.system();
        private boolean expirySweeper = true;
        private long maxMemory;

        private Builder()
        {
            super(DEFAULT_MAX_LOAD);
        }

        /**
         * Set the clock that deadlines are read against (default: {@link InstantSource#system()}, the wall clock):
         * a key whose deadline is at or before the clock's {@link InstantSource#millis() millis()} has no value.
         * Deadlines are stored as wall-clock milliseconds since the epoch, so a store file's keys expire across a
         * restart; a clock that steps back makes expired keys readable again until it passes their deadlines. Tests
         * give a clock they move by hand.
         *
         * @param clock the clock; its {@code millis()} must be positive.
         * @return this builder.
         */
        public Builder clock(final InstantSource clock)
        {
            this.clock = java.util.Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Limit the store's off-heap memory ({@link OffHeapByteStore#offHeapBytes()}), as Redis's {@code maxmemory}
         * with the {@code noeviction} policy: a write that needs the store to grow past it (a new arena of an entry
         * heap, or a larger table) throws {@link MemoryLimitException} before anything changed; nothing is ever
         * evicted. The store stays readable, and writes that fit the memory it holds go on (removes, and writes
         * that reuse freed blocks); removed and expired keys give their blocks back for reuse. The check is made
         * before each such allocation, and allocations in different segments may pass it at once, so the store can
         * exceed the limit by at most one arena or table per segment. A rebuild, a clear and a compaction are not
         * limited: they give memory back. Not stored in a store file: each open sets its own.
         *
         * @param bytes the most off-heap bytes, 0 (default) for no limit.
         * @return this builder.
         * @throws IllegalArgumentException if negative.
         */
        public Builder maxMemory(final long bytes)
        {
            if (bytes < 0)
            {
                throw new IllegalArgumentException("maxMemory must be 0 (none) or positive: bytes=" + bytes);
            }
            this.maxMemory = bytes;
            return this;
        }

        /**
         * Whether a background task reclaims expired keys (default true): on one daemon thread, {@code
         * slotkv-expiry}, shared by every store of the JVM and started by the first store that holds a deadline.
         * Without it, expired keys are still absent to every operation at once, and their entries are reclaimed
         * when their segment's table is next replaced or when the owner calls {@link #sweepExpired}.
         *
         * @param enabled false for no thread.
         * @return this builder.
         */
        public Builder expirySweeper(final boolean enabled)
        {
            this.expirySweeper = enabled;
            return this;
        }

        /**
         * Set the longest key the store accepts.
         *
         * @param maxKeyLength the longest key, 0 to {@value EntryDescriptor#MAX_KEY_LENGTH} bytes (default). A store
         *                     file keeps its limits: a reopen uses them unless the builder raises them, and then
         *                     keeps the raised ones (a writable open); lower ones are refused by {@code build()}.
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder maxKeyLength(final int maxKeyLength)
        {
            if (maxKeyLength < 0 || maxKeyLength > EntryDescriptor.MAX_KEY_LENGTH)
            {
                throw new IllegalArgumentException("maxKeyLength out of range: maxKeyLength=" + maxKeyLength +
                    ", max=" + EntryDescriptor.MAX_KEY_LENGTH);
            }
            this.maxKeyLength = maxKeyLength;
            this.maxKeyLengthSet = true;
            return this;
        }

        /**
         * Set the longest value the store accepts.
         *
         * @param maxValueLength the longest value in bytes, 0 or more (default 1 MiB); the longest entry (key, value
         *                       and 12 bytes) must fit the largest block of an arena: 15/16 of the space's largest
         *                       region (1 GiB for anonymous memory, the chunk size for a store file), and
         *                       {@value EntryDescriptor#MAX_VALUE_LENGTH} is the most a header can describe. A store
         *                       file keeps its limits: a reopen uses them unless the builder raises them, and then
         *                       keeps the raised ones (a writable open); lower ones are refused by {@code build()}.
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder maxValueLength(final int maxValueLength)
        {
            if (maxValueLength < 0 || maxValueLength > EntryDescriptor.MAX_VALUE_LENGTH)
            {
                throw new IllegalArgumentException("maxValueLength out of range: maxValueLength=" + maxValueLength +
                    ", max=" + EntryDescriptor.MAX_VALUE_LENGTH);
            }
            this.maxValueLength = maxValueLength;
            this.maxValueLengthSet = true;
            return this;
        }

        /**
         * Create the store, or open the one in the store file: in anonymous memory unless
         * {@link #file(Path, OpenMode) a file} was given. A store file is read and checked before anything in it is
         * written, so an open refused by a check leaves it as it was, and an open that fails later never marks it
         * clean (the next open recovers it). If it was not closed cleanly, or {@link #verifyOnOpen(boolean)
         * verification} was asked for, recovery runs before this returns (see
         * {@link OffHeapByteStore#recoveryReport()}).
         *
         * @return the store, open until {@link OffHeapByteStore#close()}.
         * @throws IllegalStateException                       if the JVM lacks the flags SlotKV needs (the message
         *                                                     names them), or if a read-only open meets a store
         *                                                     file that was not closed cleanly or holds no store
         *                                                     yet, or if {@link #registerMBean(boolean)} asked for
         *                                                     an MBean whose name another open store holds (the
         *                                                     store is closed again).
         * @throws IllegalArgumentException                    if the limits do not fit an entry or are lower than a
         *                                                     store file's stored limits, or the initial
         *                                                     capacity cannot fit the segments.
         * @throws io.slotkv.core.memory.StoreLockedException if the store file is open elsewhere (another process, or
         *                                                     another store or map of this JVM, under any path).
         * @throws io.slotkv.core.memory.CorruptStoreException if the store file is not a SlotKV byte store, or a
         *                                                     structure in it is out of range (the message names the
         *                                                     field, its value and the allowed range; the file is
         *                                                     left unchanged), or a read-only open meets a file that
         *                                                     needs repair.
         * @throws java.io.UncheckedIOException               if the file cannot be opened, created or mapped, or
         *                                                     (open-existing and read-only modes) does not exist.
         * @throws io.slotkv.core.memory.DiskFullException     if a new store cannot reserve its first tables.
         * @throws OutOfMemoryError                            if anonymous memory for the first tables cannot be
         *                                                     mapped.
         */
        public OffHeapByteStore build()
        {
            JvmAccess.requireOffHeapAccess();
            if (maxValueLength > EntryDescriptor.MAX_VALUE_LENGTH)
            {
                throw new IllegalArgumentException("maxValueLength out of range: maxValueLength=" + maxValueLength +
                    ", max=" + EntryDescriptor.MAX_VALUE_LENGTH);
            }
            final MemorySpace space = openSpace();
            final OffHeapByteStore store;
            try
            {
                store = new OffHeapByteStore(space, this);
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
                    store.monitor.registerMBean(OffHeapByteStore.class, store::statistics);
                }
                catch (final RuntimeException ex)
                {
                    store.close();
                    throw ex;
                }
            }
            return store;
        }
    }
}
