package io.slotkv.map;

import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.MemorySpace;
import io.slotkv.core.memory.OpenMode;

import java.nio.file.Path;
import java.util.Objects;

import static io.slotkv.map.DirectoryDescriptor.MAX_SEGMENTS;

/**
 * What every SlotKV store's builder sets: the segments, the initial sizing and the max load of a new store, and
 * where it lives (anonymous memory, or a memory-mapped store file and how to open it). Nothing is allocated or
 * opened until the subclass's {@code build()}.
 *
 * @param <B> the builder's own type, which every setter returns.
 */
public abstract class StoreBuilder<B extends StoreBuilder<B>>
{
    /** The highest max load a builder accepts. */
    static final double MAX_MAX_LOAD = 0.95;

    /** The longest store name. */
    static final int MAX_NAME_LENGTH = 200;

    int segments = defaultSegments();
    long initialCapacity;
    double maxLoad;
    Path file;
    OpenMode openMode = OpenMode.CREATE_OR_OPEN;
    long chunkSize = MappedFileSpace.DEFAULT_CHUNK_SIZE;
    boolean verifyOnOpen;
    boolean hugePages = true;
    boolean preTouch = true;
    MemorySpace space;
    boolean statistics = true;
    String name;
    boolean registerMBean;

    StoreBuilder(final double defaultMaxLoad)
    {
        this.maxLoad = defaultMaxLoad;
    }

    /**
     * The segment count of a new store when {@link #segments(int)} is not called: enough segments that writers on
     * every processor rarely meet at a segment's lock.
     *
     * @return the default segment count: the power of two at or above 4 x available processors.
     */
    public static int defaultSegments()
    {
        return Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1;
    }

    @SuppressWarnings("unchecked") // B is this builder's own class
    private B self()
    {
        return (B)this;
    }

    /**
     * Set the number of segments of a new store, each with its own table (and, for a byte store, entry heap) and
     * replacement lock.
     *
     * @param segments a power of two from 1 to 65536. Ignored when an existing store file is opened.
     * @return this builder.
     * @throws IllegalArgumentException if {@code segments} is not a power of two from 1 to 65536.
     */
    public B segments(final int segments)
    {
        if (segments < 1 || segments > MAX_SEGMENTS || Integer.bitCount(segments) != 1)
        {
            throw new IllegalArgumentException(
                "segments must be a power of two from 1 to " + MAX_SEGMENTS + ": segments=" + segments);
        }
        this.segments = segments;
        return self();
    }

    /**
     * Size a new store's tables so that {@code entries} keys fit without a replacement.
     *
     * @param entries expected number of entries, to size the tables up front; optional (the store grows).
     *                Ignored when an existing store file is opened.
     * @return this builder.
     * @throws IllegalArgumentException if {@code entries} is negative; one that is too large for the segments
     *                                  is refused by {@code build()}.
     */
    public B initialCapacity(final long entries)
    {
        if (entries < 0)
        {
            throw new IllegalArgumentException("initial capacity must not be negative: entries=" + entries);
        }
        this.initialCapacity = entries;
        return self();
    }

    /**
     * Set how full a new store's tables get before they are replaced by larger ones; recorded in a store file.
     *
     * @param maxLoad fraction of a table's slots in use at which it is replaced, 0.1 to 0.95.
     *                Ignored when an existing store file is opened.
     * @return this builder.
     * @throws IllegalArgumentException if {@code maxLoad} is not from 0.1 to 0.95 (or is NaN).
     */
    public B maxLoad(final double maxLoad)
    {
        if (!(maxLoad >= 0.1 && maxLoad <= MAX_MAX_LOAD))
        {
            throw new IllegalArgumentException("maxLoad must be from 0.1 to 0.95: maxLoad=" + maxLoad);
        }
        this.maxLoad = maxLoad;
        return self();
    }

    /**
     * Keep the store in a memory-mapped store file: created if absent, reopened with every entry if present
     * ({@link OpenMode#CREATE_OR_OPEN}). The file is locked for as long as the store is open.
     *
     * @param file the store file; symlinks and hard links name the same store.
     * @return this builder.
     */
    public B file(final Path file)
    {
        return file(file, OpenMode.CREATE_OR_OPEN);
    }

    /**
     * Keep the store in a memory-mapped store file, opened as {@code mode} says: create-or-open, open an existing
     * store only (a missing or empty file is an error), or read-only (every write throws
     * {@link UnsupportedOperationException}; the file must have been closed cleanly).
     *
     * @param file the store file; symlinks and hard links name the same store.
     * @param mode how to open it.
     * @return this builder.
     * @throws NullPointerException if {@code mode} is null.
     */
    public B file(final Path file, final OpenMode mode)
    {
        this.file = file;
        this.openMode = Objects.requireNonNull(mode, "mode");
        return self();
    }

