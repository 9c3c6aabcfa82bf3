package io.slotkv.core.memory;

import io.slotkv.core.jvm.JvmAccess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap memory that is not backed by a file: each region is its own private anonymous mapping, made with
 * {@code mmap} and owned by the space, so it counts against neither the heap nor {@code -XX:MaxDirectMemorySize}
 * and its pages are zero-filled by the kernel on first touch, once.
 * <p>
 * <b>Lifetime.</b> {@link #release} gives a region's pages back to the operating system at once
 * ({@code MADV_DONTNEED}), without a GC: the address range stays mapped and reads as zeros, so a thread that still
 * holds the region (an optimistic reader that has not validated yet) can read it safely and never faults. The
 * range itself is unmapped by a {@link Cleaner} once the region object is unreachable. Regions of 2 MiB and more
 * are aligned to 2 MiB and marked for transparent huge pages ({@code MADV_HUGEPAGE}) unless the space was created
 * without them.
 * <p>
 * <b>Pre-touch.</b> Unless created without it, a space faults every page of a new region in when it maps it, in
 * one call ({@code MADV_POPULATE_WRITE}, Linux 5.14+; a kernel without it leaves the pages to fault on first touch):
 * what a map allocates (a table it fills, an arena it fills from its start) is written soon, and one call costs a
 * fraction of a page fault per page (0.8 us against 10 us per 4 KiB page on this project's VM), and none of it
 * lands on a write's path later. The region is resident from then on.
 */
public final class AnonymousMemorySpace implements MemorySpace
{
    /** Size of a transparent huge page on x86-64 and the common AArch64 kernels. */
    public static final long HUGE_PAGE_SIZE = 2L << 20;

    private static final Cleaner CLEANER = Cleaner.create();

    private final boolean hugePages;
    private final boolean preTouch;
    private final AtomicLong nextOffset = new AtomicLong(REGION_ALIGNMENT); // no region at 0: offset 0 means "none"
    private final AtomicLong residentBytes = new AtomicLong();
    private final Set<Pages> mapped = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A space whose large regions use transparent huge pages.
     *
     * @throws IllegalStateException if the JVM lacks the flags for native memory access or denies it (see
     *                               {@link JvmAccess#requireOffHeapAccess()}).
     */
    public AnonymousMemorySpace()
    {
        this(true);
    }

    /**
     * A space that uses transparent huge pages for its large regions or not.
     *
     * @param hugePages true to align regions of {@link #HUGE_PAGE_SIZE} and more to it and ask for transparent
     *                  huge pages for them (fewer TLB misses on large tables); false for 4 KiB pages only.
     * @throws IllegalStateException if the JVM lacks the flags for native memory access or denies it (see
     *                               {@link JvmAccess#requireOffHeapAccess()}).
     */
    public AnonymousMemorySpace(final boolean hugePages)
    {
        this(hugePages, true);
    }

    /**
     * A space that uses transparent huge pages for its large regions or not, and pre-touches its regions or not.
     *
     * @param hugePages as for {@link #AnonymousMemorySpace(boolean)}.
     * @param preTouch  true to fault every page of a region in when it is mapped (resident at once, no page fault
     *                  later); false to leave each page to fault on its first touch.
     * @throws IllegalStateException if the JVM lacks the flags for native memory access or denies it (see
     *                               {@link JvmAccess#requireOffHeapAccess()}).
     */
    public AnonymousMemorySpace(final boolean hugePages, final boolean preTouch)
    {
        JvmAccess.requireOffHeapAccess();
        this.hugePages = hugePages;
        this.preTouch = preTouch;
    }

    @Override
    public MemoryRegion allocate(final int length)
    {
        MemorySpace.checkRegionLength(length);
        if (closed)
        {
            throw new IllegalStateException("memory space is closed");
        }
        final boolean huge = hugePages && length >= HUGE_PAGE_SIZE;
        final long mapped = roundUp(length, Posix.PAGE_SIZE);
        final long address = huge ? mapAligned(mapped) : map(mapped, length);
        if (huge)
        {
            // a kernel without transparent huge pages refuses: the region works with small pages
            Posix.advise(address, mapped, Posix.MADV_HUGEPAGE);
        }
        if (preTouch)
        {
            // after the huge-page advice, so the pages faulted in are huge ones; a refusal (an older kernel, or no
            // memory to spare now) only leaves the pages to fault on first touch, as without pre-touch
            Posix.advise(address, mapped, Posix.MADV_POPULATE_WRITE);
        }
        final Pages pages = new Pages(address, mapped, residentBytes, this.mapped);
        this.mapped.add(pages);
        residentBytes.addAndGet(mapped);
        return new MemoryRegion(address, length, nextOffset.getAndAdd(mapped), new Owner(pages));
    }

    private static long map(final long mapped, final int length)
    {
        final long address = Posix.mapRetrying(() -> Posix.mmapAnonymous(mapped));
        if (address <= 0)
        {
            final int errno = (int)-address;
            throw new OutOfMemoryError("cannot map " + length + " bytes of anonymous memory: errno=" + errno + " (" +
                Posix.errorText(errno) + ")");
        }
        return address;
    }

    /**
     * Map {@code mapped} bytes at a huge-page boundary: map one huge page more, then unmap the unaligned ends.
     */
    private static long mapAligned(final long mapped)
    {
        final long raw = map(mapped + HUGE_PAGE_SIZE, (int)Math.min(Integer.MAX_VALUE, mapped));
        final long aligned = roundUp(raw, HUGE_PAGE_SIZE);
        if (aligned > raw)
        {
            Posix.unmap(raw, aligned - raw);
        }
        final long tail = raw + mapped + HUGE_PAGE_SIZE - (aligned + mapped);
        if (tail > 0)
        {
            Posix.unmap(aligned + mapped, tail);
        }
        return aligned;
    }

    @Override
    public long hugePageSize()
    {
        return hugePages ? HUGE_PAGE_SIZE : 0;
    }

    @Override
    public long footprint(final MemoryRegion region)
    {
        return roundUp(region.length(), Posix.PAGE_SIZE);
    }

    /**
     * Give the region's pages back to the operating system now. The caller guarantees that no thread writes the
     * region any more; readers may still read it (they see zeros) until they validate and move on.
     */
    @Override
    public void release(final MemoryRegion region)
    {
        if (region.backing() instanceof Owner)
        {
            ((Owner)region.backing()).pages.discard();
        }
    }

    /**
     * The memory this space has mapped for live regions, counted in whole pages; it falls when a region is
     * released or unmapped.
     *
     * @return the bytes of regions handed out and not yet released: what this space holds in memory at most.
     */
    public long residentBytes()
    {
        return residentBytes.get();
    }

    /**
     * The part of this space's mappings the kernel holds in RAM now; unlike {@link #residentBytes()}, pages never
     * touched do not count.
     *
     * @return the bytes of this space's mappings that are resident in memory now, as the kernel reports them
     * ({@code mincore}): what the space really costs in RSS, for tests and benchmarks; -1 if unavailable.
     */
    public long residentSetBytes()
    {
        long bytes = 0;
        for (final Pages pages : mapped)
        {
            final long resident = pages.resident();
            if (resident < 0)
            {
                return -1;
            }
            bytes += resident;
        }
        return bytes;
    }

    /**
     * How much of this space the kernel backs with transparent huge pages, to check that large tables got them.
     *
     * @return the bytes of this space's mappings backed by transparent huge pages now ({@code AnonHugePages} of
     * the mappings in {@code /proc/self/smaps}), for benchmarks.
     * @throws UncheckedIOException if {@code /proc/self/smaps} cannot be read.
     */
    public long hugePageBytes()
    {
        final List<long[]> ranges = new ArrayList<>();
        for (final Pages pages : mapped)
        {
            ranges.add(new long[]{pages.address, pages.address + pages.length});
        }
        long bytes = 0;
        try
        {
            boolean ours = false;
            for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
            {
                final int dash = line.indexOf('-');
                if (isMappingLine(line, dash))
                {
                    final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    ours = false;
                    for (final long[] range : ranges)
                    {
                        ours |= start >= range[0] && start < range[1];
                    }
                }
                else if (ours && line.startsWith("AnonHugePages:"))
                {
                    bytes += 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read /proc/self/smaps", ex);
        }
        return bytes;
    }

    /**
     * @return whether a line of {@code /proc/self/smaps} starts a mapping ({@code start-end perms offset dev inode
     * path}), not one of its {@code Key: value} lines: its first word is two hex numbers joined by the dash at
     * {@code dash}.
     */
    static boolean isMappingLine(final String line, final int dash)
    {
        final int space = line.indexOf(' ');
        if (dash <= 0 || space <= dash + 1)
        {
            return false;
        }
        for (int i = 0; i < space; i++)
        {
            if (i != dash && Character.digit(line.charAt(i), 16) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this space was created with huge pages ({@link #AnonymousMemorySpace(boolean)}); the kernel may still
     * back a region with small pages.
     *
     * @return true if large regions ask for transparent huge pages.
     */
    public boolean usesHugePages()
    {
        return hugePages;
    }

    @Override
    public int maxRegionLength()
    {
        return MAX_REGION_LENGTH;
    }

    @Override
    public MemoryRegion attach(final long offset, final int length)
    {
        throw new UnsupportedOperationException("anonymous memory cannot be re-attached");
    }

    @Override
    public long rootOffset()
    {
        return NO_ROOT;
    }

    @Override
    public void root(final MemoryRegion region)
    {
        // nothing outlives the process, so nobody will look for the root
    }

    @Override
    public boolean isPersistent()
    {
        return false;
    }

    @Override
    public void sync()
    {
    }

    @Override
    public void close()
    {
        closed = true;
    }

    @Override
    public String toString()
    {
        return "AnonymousMemorySpace{hugePages=" + hugePages + ", preTouch=" + preTouch + '}';
    }

    static long roundUp(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * What a region's {@link MemoryRegion#backing()} holds: the region keeps it, and it keeps the pages' cleaner
     * registration, so the range is unmapped only once no region of it is reachable.
     */
    private static final class Owner
    {
        final Pages pages;

        Owner(final Pages pages)
        {
            this.pages = pages;
            CLEANER.register(this, pages);
        }
    }

    /**
     * One mapping: discarded (pages freed, range kept) by {@link #release}, unmapped by the cleaner.
     */
    private static final class Pages implements Runnable
    {
        private final long address;
        private final long length;
        private final AtomicLong residentBytes;
        private final Set<Pages> mapped;
        private boolean discarded;
        private boolean unmapped;

        Pages(final long address, final long length, final AtomicLong residentBytes, final Set<Pages> mapped)
        {
            this.address = address;
            this.length = length;
            this.residentBytes = residentBytes;
            this.mapped = mapped;
        }

        synchronized long resident()
        {
            return unmapped ? 0 : Posix.residentBytes(address, length);
        }

        synchronized void discard()
        {
            if (discarded || unmapped)
            {
                return;
            }
            discarded = true;
            // the range stays mapped: later reads see zero pages, later writes get fresh private pages
            Posix.advise(address, length, Posix.MADV_DONTNEED);
            residentBytes.addAndGet(-length);
        }

        @Override
        public synchronized void run()
        {
            if (unmapped)
            {
                return;
            }
            unmapped = true;
            mapped.remove(this);
            Posix.unmap(address, length);
            if (!discarded)
            {
                residentBytes.addAndGet(-length);
            }
        }
    }
}
