package io.slotkv.core.memory;

import io.slotkv.core.jvm.JvmAccess;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.slotkv.core.memory.FileHeaderDescriptor.*;

/**
 * A store file mapped into memory in fixed-size chunks with Chronicle Bytes.
 * <p>
 * The file starts with a {@link FileHeaderDescriptor header}; regions are bump-allocated after it, 64-byte
 * aligned, and never straddle a chunk boundary, so each region is one contiguous range of one mapping. Files may
 * be far larger than 2 GiB: each chunk is its own mapping. The file is sparse: space that no region has touched
 * costs no disk.
 * <p>
 * One process owns the file: opening takes an exclusive OS file lock, and a second opener (another process or
 * another space in this JVM) gets a {@link StoreLockedException} that names the file. Chunks stay mapped until the
 * space and every region of it are unreachable; {@link #close()} syncs the file, marks it cleanly closed and
 * releases the lock, but unmaps nothing, so a thread still inside an operation can never touch unmapped memory.
 */
public final class MappedFileSpace implements MemorySpace
{
    /** Default mapping chunk: one chunk holds the largest region. */
    public static final long DEFAULT_CHUNK_SIZE = MAX_REGION_LENGTH;

    private static final Cleaner CLEANER = Cleaner.create();

    /** Tries to map a chunk when the kernel refuses: the GC and cleaners get 1 + 2 + ... + 256 ms to free some. */
    private static final int MAP_ATTEMPTS = 10;

    /**
     * Files open in this JVM. POSIX record locks belong to the process, and closing any descriptor of a file
     * drops all of them, so a second open in the same JVM must be refused before it opens a descriptor.
     */
    private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final long chunkSize;
    private final Mapping mapping;
    private final UnsafeBuffer header;
    private final FileLock lock;
    private final boolean created;
    private long previousState = STATE_CLOSED;
    private boolean closed;

    private MappedFileSpace(final Path path, final long requestedChunkSize) throws IOException
    {
        JvmAccess.requireFileMappingAccess();
        this.path = path;
        final boolean exists = Files.exists(path) && Files.size(path) > 0;
        final long chunk = exists ? readChunkSize(path) : requestedChunkSize;
        checkChunkSize(chunk, path);
        this.chunkSize = chunk;

        final MappedFile file = MappedFile.of(path.toFile(), chunk, 0, false);
        file.singleThreadedCheckDisabled(true);
        this.mapping = new Mapping(file);
        CLEANER.register(this, mapping);

        try
        {
            this.lock = tryLock(file, path);
        }
        catch (final RuntimeException ex)
        {
            file.raf().close(); // no descriptor left behind by a refused open
            throw ex;
        }
        try
        {
            final MappedBytesStore first = mapping.chunk(0, chunk);
            this.header = new UnsafeBuffer(first.addressForWrite(0), HEADER_LENGTH);
            this.created = !exists;
            if (created)
            {
                header.putLong(MAGIC_OFFSET, MAGIC);
                header.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
                header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
                header.putLong(CHUNK_SIZE_OFFSET, chunk);
                header.putLong(END_OFFSET, HEADER_LENGTH);
                header.putLong(ROOT_OFFSET_OFFSET, NO_ROOT);
                header.putLong(ROOT_LENGTH_OFFSET, 0);
            }
            else
            {
                checkHeader();
            }
            header.putLongVolatile(STATE_OFFSET, STATE_OPEN);
        }
        catch (final RuntimeException ex)
        {
            releaseLockAndDescriptor();
            throw ex;
        }
    }

    /**
     * Open the store file at {@code path}, creating it if it does not exist or is empty.
     *
     * @param path      of the file.
     * @param chunkSize of the mappings for a new file, a power of two from 64 KiB to 1 GiB; an existing file
     *                  keeps the chunk size it was created with.
     * @throws StoreLockedException  if another process or space holds the file.
     * @throws CorruptStoreException if the file is not a SlotKV store or its header is inconsistent.
     * @throws UncheckedIOException  if the file cannot be read, created or mapped.
     */
    public static MappedFileSpace open(final Path path, final long chunkSize)
    {
        final Path absolute = path.toAbsolutePath().normalize();
        if (!OPEN_FILES.add(absolute))
        {
            throw new StoreLockedException("store file is already open in this JVM: " + absolute);
        }
        try
        {
            return new MappedFileSpace(absolute, chunkSize);
        }
        catch (final IOException ex)
        {
            OPEN_FILES.remove(absolute);
            throw new UncheckedIOException("cannot open store file: " + absolute, ex);
        }
        catch (final RuntimeException ex)
        {
            OPEN_FILES.remove(absolute);
            throw ex;
        }
    }