    /**
     * Choose whether a clean open scans the whole store as recovery does.
     *
     * @param verify true to check and repair every table of a store file at open even if it was closed cleanly
     *               (a full scan; see {@link RecoveryReport}; for a byte store, every entry's lengths, generation
     *               and CRC32C, and every table rebuilt from the entries that pass). A file that was not closed
     *               cleanly is always recovered. Default false: a clean open reads only the headers (file,
     *               directory, tables, and a byte store's heap roots and arena headers), so it takes the same time
     *               whatever the size of the store. A byte store opened {@link OpenMode#READ_ONLY read-only} is
     *               checked the same way (and whether each entry's slot is the one a lookup finds, and the saved
     *               allocator state against the entries) without writing anything, and refused
     *               ({@link io.slotkv.core.memory.CorruptStoreException}) if anything needs repair
     *               (docs/spec/byte-store.md, "Read-only verification"); a long map opened read-only refuses
     *               verification.
     * @return this builder.
     */
    public B verifyOnOpen(final boolean verify)
    {
        this.verifyOnOpen = verify;
        return self();
    }

    /**
     * Choose the page size of an anonymous store's large regions.
     *
     * @param hugePages true (the default) to put anonymous regions of 2 MiB and more on transparent huge pages
     *                  ({@code madvise(MADV_HUGEPAGE)}; used when the kernel's mode is {@code madvise} or
     *                  {@code always}): fewer TLB misses on large stores. No effect on a store file.
     * @return this builder.
     */
    public B hugePages(final boolean hugePages)
    {
        this.hugePages = hugePages;
        return self();
    }

    /**
     * Choose whether an anonymous store faults the pages of its memory in when it maps them.
     *
     * @param preTouch true (the default) to fault every page of each new table and entry arena in when it is mapped,
     *                 in one call ({@code madvise(MADV_POPULATE_WRITE)}, Linux 5.14+): no page fault lands on a
     *                 write later, and faulting pages in together costs far less than one at a time (a fill of 1M
     *                 byte-store entries ran several times faster); the memory is resident at once. False to leave
     *                 each page to fault on its first touch (a presized store that stays mostly empty then costs
     *                 only the pages it uses). No effect on a store file.
     * @return this builder.
     */
    public B preTouch(final boolean preTouch)
    {
        this.preTouch = preTouch;
        return self();
    }

    /**
     * Set the mapping chunk of a new store file: no table (nor a byte store's heap arena, so no entry) is longer
     * than one chunk, and the file is mapped one chunk at a time. Checked by {@code build()}.
     *
     * @param chunkSize of the file mappings, a power of two from 64 KiB to 1 GiB (default 1 GiB). The largest
     *                  segment table (and a byte store's longest entry) must fit one chunk. Ignored when an
     *                  existing store file is opened.
     * @return this builder.
     */
    public B chunkSize(final long chunkSize)
    {
        this.chunkSize = chunkSize;
        return self();
    }

    /**
     * Choose whether the store counts its operations ({@link StoreStatistics}).
     *
     * @param statistics true (the default) to count gets, puts, removes, expiries, CAS retries and resizes, each
     *                   thread into cells of its own (no cache line shared between threads' operations); false to
     *                   count nothing (every counter of the snapshot is 0; the sizes are still read).
     * @return this builder.
     */
    public B statistics(final boolean statistics)
    {
        this.statistics = statistics;
        return self();
    }

    /**
     * Name the store: in its JMX object name and its JFR events.
     *
     * @param name 1 to 200 characters; default: the store file's name, else "anonymous".
     * @return this builder.
     * @throws IllegalArgumentException if {@code name} is empty or longer than 200 characters.
     * @throws NullPointerException     if {@code name} is null.
     */
    public B name(final String name)
    {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("name must be 1 to " + MAX_NAME_LENGTH + " characters: length=" +
                name.length());
        }
        this.name = name;
        return self();
    }

    /**
     * Choose whether {@code build()} registers the store's {@link StoreStatisticsMXBean} in the platform MBean
     * server, as {@code io.slotkv:type=<store class>,name="<name>"}; {@code close()} unregisters it.
     *
     * @param register true to register (default false). Two open stores of one class and one name cannot both be
     *                 registered: the second {@code build()} throws {@link IllegalStateException} (and closes the
     *                 store it opened). The MBean server holds a registered store until {@code close()}: one
     *                 dropped without closing stays registered, and its memory stays held.
     * @return this builder.
     */
    public B registerMBean(final boolean register)
    {
        this.registerMBean = register;
        return self();
    }

    /**
     * @return the store's name: the one given, else the store file's name, else "anonymous".
     */
    String storeName()
    {
        if (null != name)
        {
            return name;
        }
        final Path fileName = null == file ? null : file.getFileName();
        return null == fileName ? "anonymous" : fileName.toString();
    }

    /**
     * @return the monitor of a store built by this builder.
     */
    StoreMonitor monitor()
    {
        return new StoreMonitor(storeName(), statistics);
    }

    /**
     * Build on a given space: for tests that inject faults.
     */
    B space(final MemorySpace space)
    {
        this.space = space;
        return self();
    }

    /**
     * @return the space the store lives in: the one given to {@link #space}, anonymous memory, or the store file
     * opened (and locked) as asked.
     */
    MemorySpace openSpace()
    {
        return null != space ? space :
            null == file ? new AnonymousMemorySpace(hugePages, preTouch) : MappedFileSpace.open(file, openMode, chunkSize);
    }
}
