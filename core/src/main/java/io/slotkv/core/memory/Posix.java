package io.slotkv.core.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import net.openhft.posix.PosixAPI;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The system calls a store file needs, with errors turned into {@link IOException}s that carry the errno text.
 * Most go through Chronicle's posix library ({@link PosixAPI}); {@code flock}, which it lacks, and
 * {@code fallocate}, whose errno it loses, go through JNA (the library posix itself brings).
 * <p>
 * Why {@code flock} and not {@code fcntl}/{@code lockf} record locks (what {@code FileChannel.lock} uses): a
 * record lock belongs to the process and is dropped when the process closes <em>any</em> descriptor of the file,
 * so {@code Files.copy} of an open store, or a refused second open through a hard link, silently unlocked it. A
 * {@code flock} lock belongs to the open file description this class created, and only closing that one drops it.
 */
final class Posix
{
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_CLOEXEC = 02000000;

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_FIXED = 0x10;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final long MAP_FAILED = -1;

    static final int LOCK_SH = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int LOCK_UN = 8;

    static final int MADV_WILLNEED = 3;
    static final int MADV_DONTNEED = 4;
    static final int MADV_HUGEPAGE = 14;
    static final int MADV_POPULATE_READ = 22;
    static final int MADV_POPULATE_WRITE = 23;
    static final long PAGE_SIZE = 4096;

    static final int EINTR = 4;
    static final int EWOULDBLOCK = 11;
    static final int ENOMEM = 12;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;
    static final int EOPNOTSUPP = 95;

    static
    {
        Native.register(Posix.class, NativeLibrary.getInstance("c"));
    }

    /**
     * Chronicle's posix (JNR) only for what opening a file needs: loaded on first use, so anonymous memory, which
     * needs only the direct JNA calls, never loads it (nor the classes JNR generates at run time).
     */
    private static final class Jnr
    {
        static final PosixAPI POSIX = PosixAPI.posix();
    }

    private Posix()
    {
    }

    private static native int flock(int fd, int operation) throws LastErrorException;

    private static native long mmap(long address, long length, int prot, int flags, int fd, long offset)
        throws LastErrorException;

    private static native int munmap(long address, long length) throws LastErrorException;

    private static native int madvise(long address, long length, int advice) throws LastErrorException;

    private static native String strerror(int errno);

    /** Direct: PosixAPI has no mincore. One byte per page of {@code [address, address + length)}. */
    private static native int mincore(long address, long length, byte[] residency) throws LastErrorException;

    /** Direct, not through PosixAPI: its fallocate retries and falls back on failure, losing the errno. */
    private static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    private static native long pwrite(int fd, long address, long count, long offset) throws LastErrorException;

    /**
     * @return the descriptor.
     */
    static int open(final Path path, final int flags) throws IOException
    {
        final int fd = Jnr.POSIX.open(path.toString(), flags | O_CLOEXEC, 0644);
        if (fd < 0)
        {
            throw error("open", path);
        }
        return fd;
    }

    static void close(final int fd)
    {
        Jnr.POSIX.close(fd); // nothing to do about a failed close of a descriptor we only read or locked
    }

    /**
     * @return true if the lock was taken, false if another open file description holds a conflicting one.
     */
    static boolean tryLock(final int fd, final boolean exclusive, final Path path) throws IOException
    {
        try
        {
            flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
            return true;
        }
        catch (final LastErrorException ex)
        {
            if (EWOULDBLOCK == ex.getErrorCode())
            {
                return false;
            }
            throw new IOException("flock failed: errno=" + ex.getErrorCode() + " (" +
                strerror(ex.getErrorCode()) + "), file=" + path, ex);
        }
    }

    static void unlock(final int fd)
    {
        try
        {
            flock(fd, LOCK_UN);
        }
        catch (final LastErrorException ignore)
        {
            // closing the descriptor right after drops the lock anyway
        }
    }

    /**
     * Reserve disk blocks for {@code [offset, offset + length)}, extending the file if needed.
     *
     * @return 0, or the errno.
     */
    static int fallocate(final int fd, final long offset, final long length)
    {
        try
        {
            fallocate(fd, 0, offset, length);
            return 0;
        }
        catch (final LastErrorException ex)
        {
            return Math.max(1, ex.getErrorCode());
        }
    }

    /**
     * Write {@code [address, address + length)} to the file at {@code offset}, all of it (a short write is
     * continued).
     *
     * @return 0, or the errno of the call that failed.
     */
    static int pwriteFully(final int fd, final long address, final long length, final long offset)
    {
        long done = 0;
        while (done < length)
        {
            try
            {
                final long written = pwrite(fd, address + done, Math.min(length - done, 1 << 30), offset + done);
                if (written <= 0)
                {
                    return ENOSPC; // no progress: only a full device stops a regular file's write without an errno
                }
                done += written;
            }
            catch (final LastErrorException ex)
            {
                if (EINTR != ex.getErrorCode())
                {
                    return Math.max(1, ex.getErrorCode());
                }
            }
        }
        return 0;
    }

    static void ftruncate(final int fd, final long length, final Path path) throws IOException
    {
        if (0 != Jnr.POSIX.ftruncate(fd, length))
        {
            throw error("ftruncate to " + length, path);
        }
    }

