package io.slotkv.core.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