    /**
     * Open with {@link #DEFAULT_CHUNK_SIZE}.
     */
    public static MappedFileSpace open(final Path path)
    {
        return open(path, DEFAULT_CHUNK_SIZE);
    }

    /**
     * @return true if this open created the file (it held no store before).
     */
    public boolean created()
    {
        return created;
    }

    /**
     * @return true if the previous owner closed the file cleanly (always true for a file this open created).
     */
    public boolean wasClosedCleanly()
    {
        return previousState == STATE_CLOSED;
    }

    public Path path()
    {
        return path;
    }

    public long chunkSize()
    {
        return chunkSize;
    }

    /**
     * @return the end of the allocated space: the file's logical size.
     */
    public synchronized long end()
    {
        return header.getLong(END_OFFSET);
    }

    @Override
    public synchronized MemoryRegion allocate(final int length)
    {
        MemorySpace.checkRegionLength(length);
        ensureOpen();
        long start = align(header.getLong(END_OFFSET));
        if (length > chunkSize)
        {
            throw new IllegalArgumentException(
                "region longer than the file's chunk size: length=" + length + ", chunkSize=" + chunkSize);
        }
        if (start / chunkSize != (start + length - 1) / chunkSize)
        {
            start = (start / chunkSize + 1) * chunkSize; // never straddle a chunk: skip to the next one
        }
        final MemoryRegion region = regionAt(start, length);
        // the new end is recorded before the region is used, so space is never handed out twice
        header.putLongVolatile(END_OFFSET, start + length);
        return region;
    }

    @Override
    public int maxRegionLength()
    {
        return (int)chunkSize;
    }

    @Override
    public synchronized MemoryRegion attach(final long offset, final int length)
    {
        ensureOpen();
        final long end = header.getLong(END_OFFSET);
        if (offset < HEADER_LENGTH || (offset & (REGION_ALIGNMENT - 1)) != 0 || length <= 0 ||
            length > MAX_REGION_LENGTH || offset > end || length > end - offset ||
            offset / chunkSize != (offset + length - 1) / chunkSize)
        {
            throw new CorruptStoreException("region outside the store: offset=" + offset + ", length=" + length +
                ", end=" + end + ", chunkSize=" + chunkSize + ", file=" + path);
        }
        return regionAt(offset, length);
    }

    @Override
    public synchronized long rootOffset()
    {
        return header.getLong(ROOT_OFFSET_OFFSET);
    }

    @Override
    public synchronized int rootLength()
    {
        return (int)header.getLong(ROOT_LENGTH_OFFSET);
    }

    @Override
    public synchronized void root(final MemoryRegion region)
    {
        ensureOpen();
        header.putLong(ROOT_LENGTH_OFFSET, region.length());
        header.putLongVolatile(ROOT_OFFSET_OFFSET, region.offset());
    }

    @Override
    public boolean isPersistent()
    {
        return true;
    }

    @Override
    public synchronized void sync()
    {
        if (!closed)
        {
            force();
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            force();
            header.putLongVolatile(STATE_OFFSET, STATE_CLOSED);
            force();
        }
        finally
        {
            releaseLockAndDescriptor();
            OPEN_FILES.remove(path);
        }
    }

    private void releaseLockAndDescriptor()
    {
        try
        {
            lock.release();
            // the mappings outlive the descriptor; closing it now means no later cleanup can drop the lock of
            // another space that opens this file after us
            mapping.file.raf().close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot release the lock of " + path, ex);
        }
    }

    @Override
    public String toString()
    {
        return "MappedFileSpace{path=" + path + ", chunkSize=" + chunkSize + '}';
    }

    private MemoryRegion regionAt(final long offset, final int length)
    {
        final long chunkStart = (offset / chunkSize) * chunkSize;
        final MappedBytesStore store = mapping.chunk(chunkStart, chunkSize);
        return new MemoryRegion(store.addressForWrite(offset), length, offset, this);
    }

    private void force()
    {
        try
        {
            // fsync of the descriptor writes back every dirty page of the file, those dirtied through the mappings too
            mapping.file.raf().getChannel().force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot sync store file " + path, ex);
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("store file is closed: " + path);
        }
    }

