package io.slotkv.map;

import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.DiskFullException;
import io.slotkv.core.memory.MemorySpace;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryHeapTest
{
    private final MemorySpace space = new AnonymousMemorySpace();

    @AfterEach
    void close()
    {
        space.close();
    }

    @Test
    void sizeClassesHoldEveryLengthInTheSmallestBlockWithBoundedWaste()
    {
        final List<Integer> lengths = new ArrayList<>();
        for (int length = 1; length <= 1 << 16; length++)
        {
            lengths.add(length);
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++)
        {
            lengths.add(1 + random.nextInt(1 << 30));
        }
        lengths.add(1 << 30);
        for (final int length : lengths)
        {
            final int sizeClass = SizeClasses.classOf(length);
            final int block = SizeClasses.blockLength(sizeClass);
            assertTrue(sizeClass >= 0 && sizeClass < SizeClasses.COUNT, "class of " + length + ": " + sizeClass);
            assertTrue(block >= length, "block " + block + " < length " + length);
            assertEquals(0, block % SizeClasses.GRANULE, "block " + block);
            assertTrue(0 == sizeClass || SizeClasses.blockLength(sizeClass - 1) < length,
                "length " + length + " fits the smaller class " + (sizeClass - 1));
            if (length <= SizeClasses.LINEAR_LIMIT)
            {
                assertTrue(block - length < SizeClasses.GRANULE || length < SizeClasses.MIN_BLOCK,
                    "waste " + (block - length) + " for " + length);
            }
            else
            {
                assertTrue(9L * (block - length) < block, "waste " + (block - length) + " of " + block);
            }
        }
        assertEquals(1 << 30, SizeClasses.blockLength(SizeClasses.COUNT - 1));
    }

    @Test
    void blocksAreDisjointAlignedAndInsideTheirArenas()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final SplittableRandom random = new SplittableRandom(11);
        final TreeMap<Long, Long> byAddress = new TreeMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            final int length = 1 + random.nextInt(i % 100 == 0 ? 200_000 : 300);
            final long position = heap.allocate(length);
            final long address = heap.address(position, length);
            assertNotEquals(0, address, "block outside its arena: position=" + position + ", length=" + length);
            assertEquals(0, address % SizeClasses.GRANULE);
            final long block = SizeClasses.blockLength(SizeClasses.classOf(length));
            assertNotEquals(0, heap.address(position, block), "block longer than its arena's rest");
            final var below = byAddress.floorEntry(address);
            assertTrue(null == below || below.getValue() <= address, "overlaps the block below");
            final var above = byAddress.ceilingEntry(address);
            assertTrue(null == above || address + block <= above.getKey(), "overlaps the block above");
            byAddress.put(address, address + block);
        }
        assertTrue(heap.allocatedBytes() <= heap.arenaBytes());
    }

    @Test
    void untouchedBytesAreTheNewestArenasRestAndFreedBlocksAreNot()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        assertEquals(0, heap.untouchedBytes(), "no arena yet");
        final long first = heap.allocate(100);
        final long block = SizeClasses.blockLength(SizeClasses.classOf(100));
        assertEquals(heap.arenaBytes() - ArenaDescriptor.HEADER_LENGTH - block, heap.untouchedBytes());
        assertEquals(0, heap.freedBytes(), "nothing freed yet");
        heap.free(first, 100);
        assertEquals(block, heap.freedBytes(), "a freed block");
        assertEquals(heap.arenaBytes() - ArenaDescriptor.HEADER_LENGTH - block, heap.untouchedBytes(),
            "a freed block is not untouched");
        while (heap.arenaBytes() == EntryHeap.FIRST_ARENA_LENGTH)
        {
            heap.allocate(1_000);
        }
        assertTrue(heap.untouchedBytes() < heap.arenaBytes() - EntryHeap.FIRST_ARENA_LENGTH,
            "only the newest arena's rest: " + heap.untouchedBytes() + " of " + heap.arenaBytes());
        assertTrue(heap.freedBytes() >= block, "the first arena's rest went to free lists: " + heap.freedBytes());
        assertEquals(heap.freeBytes() - 2 * ArenaDescriptor.HEADER_LENGTH - heap.untouchedBytes(),
            heap.freedBytes());
    }

    @Test
    void addressRejectsPositionsAndLengthsOutsideTheArenas()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final long position = heap.allocate(100);
        assertNotEquals(0, heap.address(position, 100));
        assertEquals(0, heap.address(0, 8), "position 0 names nothing");
        assertEquals(0, heap.address(position, -1));
        assertEquals(0, heap.address(position, EntryHeap.FIRST_ARENA_LENGTH + 1));
        assertEquals(0, heap.address(EntryRef.MAX_POSITION, 8));
        assertEquals(0, heap.address(-1L, 8));
        assertEquals(0, heap.address(Long.MAX_VALUE, 8));
        final SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++)
        {
            final long garbage = random.nextLong();
            final long length = random.nextLong(1 << 20);
            final long address = heap.address(garbage, length);
            if (0 != address)
            {
                // in range: the bytes exist; touch the last word to prove it
                UnsafeApi.getByte(null, address + Math.max(0, length - 1));
            }
        }
    }

    @Test
    void freeAdvancesTheGenerationAndTheBlockIsReusedByItsClass()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final long position = heap.allocate(40);
        final long address = heap.address(position, 40);
        UnsafeApi.putLong(null, address, EntryDescriptor.header(0, 10, 18));
        heap.free(position, 40);
        final long freed = UnsafeApi.getLong(null, address);
        assertEquals(1, EntryDescriptor.generation(freed));
        assertEquals(0, EntryDescriptor.keyLength(freed));
        assertEquals(position, heap.allocate(37), "same class (40 bytes): the freed block");
        heap.free(position, 37);
        assertEquals(2, EntryDescriptor.generation(UnsafeApi.getLong(null, address)));
        assertNotEquals(position, heap.allocate(48), "another class: not that block");
    }

    @Test
    void generationWrapsWithinItsBits()
    {
        final long last = (1L << EntryDescriptor.GENERATION_BITS) - 1;
        final long header = EntryDescriptor.header(last, 5, 6);
        assertEquals(last, EntryDescriptor.generation(header));
        assertEquals(0, EntryDescriptor.generation(EntryDescriptor.freedHeader(header)));
        assertEquals(5, EntryDescriptor.keyLength(header));
        assertEquals(6, EntryDescriptor.valueLength(header));
        final long full = EntryDescriptor.header(last, EntryDescriptor.MAX_KEY_LENGTH, EntryDescriptor.MAX_VALUE_LENGTH);
        assertEquals(EntryDescriptor.MAX_KEY_LENGTH, EntryDescriptor.keyLength(full));
        assertEquals(EntryDescriptor.MAX_VALUE_LENGTH, EntryDescriptor.valueLength(full));
        assertEquals(last, EntryDescriptor.generation(full));
    }

    @Test
    void allocateRefusesLengthsOutOfRange()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> heap.allocate(0));
        assertTrue(zero.getMessage().contains("length=0"), zero.getMessage());
        final IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
            () -> heap.allocate(heap.maxBlockLength() + 1));
        assertTrue(huge.getMessage().contains("max=" + heap.maxBlockLength()), huge.getMessage());
    }

    @Test
    void aFailedArenaLeavesTheHeapAsItWas()
    {
        final FaultySpace faulty = new FaultySpace(space);
        final EntryHeap heap = EntryHeap.create(faulty, 0, false);
        final long first = heap.allocate(EntryHeap.FIRST_ARENA_LENGTH / 2);
        final long bytes = heap.arenaBytes();
        faulty.failAllocation(1, () -> new DiskFullException("injected"));
        assertThrows(DiskFullException.class, () -> heap.allocate(EntryHeap.FIRST_ARENA_LENGTH));
        assertEquals(bytes, heap.arenaBytes());
        assertEquals(SizeClasses.blockLength(SizeClasses.classOf(EntryHeap.FIRST_ARENA_LENGTH / 2)),
            heap.allocatedBytes());
        assertNotEquals(0, heap.address(first, 8));
        final long second = heap.allocate(EntryHeap.FIRST_ARENA_LENGTH); // the next try adds the arena
        assertNotEquals(0, heap.address(second, EntryHeap.FIRST_ARENA_LENGTH));
    }

    /**
     * The allocator's half of issue #10's churn bound: 100K keys whose values are replaced by values of random
     * lengths (1 B to 4 KiB), 10M times; each replace allocates the new block, then frees the old one. The heap's
     * arenas must stay within twice the live bytes (what the keys' current values ask for).
     */
    @Test
    void mixedSizeChurnStaysWithinTwiceTheLiveBytes()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final int keys = 100_000;
        final long[] positions = new long[keys];
        final int[] lengths = new int[keys];
        final SplittableRandom random = new SplittableRandom(42);
        long live = 0;
        for (int k = 0; k < keys; k++)
        {
            lengths[k] = 1 + random.nextInt(4096);
            positions[k] = heap.allocate(lengths[k]);
            live += lengths[k];
        }
        long worst = 0;
        for (int op = 0; op < 10_000_000; op++)
        {
            final int k = random.nextInt(keys);
            final int length = 1 + random.nextInt(4096);
            final long position = heap.allocate(length);
            heap.free(positions[k], lengths[k]);
            live += length - lengths[k];
            positions[k] = position;
            lengths[k] = length;
            if (0 == (op & 0xFFFF))
            {
                worst = Math.max(worst, heap.arenaBytes());
                assertTrue(heap.arenaBytes() <= 2 * live,
                    "arenas " + heap.arenaBytes() + " > 2 x live " + live + " after " + op + " replaces");
            }
        }
        assertTrue(heap.arenaBytes() <= 2 * live, "arenas " + heap.arenaBytes() + " > 2 x live " + live);
        System.out.printf("churn: live %,d B, arenas %,d B (%.2fx), handed out %,d B (%.2fx)%n", live,
            heap.arenaBytes(), (double)heap.arenaBytes() / live, heap.allocatedBytes(),
            (double)heap.allocatedBytes() / live);
    }

    /**
     * Threads allocate, write their mark into the whole block, check it, and free, over two size classes and a few
     * blocks each, so the same blocks cycle through the free lists: a block handed to two threads at once (a pop
     * that lost to a pop and push of the same block, a wrong bump) shows as another thread's mark.
     */
    @Test
    void concurrentAllocationsNeverShareABlock() throws Exception
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final Thread[] threads = new Thread[4];
        final CyclicBarrier start = new CyclicBarrier(threads.length);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads.length; t++)
        {
            final long mark = 0x1111_1111_1111_1111L * (t + 1);
            final int seed = t;
            threads[t] = new Thread(() ->
            {
                try
                {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final long[] held = new long[3];
                    final int[] heldLength = new int[3];
                    start.await();
                    for (int i = 0; i < 2_000_000 && null == failure.get(); i++)
                    {
                        final int slot = random.nextInt(held.length);
                        if (0 != held[slot])
                        {
                            final long address = heap.address(held[slot], heldLength[slot]);
                            for (int w = 8; w + 8 <= heldLength[slot]; w += 8)
                            {
                                if (mark != UnsafeApi.getLong(null, address + w))
                                {
                                    throw new AssertionError("block shared: position=" + held[slot]);
                                }
                            }
                            heap.free(held[slot], heldLength[slot]);
                        }
                        final int length = 16 + 8 * random.nextInt(2);
                        held[slot] = heap.allocate(length);
                        heldLength[slot] = length;
                        final long address = heap.address(held[slot], length);
                        for (int w = 8; w + 8 <= length; w += 8)
                        {
                            UnsafeApi.putLong(null, address + w, mark);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertNull(failure.get());
    }

    @Test
    void theRestOfAnArenaBecomesBlocksThatFitIt()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        heap.allocate(40_000);
        heap.allocate(60_000); // does not fit the first arena's rest: a second arena, the rest carved
        assertEquals(EntryHeap.FIRST_ARENA_LENGTH * 2L, heap.arenaBytes());
        for (int sizeClass = 0; SizeClasses.blockLength(sizeClass) <= EntryHeap.FIRST_ARENA_LENGTH; sizeClass++)
        {
            final int length = SizeClasses.blockLength(sizeClass);
            final long position = heap.allocate(length);
            assertNotEquals(0, heap.address(position, length),
                "a block of " + length + " bytes past its arena's end: position=" + position);
        }
    }

    @Test
    void regionsListTheRootAndEveryArena()
    {
        final EntryHeap heap = EntryHeap.create(space, 0, false);
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100; i++)
        {
            seen.add(heap.allocate(10_000));
        }
        final var regions = heap.regions();
        assertEquals(heap.root(), regions[0]);
        long total = 0;
        for (int i = 1; i < regions.length; i++)
        {
            total += regions[i].length();
        }
        assertEquals(heap.arenaBytes(), total);
        assertEquals(100, seen.size());
    }

    @Test
    void arenasGrowBySixteenthsInFirstArenaLengthsWithoutHugePages()
    {
        long heapBytes = 0;
        while (heapBytes < 1L << 30)
        {
            final long length = EntryHeap.arenaLength(heapBytes, 64, 0, 1 << 30);
            final long wanted = Math.max(EntryHeap.FIRST_ARENA_LENGTH, heapBytes / 16);
            assertEquals((wanted + EntryHeap.FIRST_ARENA_LENGTH - 1) / EntryHeap.FIRST_ARENA_LENGTH *
                EntryHeap.FIRST_ARENA_LENGTH, length, "heap " + heapBytes);
            heapBytes += length;
        }
        assertEquals(1 << 20, EntryHeap.arenaLength(0, 1 << 20, 0, 1 << 30), "at least the block");
        assertEquals(1 << 20, EntryHeap.arenaLength(1L << 40, 64, 0, 1 << 20), "at most the longest arena");
    }

    @Test
    void arenasAreWholeHugePagesOnceTheHeapReachesOne()
    {
        final long huge = AnonymousMemorySpace.HUGE_PAGE_SIZE;
        long heapBytes = 0;
        long smallPageBytes = 0;
        while (heapBytes < 1L << 30)
        {
            final long length = EntryHeap.arenaLength(heapBytes, 64, huge, 1 << 30);
            if (heapBytes + length >= huge)
            {
                assertEquals(0, length % huge, "heap " + heapBytes + ": arena " + length);
                // the newest arena's unused rest: at most a huge page more than without huge pages
                assertTrue(length <= Math.max(EntryHeap.FIRST_ARENA_LENGTH, heapBytes / 16) + huge,
                    "heap " + heapBytes + ": arena " + length);
            }
            else
            {
                assertEquals(EntryHeap.arenaLength(heapBytes, 64, 0, 1 << 30), length, "heap " + heapBytes);
                smallPageBytes += length;
            }
            heapBytes += length;
        }
        assertTrue(smallPageBytes < huge, "small-page arenas: " + smallPageBytes);
    }

    @Test
    void aByteStoreOnHugePagesPutsItsEntriesOnThem() throws java.io.IOException
    {
        final java.nio.file.Path setting = java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(setting) &&
            !java.nio.file.Files.readString(setting).contains("[never]"), "the kernel gives no transparent huge pages");
        final AnonymousMemorySpace hugeSpace = new AnonymousMemorySpace(true);
        final OffHeapByteStore store = OffHeapByteStore.builder().segments(1).space(hugeSpace).build();
        final byte[] value = new byte[100];
        for (int i = 0; i < 100_000; i++) // 12.8 MB of entries, tables of 1.3 MiB at most
        {
            store.put(("key:" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), value);
        }
        final long hugeBytes = hugeSpace.hugePageBytes();
        assertTrue(hugeBytes >= store.entryBytes() / 2,
            "huge page bytes " + hugeBytes + " for entry bytes " + store.entryBytes());
        store.close();
        hugeSpace.close();
    }
}
