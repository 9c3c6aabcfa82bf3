package io.slotkv.core.memory;

import io.slotkv.core.jvm.JvmAccess;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static io.slotkv.core.memory.FileHeaderDescriptor.*;

/**
 * A store file mapped into memory in fixed-size chunks.
 * <p>
 * The file starts with a {@link FileHeaderDescriptor header}; regions are allocated after it, 64-byte aligned,
 * and never straddle a chunk boundary, so each region is one contiguous range of one mapping. Files may be far
 * larger than 2 GiB: each chunk is its own mapping. Disk space is reserved ({@code fallocate}) before a region is
 * handed out, so a full disk is a {@link DiskFullException} at allocation, never a SIGBUS when memory is written.
 * <p>
 * <b>Ownership.</b> Opening takes a {@code flock} lock on the file itself (its device and inode, whatever path,
 * symlink or hard link named it): exclusive for writing, shared for {@link OpenMode#READ_ONLY} and
 * {@link OpenMode#PRIVATE}. Only closing this
 * space's own descriptor drops it, so copying the open file or a refused second open cannot unlock it. The lock is
 * taken before the file is read, and the open then checks that the path still names the locked file.
 * <p>
 * <b>Nothing from the file is trusted:</b> the header is read and checked with plain reads before anything is
 * mapped, and a refused open changes nothing in the file. Chunks stay mapped until the space and every region of
 * it are unreachable, so a thread still inside an operation never touches unmapped memory; {@link #close()}
 * syncs, marks the file cleanly closed and unlocks it.
 * <p>
 * <b>A private copy</b> ({@link OpenMode#PRIVATE}) opens the file read-only and maps each chunk copy-on-write over
 * anonymous memory: the part of the chunk inside the file shows the file's bytes, the rest zeros, so space
 * allocated past the file's end is addressable without extending the file (no SIGBUS past its end). Nothing this
 * space does reaches the file: no {@code fallocate}, no truncation, no sync, and the header's state changes only in
 * the private copy.
 * <p>
 * <b>A staged file</b> ({@link #createStaged}) is a new file built in anonymous memory (transparent huge pages where
 * the kernel gives them) and written whole by {@link #close()}: one {@code fallocate} of the image, sequential
 * {@code pwrite}s, one sync. Until then the file is empty on disk, and {@link #abandon()} leaves it so. It is for a
 * file written by one thread from start to end, such as a backup: writing a mapped file's pages costs a page
 * fault, a journal entry and, at the sync, a write-protect fault each (about 10x the cost of the same bytes written
 * with {@code pwrite} on this project's VM), and the memory it needs is the file's size until the close.
 */
public final class MappedFileSpace implements MemorySpace
{
    /** Default mapping chunk: one chunk holds the largest region. */
    public static final long DEFAULT_CHUNK_SIZE = MAX_REGION_LENGTH;

    /** Smallest mapping chunk. */
    public static final long MIN_CHUNK_SIZE = 1 << 16;