    private void checkHeader()
    {
        final long magic = header.getLong(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new CorruptStoreException("not a SlotKV store file: magic=0x" + Long.toHexString(magic) +
                ", expected=0x" + Long.toHexString(MAGIC) + ", file=" + path);
        }
        final int version = header.getInt(FORMAT_VERSION_OFFSET);
        if (FORMAT_VERSION != version)
        {
            throw new CorruptStoreException("unsupported store format version: version=" + version +
                ", supported=" + FORMAT_VERSION + ", file=" + path);
        }
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        final long end = header.getLong(END_OFFSET);
        final long rootOffset = header.getLong(ROOT_OFFSET_OFFSET);
        if (HEADER_LENGTH != headerLength || end < HEADER_LENGTH || (rootOffset != NO_ROOT && rootOffset >= end))
        {
            throw new CorruptStoreException("inconsistent store header: headerLength=" + headerLength + ", end=" +
                end + ", rootOffset=" + rootOffset + ", file=" + path);
        }
        previousState = header.getLong(STATE_OFFSET);
    }

    private static long readChunkSize(final Path path) throws IOException
    {
        try (var channel = java.nio.channels.FileChannel.open(path))
        {
            final java.nio.ByteBuffer bytes =
                java.nio.ByteBuffer.allocate(HEADER_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // read the whole header
            }
            if (bytes.position() < HEADER_LENGTH || MAGIC != bytes.getLong(MAGIC_OFFSET))
            {
                throw new CorruptStoreException("not a SlotKV store file: size=" + Files.size(path) +
                    ", magic=0x" + Long.toHexString(bytes.position() >= 8 ? bytes.getLong(0) : 0) + ", file=" + path);
            }
            return bytes.getLong(CHUNK_SIZE_OFFSET);
        }
    }

    private static void checkChunkSize(final long chunkSize, final Path path)
    {
        if (chunkSize < (1 << 16) || chunkSize > MAX_REGION_LENGTH || Long.bitCount(chunkSize) != 1)
        {
            throw new CorruptStoreException("chunk size must be a power of two from 64 KiB to 1 GiB: chunkSize=" +
                chunkSize + ", file=" + path);
        }
    }

    private static FileLock tryLock(final MappedFile file, final Path path) throws IOException
    {
        final FileLock lock;
        try
        {
            lock = file.tryLock(0, Long.MAX_VALUE, false);
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new StoreLockedException("store file is already open in this JVM: " + path);
        }
        if (null == lock)
        {
            throw new StoreLockedException("store file is locked by another process: " + path);
        }
        return lock;
    }

    private static long align(final long offset)
    {
        return (offset + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT;
    }

    /**
     * The mapped chunks. Released by the cleaner once the space and all its regions are unreachable: only then
     * can no thread address the memory any more.
     */
    private static final class Mapping implements Runnable, ReferenceOwner
    {
        private final MappedFile file;
        private final List<MappedBytesStore> chunks = new ArrayList<>();

        Mapping(final MappedFile file)
        {
            this.file = file;
        }

        MappedBytesStore chunk(final long chunkStart, final long chunkSize)
        {
            final int index = (int)(chunkStart / chunkSize);
            while (chunks.size() <= index)
            {
                chunks.add(null);
            }
            MappedBytesStore store = chunks.get(index);
            if (null == store)
            {
                try
                {
                    // Grow the (sparse) file ourselves: Chronicle would otherwise take a whole-file lock to grow
                    // it, which clashes with the exclusive lock this space holds.
                    final var raf = file.raf();
                    if (raf.length() < chunkStart + chunkSize)
                    {
                        raf.setLength(chunkStart + chunkSize);
                    }
                    store = acquire(chunkStart);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot map chunk at " + chunkStart + " of " + file.file(), ex);
                }
                chunks.set(index, store);
            }
            return store;
        }

        /**
         * Map one chunk. The kernel caps the mappings of a process ({@code vm.max_map_count}); mappings of stores
         * that are closed and unreachable are released only by their cleaners, so when the kernel refuses a
         * mapping, ask for a GC and retry for a while (as the JDK does for direct buffers) before giving up.
         */
        private MappedBytesStore acquire(final long chunkStart) throws IOException
        {
            long sleepMillis = 1;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return file.acquireByteStore(this, chunkStart);
                }
                catch (final IOException | RuntimeException | OutOfMemoryError ex)
                {
                    if (attempt == MAP_ATTEMPTS || !isMapFailure(ex))
                    {
                        throw ex;
                    }
                }
                System.gc();
                try
                {
                    Thread.sleep(sleepMillis);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting to map chunk at " + chunkStart, ex);
                }
                sleepMillis *= 2;
            }
        }

        private static boolean isMapFailure(final Throwable ex)
        {
            for (Throwable t = ex; null != t; t = t.getCause())
            {
                if (t instanceof OutOfMemoryError)
                {
                    return true;
                }
            }
            return false;
        }

        @Override
        public synchronized void run()
        {
            for (final MappedBytesStore store : chunks)
            {
                if (null != store)
                {
                    store.release(this);
                }
            }
            chunks.clear();
            file.releaseLast();
        }
    }
}