    /**
     * Map {@code length} bytes of file {@code fd} from {@code offset}, shared.
     *
     * @return the address, or minus the errno.
     */
    static long mmapFile(final int fd, final long offset, final long length, final boolean writable)
    {
        return map(0, length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, offset);
    }

    /**
     * Map {@code length} bytes from {@code offset} of a file of {@code fileLength} bytes copy-on-write: anonymous
     * memory (zeros) with the file's pages from {@code offset} to its end laid over it, so no page of the range is
     * past the file's end (which would be a SIGBUS when touched). Writes stay in this process.
     *
     * @return the address, or minus the errno.
     */
    static long mmapFilePrivate(final int fd, final long offset, final long length, final long fileLength)
    {
        final long base = mmapAnonymous(length);
        if (base <= 0 || fileLength <= offset)
        {
            return base;
        }
        final long fileBytes = Math.min(length, (fileLength - offset + PAGE_SIZE - 1) & -PAGE_SIZE);
        final long overlay = map(base, fileBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, offset);
        if (overlay != base)
        {
            unmap(base, length);
            return overlay < 0 ? overlay : -ENOMEM;
        }
        return base;
    }

    private static long map(final long address, final long length, final int prot, final int flags, final int fd,
        final long offset)
    {
        try
        {
            final long mapped = mmap(address, length, prot, flags, fd, offset);
            return MAP_FAILED == mapped ? -ENOMEM : mapped;
        }
        catch (final LastErrorException ex)
        {
            return -Math.max(1, ex.getErrorCode());
        }
    }

    /** Tries to map when the kernel refuses: the GC and cleaners get 1 + 2 + ... + 256 ms to free some. */
    private static final int MAP_ATTEMPTS = 10;

    /**
     * Run {@code map} until it succeeds, retrying a refusal for want of mappings. The kernel caps the mappings of a
     * process ({@code vm.max_map_count}); mappings of regions that are unreachable are released only by their
     * cleaners, so on ENOMEM ask for a GC and retry for a while (as the JDK does for direct buffers).
     *
     * @param map a mapping call: an address, or minus the errno.
     * @return the address, or minus the errno of the last attempt.
     */
    static long mapRetrying(final java.util.function.LongSupplier map)
    {
        long sleepMillis = 1;
        for (int attempt = 1; ; attempt++)
        {
            final long address = map.getAsLong();
            if (address > 0)
            {
                return address;
            }
            if (attempt == MAP_ATTEMPTS || -ENOMEM != address)
            {
                return 0 == address ? -ENOMEM : address;
            }
            System.gc();
            try
            {
                Thread.sleep(sleepMillis);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return -ENOMEM;
            }
            sleepMillis *= 2;
        }
    }

    /**
     * Map {@code length} bytes of private anonymous memory (zero-filled by the kernel on first touch).
     *
     * @return the address, or minus the errno.
     */
    static long mmapAnonymous(final long length)
    {
        return map(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }

    /**
     * @return 0, or the errno.
     */
    static int advise(final long address, final long length, final int advice)
    {
        try
        {
            madvise(address, length, advice);
            return 0;
        }
        catch (final LastErrorException ex)
        {
            return Math.max(1, ex.getErrorCode());
        }
    }

    /**
     * @return the bytes of {@code [address, address + length)} (page aligned) resident in memory now, or -1 if the
     * kernel refuses to tell.
     */
    static long residentBytes(final long address, final long length)
    {
        final long pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        final int batch = 1 << 16;
        final byte[] residency = new byte[(int)Math.min(pages, batch)];
        long resident = 0;
        for (long page = 0; page < pages; page += batch)
        {
            final long count = Math.min(batch, pages - page);
            try
            {
                mincore(address + page * PAGE_SIZE, count * PAGE_SIZE, residency);
            }
            catch (final LastErrorException ex)
            {
                return -1;
            }
            for (int i = 0; i < count; i++)
            {
                resident += residency[i] & 1;
            }
        }
        return resident * PAGE_SIZE;
    }

    static void unmap(final long address, final long length)
    {
        try
        {
            munmap(address, length);
        }
        catch (final LastErrorException ignore)
        {
            // only an invalid range fails, and ranges come from mmap: nothing to do
        }
    }

    /**
     * Map the pages of {@code [address, address + length)} in ahead of reading them; a hint, errors ignored.
     */
    static void populateForRead(final long address, final long length)
    {
        final long start = address & -PAGE_SIZE;
        final long end = address + length;
        if (0 != advise(start, end - start, MADV_POPULATE_READ)) // Linux 5.14+
        {
            advise(start, end - start, MADV_WILLNEED);
        }
    }

    /**
     * @return the text of an errno.
     */
    static String errorText(final int errno)
    {
        return strerror(errno);
    }

    /**
     * @return the identity (device and inode) of the file an open descriptor refers to.
     */
    static Object fileKey(final int fd) throws IOException
    {
        return Files.readAttributes(descriptorPath(fd), BasicFileAttributes.class).fileKey();
    }

    /**
     * @return a path that opens the file of descriptor {@code fd} anew (a new open file description, so closing it
     * leaves the descriptor's lock alone).
     */
    static Path descriptorPath(final int fd)
    {
        return Path.of("/proc/self/fd/" + fd);
    }

    private static IOException error(final String call, final Path path)
    {
        final int errno = Jnr.POSIX.lastError();
        return new IOException(call + " failed: errno=" + errno + " (" + strerror(errno) + "), file=" + path);
    }
}