    private static final System.Logger LOGGER = System.getLogger(MappedFileSpace.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    /** Tries to open a path that keeps being replaced by another file between opening and locking it. */
    private static final int OPEN_ATTEMPTS = 5;

    /** Files open for writing in this JVM, by identity: only for a clearer message (the flock keeps them apart). */
    private static final ConcurrentHashMap<Object, Path> WRITERS = new ConcurrentHashMap<>();

    /** How many spaces of each file (by identity) in this JVM still have their chunks mapped. */
    private static final ConcurrentHashMap<Object, Integer> MAPPED = new ConcurrentHashMap<>();

    private final Path path;
    private final Object fileKey;
    private final boolean readOnly;
    /** Copy-on-write: writable in memory, never written back ({@link OpenMode#PRIVATE}). */
    private final boolean privateCopy;
    /** A new file built in anonymous memory and written whole by {@link #close()} ({@link #createStaged}). */
    private final boolean staged;
    private final boolean created;
    private final long chunkSize;
    private final int fd;
    private final FileChannel channel;
    private final Mapping mapping;
    private final UnsafeBuffer header;
    private final long previousState;
    private final List<long[]> free = new ArrayList<>();
    private long truncateTo = -1;
    private boolean dirty;
    private boolean closed;

    private MappedFileSpace(final Path path, final Object fileKey, final int fd, final OpenMode mode,
        final long requestedChunkSize, final boolean staged) throws IOException
    {
        this.path = path;
        this.fileKey = fileKey;
        this.fd = fd;
        this.readOnly = OpenMode.READ_ONLY == mode;
        this.privateCopy = OpenMode.PRIVATE == mode;
        this.staged = staged;
        this.channel = readOnly || privateCopy ?
            FileChannel.open(Posix.descriptorPath(fd), StandardOpenOption.READ) :
            FileChannel.open(Posix.descriptorPath(fd), StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            final long size = channel.size();
            if (staged && 0 != size)
            {
                throw new IllegalArgumentException("a staged store file must be new (absent or empty): size=" + size +
                    ", file=" + path);
            }
            if (0 == size)
            {
                if (OpenMode.CREATE_OR_OPEN != mode)
                {
                    throw new CorruptStoreException("store file is empty: size=0 (a store whose creation never " +
                        "wrote its header, or not a store); open it with OpenMode.CREATE_OR_OPEN to make it a new " +
                        "store, file=" + path);
                }
                checkChunkSize(requestedChunkSize, "requested");
                if (!staged)
                {
                    writeNewHeader(requestedChunkSize);
                }
                this.chunkSize = requestedChunkSize;
                this.previousState = STATE_CLOSED;
                this.created = true;
            }
            else
            {
                final ByteBuffer bytes = readHeader(size);
                this.chunkSize = bytes.getLong(CHUNK_SIZE_OFFSET);
                this.previousState = bytes.getLong(STATE_OFFSET);
                this.created = false;
                final long end = bytes.getLong(END_OFFSET);
                if (size > end && !readOnly && !privateCopy)
                {
                    truncateTo = end; // nothing past end is ours: drop it (at the first write) so new space is zero
                }
                if (readOnly && STATE_CLOSED != previousState)
                {
                    throw new IllegalStateException("store file was not closed cleanly and needs recovery, which a " +
                        "read-only open cannot run: open it for writing once, file=" + path);
                }
            }
            this.mapping = new Mapping(fileKey, chunkSize, privateCopy ? size : staged ? 0 : -1);
            MAPPED.merge(fileKey, 1, Integer::sum);
            CLEANER.register(this, mapping);
            this.header = new UnsafeBuffer(chunkAddress(0), HEADER_LENGTH);
            if (staged)
            {
                header.putBytes(0, newHeader(chunkSize), 0, HEADER_LENGTH);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Open the store file at {@code path}.
     *
     * @param path      of the file; symlinks and hard links name the same store.
     * @param mode      create-or-open, open an existing store, or read-only.
     * @param chunkSize of the mappings for a new file, a power of two from 64 KiB to 1 GiB; an existing file
     *                  keeps the chunk size it was created with.
     * @return the open space, holding the file's lock until {@link #close()} or {@link #abandon()}.
     * @throws IllegalStateException if the JVM lacks the flags for native memory access or denies it (see
     *                               {@link JvmAccess#requireFileMappingAccess()}), or, read-only, if the file was not
     *                               closed cleanly and needs the recovery only a writable open runs.
     * @throws StoreLockedException  if another process or space holds the file (or, read-only, a writer does).
     * @throws CorruptStoreException if the file is not a SlotKV store or its header is inconsistent (the message
     *                               names the field, its value and the allowed range); the file is unchanged.
     * @throws UncheckedIOException  if the file cannot be read, created or mapped, or does not exist (open-existing
     *                               and read-only modes: the cause is a {@link NoSuchFileException}).
     */
    public static MappedFileSpace open(final Path path, final OpenMode mode, final long chunkSize)
    {
        return open(path, mode, chunkSize, false);
    }

    private static MappedFileSpace open(final Path path, final OpenMode mode, final long chunkSize,
        final boolean staged)
    {
        JvmAccess.requireFileMappingAccess();
        try
        {
            for (int attempt = 1; attempt <= OPEN_ATTEMPTS; attempt++)
            {
                final MappedFileSpace space = tryOpen(path, mode, chunkSize, staged);
                if (null != space)
                {
                    return space;
                }
            }
            throw new StoreLockedException("store file keeps being replaced while it is opened: " + path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open store file: " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Open with {@link OpenMode#CREATE_OR_OPEN}; the exceptions are those of {@link #open(Path, OpenMode, long)}.
     *
     * @param path      of the file, created if absent or empty.
     * @param chunkSize of the mappings for a new file, a power of two from 64 KiB to 1 GiB; an existing file
     *                  keeps the chunk size it was created with.
     * @return the open space, holding the file's lock until {@link #close()} or {@link #abandon()}.
     */
    public static MappedFileSpace open(final Path path, final long chunkSize)
    {
        return open(path, OpenMode.CREATE_OR_OPEN, chunkSize);
    }

    /**
     * Open with {@link OpenMode#CREATE_OR_OPEN} and, for a new file, {@link #DEFAULT_CHUNK_SIZE}; the exceptions are
     * those of {@link #open(Path, OpenMode, long)}.
     *
     * @param path of the file, created if absent or empty.
     * @return the open space, holding the file's lock until {@link #close()} or {@link #abandon()}.
     */
    public static MappedFileSpace open(final Path path)
    {
        return open(path, OpenMode.CREATE_OR_OPEN, DEFAULT_CHUNK_SIZE);
    }

    /**
     * Create a staged store file: a new file built in memory and written whole, then synced, by {@link #close()}
     * (see the class comment). Disk space is reserved at the close, so a full disk is a {@link DiskFullException}
     * from it (the file is then incomplete: delete it); {@link #abandon()} writes nothing. The file is locked as
     * for writing from now on.
     *
     * @param path      of the file: absent or empty.
     * @param chunkSize of the mappings, as for {@link #open(Path, OpenMode, long)}.
     * @return the open space, holding the file's lock until {@link #close()} or {@link #abandon()}.
     * @throws IllegalArgumentException if the file exists and is not empty (it is unchanged).
     * @throws StoreLockedException     if another process or space holds the file.
     * @throws UncheckedIOException     if the file cannot be created or memory for it cannot be mapped.
     */
    public static MappedFileSpace createStaged(final Path path, final long chunkSize)
    {
        return open(path, OpenMode.CREATE_OR_OPEN, chunkSize, true);
    }

    /**
     * Put the file {@code replacement} in place of the store file {@code target} atomically, holding
     * {@code target}'s lock meanwhile, so a store that is open (in this JVM or another process) is refused rather
     * than swapped under its owner. The rename replaces the directory entry in one step: a crash leaves the old file
     * or the new one under the name, never a part of either; the directory is synced afterwards. A process that
     * opens {@code target} meanwhile is refused by the lock or opens the new file.
     *
     * @param replacement a complete, synced file in {@code target}'s directory (a rename cannot cross file systems).
     * @param target      the store file to replace; it need not exist, nor be a valid store.
     * @throws StoreLockedException if a store holds {@code target} open (nothing changed).
     * @throws UncheckedIOException if the lock or the rename fails (nothing changed).
     */
    public static void replace(final Path replacement, final Path target)
    {
        try
        {
            final Path real = realPath(target, true);
            final Object existingKey = fileKeyOrNull(real);
            int fd = -1;
            if (null != existingKey)
            {
                refuseIfWrittenHere(existingKey, real);
                fd = Posix.open(real, Posix.O_RDONLY);
                if (!Posix.tryLock(fd, true, real))
                {
                    Posix.close(fd);
                    throw new StoreLockedException("store file is open in another process: " + real);
                }
            }
            try
            {
                java.nio.file.Files.move(replacement, real, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                final Path parent = real.getParent();
                if (null != parent)
                {
                    try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ))
                    {
                        dir.force(true);
                    }
                }
            }
            finally
            {
                if (fd >= 0)
                {
                    release(fd, null);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot replace store file " + target + " with " + replacement + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return the space, or null if the path named another file by the time it was locked (try again).
     */
    private static MappedFileSpace tryOpen(final Path path, final OpenMode mode, final long chunkSize,
        final boolean staged) throws IOException
    {
        final boolean readOnly = OpenMode.READ_ONLY == mode || OpenMode.PRIVATE == mode; // of the file itself
        final boolean mayCreate = OpenMode.CREATE_OR_OPEN == mode;
        final Path real = realPath(path, mayCreate);
        final Object existingKey = fileKeyOrNull(real);
        if (null != existingKey)
        {
            refuseIfWrittenHere(existingKey, real); // before a descriptor is opened
        }
        final int fd = Posix.open(real, readOnly ? Posix.O_RDONLY : Posix.O_RDWR | (mayCreate ? Posix.O_CREAT : 0));
        Object registered = null;
        try
        {
            final Object key = Posix.fileKey(fd);
            if (!readOnly)
            {
                final Path other = WRITERS.putIfAbsent(key, real);
                if (null != other)
                {
                    throw new StoreLockedException("store file is already open for writing in this JVM: " + real +
                        (other.equals(real) ? "" : " (the same file as " + other + ")"));
                }
                registered = key;
            }
            else
            {
                refuseIfWrittenHere(key, real);
            }
            if (!Posix.tryLock(fd, !readOnly, real))
            {
                throw new StoreLockedException(readOnly ?
                    "store file is open for writing by another process: " + real :
                    "store file is locked by another process: " + real);
            }
            if (!key.equals(fileKeyOrNull(real)))
            {
                release(fd, registered); // replaced (renamed over, deleted) between open and lock
                return null;
            }
            return new MappedFileSpace(real, key, fd, mode, chunkSize, staged);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            release(fd, registered);
            throw ex;
        }
    }

    private static void refuseIfWrittenHere(final Object key, final Path real)
    {
        final Path other = WRITERS.get(key);
        if (null != other)
        {
            throw new StoreLockedException("store file is already open for writing in this JVM: " + real +
                (other.equals(real) ? "" : " (the same file as " + other + ")"));
        }
    }

    private static void release(final int fd, final Object registered)
    {
        Posix.unlock(fd);
        Posix.close(fd);
        if (null != registered)
        {
            WRITERS.remove(registered);
        }
    }

    private static Path realPath(final Path path, final boolean mayCreate) throws IOException
    {
        final Path absolute = path.toAbsolutePath().normalize();
        if (Files.exists(absolute))
        {
            return absolute.toRealPath();
        }
        if (!mayCreate)
        {
            throw new NoSuchFileException(absolute.toString(), null, "no store file there");
        }
        final Path parent = absolute.getParent();
        return null == parent ? absolute : parent.toRealPath().resolve(absolute.getFileName());
    }

    private static Object fileKeyOrNull(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * Whether this open wrote a new header, so the store holds nothing yet.
     *
     * @return true if this open created the store (the file was absent or empty).
     */
    public boolean created()
    {
        return created;
    }

    @Override
    public boolean wasClosedCleanly()
    {
        return STATE_CLOSED == previousState;
    }

    @Override
    public boolean isReadOnly()
    {
        return readOnly;
    }

    /**
     * The file this space locked and maps, for messages.
     *
     * @return the real path of the file (symlinks resolved).
     */
    public Path path()
    {
        return path;
    }

    /**
     * The size of each mapping, fixed when the file was created: no region is longer, and none straddles a
     * multiple of it.
     *
     * @return the chunk size in bytes, a power of two from {@link #MIN_CHUNK_SIZE} to {@link #DEFAULT_CHUNK_SIZE}.
     */
    public long chunkSize()
    {
        return chunkSize;
    }

    /**
     * The header's end of allocated space, which grows with each region appended to the file.
     *
     * @return the end of the allocated space: the file's logical size.
     */
    public synchronized long end()
    {
        return header.getLongVolatile(END_OFFSET);
    }

    @Override
    public synchronized MemoryRegion allocate(final int length)
    {
        MemorySpace.checkRegionLength(length);
        ensureWritable();
        if (length > chunkSize)
        {
            throw new IllegalArgumentException(
                "region longer than the file's chunk size: length=" + length + ", chunkSize=" + chunkSize);
        }
        markDirty();
        final MemoryRegion reused = allocateFromFreeSpace(length);
        if (null != reused)
        {
            return reused;
        }
        final long start = placement(align(header.getLongVolatile(END_OFFSET)), length);
        final MemoryRegion region = regionAt(start, length); // maps the chunk if needed: may fail, nothing changed
        reserve(start, length);
        if (privateCopy)
        {
            region.setZero(0, length); // a private copy keeps the file's bytes past its end (never truncated)
        }
        // the new end is recorded before the region is used, so space is never handed out twice; space past the
        // old end was never written (the open truncated the file to it), so the region reads zero
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
        final long end = header.getLongVolatile(END_OFFSET);
        if (offset < HEADER_LENGTH || (offset & (REGION_ALIGNMENT - 1)) != 0 || length <= 0 ||
            length > chunkSize || offset > end || length > end - offset ||
            offset / chunkSize != (offset + length - 1) / chunkSize)
        {
            throw new CorruptStoreException("region outside the store: offset=" + offset + ", length=" + length +
                ", allowed: 64-byte aligned, within [" + HEADER_LENGTH + ", end=" + end + ") and one chunk of " +
                chunkSize + " bytes, file=" + path);
        }
        return regionAt(offset, length);
    }

    @Override
    public synchronized long rootOffset()
    {
        return header.getLongVolatile(ROOT_OFFSET_OFFSET);
    }

    @Override
    public synchronized void root(final MemoryRegion region)
    {
        ensureWritable();
        header.putLongVolatile(ROOT_OFFSET_OFFSET, region.offset());
    }

    @Override
    public boolean isPersistent()
    {
        return true;
    }

    @Override
    public synchronized void markDirty()
    {
        ensureWritable();
        if (dirty)
        {
            return;
        }
        try
        {
            if (truncateTo >= 0)
            {
                Posix.ftruncate(fd, truncateTo, path);
                truncateTo = -1;
            }
            header.putLongVolatile(STATE_OFFSET, STATE_OPEN);
            if (!privateCopy && !staged)
            {
                channel.force(true); // the next open must see the file as open before anything else is written
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot mark store file open: " + path, ex);
        }
        dirty = true;
    }

    @Override
    public synchronized void reuseSpaceOutside(final List<MemoryRegion> live)
    {
        ensureWritable();
        if (MAPPED.getOrDefault(fileKey, 0) > 1)
        {
            // an earlier space of this file in this JVM is still mapped: a thread may still read its old tables
            return;
        }
        final List<MemoryRegion> sorted = new ArrayList<>(live);
        sorted.sort(Comparator.comparingLong(MemoryRegion::offset));
        free.clear();
        long from = HEADER_LENGTH;
        for (final MemoryRegion region : sorted)
        {
            if (region.offset() > from)
            {
                free.add(new long[]{from, region.offset() - from});
            }
            from = Math.max(from, region.offset() + region.length());
        }
        final long end = header.getLongVolatile(END_OFFSET);
        if (end > from)
        {
            free.add(new long[]{from, end - from});
        }
    }

    /**
     * Hand the region's file space out again (zeroed when it is). Kept in offset order and merged with its
     * neighbours, so churn of same-sized tables reuses the same few ranges.
     */
    @Override
    public synchronized void release(final MemoryRegion region)
    {
        if (closed || readOnly || region.backing() != this)
        {
            return;
        }
        long start = region.offset();
        long end = start + region.length();
        int at = 0;
        while (at < free.size() && free.get(at)[0] < start)
        {
            at++;
        }
        if (at > 0 && free.get(at - 1)[0] + free.get(at - 1)[1] == start)
        {
            at--;
            start = free.remove(at)[0];
        }
        if (at < free.size() && free.get(at)[0] == end)
        {
            final long[] after = free.remove(at);
            end = after[0] + after[1];
        }
        free.add(at, new long[]{start, end - start});
    }

    /**
     * The free space known to this space: what {@link #reuseSpaceOutside} found and {@link #release} returned,
     * not yet handed out again.
     *
     * @return the bytes of the file between live regions that allocation can hand out again.
     */
    public synchronized long reusableBytes()
    {
        long bytes = 0;
        for (final long[] gap : free)
        {
            bytes += gap[1];
        }
        return bytes;
    }

    @Override
    public void willRead(final MemoryRegion region)
    {
        Posix.populateForRead(region.address(), region.length());
    }

    @Override
    public synchronized void sync()
    {
        if (!closed && !readOnly)
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
            if (staged)
            {
                header.putLongVolatile(STATE_OFFSET, STATE_CLOSED);
                writeImage();
            }
            else if (dirty)
            {
                force();
                header.putLongVolatile(STATE_OFFSET, STATE_CLOSED);
                force();
            }
        }
        finally
        {
            releaseAll();
        }
    }

    /**
     * A staged file's one write: reserve the image's disk space, write {@code [0, end)} chunk by chunk, sync. The
     * file is complete only once this returns; until the sync, a crash can leave any part of it.
     */
    private void writeImage()
    {
        final long end = header.getLongVolatile(END_OFFSET);
        reserveOnDisk(0, end); // a full disk is refused here, before anything is written
        for (long start = 0; start < end; start += chunkSize)
        {
            final long length = Math.min(chunkSize, end - start);
            final int errno = Posix.pwriteFully(fd, chunkAddress(start / chunkSize), length, start);
            if (0 != errno)
            {
                throw Posix.ENOSPC == errno || Posix.EDQUOT == errno ?
                    new DiskFullException("no disk space to write " + length + " bytes at offset " + start +
                        ": errno=" + errno + " (" + Posix.errorText(errno) + "), file=" + path) :
                    new UncheckedIOException(new IOException("pwrite failed: errno=" + errno + " (" +
                        Posix.errorText(errno) + "), offset=" + start + ", length=" + length + ", file=" + path));
            }
        }
        try
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot sync store file " + path, ex);
        }
    }

    @Override
    public synchronized void abandon()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (dirty)
            {
                force(); // leave recovery as much as there is; the state stays open
            }
        }
        finally
        {
            releaseAll();
        }
    }

    private void releaseAll()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the lock goes with the descriptor below
        }
        finally
        {
            release(fd, readOnly || privateCopy ? null : fileKey);
        }
    }

    @Override
    public String toString()
    {
        return "MappedFileSpace{path=" + path + ", chunkSize=" + chunkSize + (readOnly ? ", read-only" : "") +
            (privateCopy ? ", private copy" : "") + (staged ? ", staged" : "") + '}';
    }

    private MemoryRegion allocateFromFreeSpace(final int length)
    {
        for (int i = 0; i < free.size(); i++)
        {
            final long[] gap = free.get(i);
            final long start = placement(align(gap[0]), length);
            final long gapEnd = gap[0] + gap[1];
            if (start + length <= gapEnd)
            {
                final MemoryRegion region = regionAt(start, length);
                reserve(start, length); // a gap can hold holes (chunk skips): reserve them too
                free.remove(i);
                if (gapEnd > start + length)
                {
                    free.add(i, new long[]{start + length, gapEnd - start - length});
                }
                if (start > gap[0])
                {
                    free.add(i, new long[]{gap[0], start - gap[0]});
                }
                region.setZero(0, length); // old contents: zero before anyone can see it
                return region;
            }
        }
        return null;
    }

    private long placement(final long start, final int length)
    {
        if (start / chunkSize != (start + length - 1) / chunkSize)
        {
            return (start / chunkSize + 1) * chunkSize; // never straddle a chunk: skip to the next one
        }
        return start;
    }

    private void reserve(final long start, final int length)
    {
        if (privateCopy || staged)
        {
            return; // anonymous memory (past a private copy's file end, or until a staged file's close)
        }
        reserveOnDisk(start, length);
    }

    private void reserveOnDisk(final long start, final long length)
    {
        final int errno = Posix.fallocate(fd, start, length);
        if (0 == errno)
        {
            return;
        }
        if (Posix.ENOSPC == errno || Posix.EDQUOT == errno)
        {
            throw new DiskFullException("no disk space for " + length + " bytes at offset " + start + ": errno=" +
                errno + " (" + Posix.errorText(errno) + "), file=" + path);
        }
        if (Posix.EOPNOTSUPP == errno)
        {
            // a file system without fallocate: extend sparsely (writes can then meet a full disk as SIGBUS)
            try
            {
                if (channel.size() < start + length)
                {
                    Posix.ftruncate(fd, start + length, path);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot extend store file: " + path, ex);
            }
            LOGGER.log(System.Logger.Level.WARNING, "file system cannot reserve space (fallocate unsupported): " +
                "a full disk may crash the JVM, file=" + path);
            return;
        }
        throw new UncheckedIOException(new IOException("fallocate failed: errno=" + errno + " (" +
            Posix.errorText(errno) + "), offset=" + start + ", length=" + length + ", file=" + path));
    }

    private MemoryRegion regionAt(final long offset, final int length)
    {
        final long chunkStart = (offset / chunkSize) * chunkSize;
        return new MemoryRegion(chunkAddress(offset / chunkSize) + (offset - chunkStart), length, offset, this);
    }

    private long chunkAddress(final long index)
    {
        if (index > Integer.MAX_VALUE)
        {
            throw new CorruptStoreException("chunk index out of range: index=" + index + ", file=" + path);
        }
        return mapping.chunk((int)index, fd, !readOnly, path);
    }

    private void force()
    {
        if (privateCopy || staged)
        {
            return; // nothing of a private copy reaches the file; a staged one is written at its close
        }
        try
        {
            // fsync writes back every dirty page of the file, those dirtied through the mappings too
            channel.force(true);
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

    private void ensureWritable()
    {
        ensureOpen();
        if (readOnly)
        {
            throw new IllegalStateException("store file is open read-only: " + path);
        }
    }

    /**
     * @return the header of a new, empty store file: closed, nothing allocated, no root.
     */
    private static ByteBuffer newHeader(final long chunk)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(MAGIC_OFFSET, MAGIC);
        bytes.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        bytes.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        bytes.putLong(CHUNK_SIZE_OFFSET, chunk);
        bytes.putLong(END_OFFSET, HEADER_LENGTH);
        bytes.putLong(ROOT_OFFSET_OFFSET, NO_ROOT);
        bytes.putLong(STATE_OFFSET, STATE_CLOSED);
        return bytes;
    }

    private void writeNewHeader(final long chunk) throws IOException
    {
        final ByteBuffer bytes = newHeader(chunk);
        // one write: a creation killed here leaves an empty file or this whole header, never a part of it
        while (bytes.hasRemaining())
        {
            channel.write(bytes, bytes.position());
        }
        channel.force(true);
        final Path parent = path.getParent();
        if (null != parent)
        {
            try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ))
            {
                dir.force(true); // the new directory entry survives a power loss too
            }
            catch (final IOException ignore)
            {
                // some file systems cannot sync a directory; the file itself is synced
            }
        }
    }

    private ByteBuffer readHeader(final long size) throws IOException
    {
        if (size < HEADER_LENGTH)
        {
            throw corrupt("file too short for a store header", "size", size, "at least " + HEADER_LENGTH);
        }
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0)
        {
            // read the whole header
        }
        final long magic = bytes.getLong(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw corrupt("not a SlotKV store file", "magic", "0x" + Long.toHexString(magic),
                "0x" + Long.toHexString(MAGIC));
        }
        final int version = bytes.getInt(FORMAT_VERSION_OFFSET);
        if (FORMAT_VERSION_1 == version)
        {
            throw new CorruptStoreException("store format version 1 (SlotKV 0.1, written without crash recovery) " +
                "is not supported: this version reads version " + FORMAT_VERSION + "; re-create the store, file=" +
                path);
        }
        if (FORMAT_VERSION_2 == version)
        {
            throw new CorruptStoreException("store format version 2 (SlotKV 0.2: unseeded key hash, sign-flipped " +
                "values) is not supported: this version reads version " + FORMAT_VERSION + "; export the entries " +
                "with SlotKV 0.2 and re-create the store, file=" + path);
        }
        if (FORMAT_VERSION_3 == version)
        {
            throw new CorruptStoreException("store format version 3 (a SlotKV development build: tables without the " +
                "absent-key filter) is not supported: this version reads version " + FORMAT_VERSION + "; export " +
                "the entries with the build that wrote it and re-create the store, file=" + path);
        }
        if (FORMAT_VERSION != version)
        {
            throw corrupt("unsupported store format version", "version", version, String.valueOf(FORMAT_VERSION));
        }
        final int headerLength = bytes.getInt(HEADER_LENGTH_OFFSET);
        if (HEADER_LENGTH != headerLength)
        {
            throw corrupt("inconsistent store header", "headerLength", headerLength, String.valueOf(HEADER_LENGTH));
        }
        checkChunkSize(bytes.getLong(CHUNK_SIZE_OFFSET), "chunkSize");
        final long end = bytes.getLong(END_OFFSET);
        if (end < HEADER_LENGTH || end > size)
        {
            throw corrupt(end > size ? "store file is shorter than its allocated space (truncated?)" :
                "inconsistent store header", "end", end, "[" + HEADER_LENGTH + ", file size " + size + "]");
        }
        final long rootOffset = bytes.getLong(ROOT_OFFSET_OFFSET);
        if (NO_ROOT != rootOffset &&
            (rootOffset < HEADER_LENGTH || rootOffset >= end || (rootOffset & (REGION_ALIGNMENT - 1)) != 0))
        {
            throw corrupt("inconsistent store header", "rootOffset", rootOffset,
                "-1 or 64-byte aligned in [" + HEADER_LENGTH + ", end=" + end + ")");
        }
        final long state = bytes.getLong(STATE_OFFSET);
        if (STATE_CLOSED != state && STATE_OPEN != state)
        {
            throw corrupt("inconsistent store header", "state", state, STATE_CLOSED + " (closed) or " + STATE_OPEN +
                " (open)");
        }
        return bytes;
    }

    private void checkChunkSize(final long chunk, final String field)
    {
        if (chunk < MIN_CHUNK_SIZE || chunk > MAX_REGION_LENGTH || Long.bitCount(chunk) != 1)
        {
            throw corrupt("chunk size out of range", field, chunk, "a power of two from 64 KiB to 1 GiB");
        }
    }

    private CorruptStoreException corrupt(final String what, final String field, final Object value, final String allowed)
    {
        return new CorruptStoreException(what + ": " + field + "=" + value + ", allowed: " + allowed + ", file=" + path);
    }

    private static long align(final long offset)
    {
        return (offset + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT;
    }

    /**
     * The mapped chunks. Unmapped by the cleaner once the space and all its regions are unreachable: only then
     * can no thread address the memory any more.
     */
    private static final class Mapping implements Runnable
    {
        private final Object fileKey;
        private final long chunkSize;
        /** The file's length for a private copy ({@link OpenMode#PRIVATE}), else -1: chunks are shared mappings. */
        private final long privateFileLength;
        private long[] addresses = new long[4];

        Mapping(final Object fileKey, final long chunkSize, final long privateFileLength)
        {
            this.fileKey = fileKey;
            this.chunkSize = chunkSize;
            this.privateFileLength = privateFileLength;
        }

        synchronized long chunk(final int index, final int fd, final boolean writable, final Path path)
        {
            if (index >= addresses.length)
            {
                addresses = java.util.Arrays.copyOf(addresses, Math.max(index + 1, 2 * addresses.length));
            }
            long address = addresses[index];
            if (0 == address)
            {
                address = map((long)index * chunkSize, fd, writable, path);
                addresses[index] = address;
            }
            return address;
        }

        /**
         * Map one chunk (past the end of the file is fine: only allocated space is ever touched). The kernel caps
         * the mappings of a process ({@code vm.max_map_count}); mappings of stores that are closed and unreachable
         * are released only by their cleaners, so when the kernel refuses, ask for a GC and retry for a while (as
         * the JDK does for direct buffers) before giving up.
         */
        private long map(final long offset, final int fd, final boolean writable, final Path path)
        {
            final long address = Posix.mapRetrying(() -> privateFileLength >= 0 ?
                Posix.mmapFilePrivate(fd, offset, chunkSize, privateFileLength) :
                Posix.mmapFile(fd, offset, chunkSize, writable));
            if (address <= 0)
            {
                final int errno = (int)-address;
                throw new UncheckedIOException(new IOException("cannot map chunk at " + offset + " of " + path +
                    ": errno=" + errno + " (" + Posix.errorText(errno) + ")"));
            }
            if (privateFileLength >= 0 && privateFileLength <= offset)
            {
                // anonymous memory only (a staged file, or a private copy past its file's end): a fault per 2 MiB
                // instead of per 4 KiB where the kernel has huge pages; a refusal leaves small pages
                Posix.advise(address, chunkSize, Posix.MADV_HUGEPAGE);
            }
            return address;
        }

        @Override
        public synchronized void run()
        {
            for (final long address : addresses)
            {
                if (0 != address)
                {
                    Posix.unmap(address, chunkSize);
                }
            }
            addresses = new long[0];
            MAPPED.computeIfPresent(fileKey, (key, count) -> count > 1 ? count - 1 : null);
        }
    }
}
