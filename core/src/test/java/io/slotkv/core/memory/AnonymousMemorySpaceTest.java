package io.slotkv.core.memory;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AnonymousMemorySpaceTest
{
    @Test
    void shouldAllocateZeroedCacheLineAlignedRegions()
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace();
        for (int length = 8; length < 100_000; length = length * 3 + 8)
        {
            final MemoryRegion region = space.allocate(length);
            assertEquals(0, region.address() % MemorySpace.REGION_ALIGNMENT, "address of region " + region);
            assertEquals(length, region.length());
            for (int i = 0; i + 8 <= length; i += 8)
            {
                assertEquals(0, region.getLong(i), "word " + i + " of " + region);
            }
        }
    }

    @Test
    void shouldOfferTheAccessVocabulary()
    {
        final MemoryRegion region = new AnonymousMemorySpace().allocate(64);
        region.putLongRelease(0, 5);
        assertEquals(5, region.getLongAcquire(0));
        assertEquals(5, region.compareAndExchangeLong(0, 5, 7));
        assertEquals(7, region.compareAndExchangeLong(0, 5, 9));
        assertTrue(region.compareAndSetLong(0, 7, 8));
        assertEquals(8, region.getAndAddLong(0, 2));
        assertEquals(10, region.getLongVolatile(0));
        region.putLongVolatile(8, -1);
        assertEquals(-1, region.getLongOpaque(8));
    }

    @Test
    void shouldRejectLengthsOutOfRange()
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace();
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> space.allocate(0));
        assertTrue(zero.getMessage().contains("length=0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.allocate(-8));
        assertThrows(IllegalArgumentException.class, () -> space.allocate(MemorySpace.MAX_REGION_LENGTH + 1));
    }

    @Test
    void shouldRefuseToAllocateAfterCloseAndCloseTwiceHarmlessly()
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace();
        final MemoryRegion region = space.allocate(64);
        space.close();
        space.close();
        assertThrows(IllegalStateException.class, () -> space.allocate(64));
        region.putLong(0, 1); // regions handed out stay valid while reachable
        assertEquals(1, region.getLong(0));
    }

    @Test
    void shouldNotBePersistent()
    {
        final AnonymousMemorySpace space = new AnonymousMemorySpace();
        assertEquals(MemorySpace.NO_ROOT, space.rootOffset());
        assertEquals(false, space.isPersistent());
        assertThrows(UnsupportedOperationException.class, () -> space.attach(0, 64));
    }

    @Test
    void shouldTellMappingLinesOfSmapsFromTheirFields()
    {
        final String mapping = "7f3a2c000000-7f3a2c400000 rw-p 00000000 00:00 0 ";
        assertTrue(AnonymousMemorySpace.isMappingLine(mapping, mapping.indexOf('-')));
        final String file = "55d0c0a00000-55d0c0a21000 r--p 00000000 fd:01 1234   /usr/bin/java";
        assertTrue(AnonymousMemorySpace.isMappingLine(file, file.indexOf('-')));
        for (final String field : new String[]{"AnonHugePages:      2048 kB", "Size:               4096 kB",
            "VmFlags: rd wr mr mw me ac sd hg", "THPeligible:    1", "ProtectionKey:         0"})
        {
            assertFalse(AnonymousMemorySpace.isMappingLine(field, field.indexOf('-')), field);
        }
    }

    /**
     * On a kernel that gives transparent huge pages to madvised ranges (this project's machines: "madvise"), a large
     * region of a huge-page space gets them, and {@link AnonymousMemorySpace#hugePageBytes()} counts them (it
     * counted none before its smaps parsing was fixed: every mapping line has a colon, in its device field).
     */
    @Test
    void shouldBackLargeRegionsWithHugePagesAndCountThem() throws IOException
    {
        final Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(setting) && !Files.readString(setting).contains("[never]"),
            "the kernel gives no transparent huge pages");
        final AnonymousMemorySpace space = new AnonymousMemorySpace(true);
        assertEquals(AnonymousMemorySpace.HUGE_PAGE_SIZE, space.hugePageSize());
        assertEquals(0, new AnonymousMemorySpace(false).hugePageSize());
        final int length = (int)(4 * AnonymousMemorySpace.HUGE_PAGE_SIZE);
        final MemoryRegion region = space.allocate(length);
        assertEquals(0, region.address() % AnonymousMemorySpace.HUGE_PAGE_SIZE, "aligned to a huge page");
        for (int offset = 0; offset < length; offset += 4096)
        {
            region.putLong(offset, offset);
        }
        final long huge = space.hugePageBytes();
        assertTrue(huge >= AnonymousMemorySpace.HUGE_PAGE_SIZE && huge <= length, "huge page bytes " + huge);
        space.close();
    }

    @Test
    void shouldFaultRegionsInWhenPreTouchingAndOnFirstTouchOtherwise()
    {
        final int length = 1 << 20; // small pages
        final AnonymousMemorySpace touched = new AnonymousMemorySpace(false, true);
        touched.allocate(length);
        assertEquals(length, touched.residentSetBytes(), "resident at once");
        final AnonymousMemorySpace lazy = new AnonymousMemorySpace(false, false);
        final MemoryRegion region = lazy.allocate(length);
        assertEquals(0, lazy.residentSetBytes(), "nothing resident before the first touch");
        region.putLong(0, 1);
        assertEquals(4096, lazy.residentSetBytes(), "one page after one touch");
        touched.close();
        lazy.close();
    }
}
