package io.slotkv.map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutDescriptorsTest
{
    @Test
    void shouldPinTheSlotLayout()
    {
        assertEquals(0, SlotDescriptor.KEY_OFFSET);
        assertEquals(8, SlotDescriptor.VALUE_OFFSET);
        assertEquals(16, SlotDescriptor.SLOT_LENGTH);
        assertEquals(4, SlotDescriptor.SLOT_SHIFT);
        assertEquals(0, 64 % SlotDescriptor.SLOT_LENGTH, "slots must tile a cache line");
    }

    @Test
    void shouldPinTheReservedWordsAndTheValueEncoding()
    {
        assertEquals(0, SlotDescriptor.EMPTY_KEY);
        assertEquals(0, SlotDescriptor.ABSENT);
        assertEquals(1, SlotDescriptor.FROZEN);
        assertTrue(SlotDescriptor.isReserved(SlotDescriptor.ABSENT));
        assertTrue(SlotDescriptor.isReserved(SlotDescriptor.FROZEN));
        for (final long word : new long[]{2, 3, -1, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE})
        {
            assertFalse(SlotDescriptor.isReserved(word), "word " + word);
        }
    }

    @Test
    void shouldPinTheTableLayout()
    {
        assertEquals(0, TableDescriptor.CAPACITY_OFFSET);
        assertEquals(8, TableDescriptor.COUNTS_OFFSET);
        assertEquals(16, TableDescriptor.ZERO_KEY_VALUE_OFFSET);
        assertEquals(24, TableDescriptor.VALUE_KEY_OFFSET);
        assertEquals(64, TableDescriptor.HEADER_LENGTH);
        assertEquals(64, TableDescriptor.slotOffset(0));
        assertEquals(64 + 16 * 5, TableDescriptor.slotOffset(5));
        assertEquals(64 + 16 * 16, TableDescriptor.filterOffset(16), "the filter follows the slots");
        assertEquals(64, TableDescriptor.filterLength(16), "one word, padded to a cache line");
        assertEquals(64, TableDescriptor.filterLength(128), "eight words");
        assertEquals(128, TableDescriptor.filterLength(132));
        assertEquals(64 + 16 * 16 + 64, TableDescriptor.regionLength(16));
        assertEquals(0, TableDescriptor.filterWordOffset(0));
        assertEquals(0, TableDescriptor.filterWordOffset(15));
        assertEquals(8, TableDescriptor.filterWordOffset(16));
        assertEquals(16, TableDescriptor.MIN_CAPACITY);
        assertEquals(4, TableDescriptor.CAPACITY_GRANULE);
        assertEquals(65_075_256, TableDescriptor.MAX_CAPACITY);
        assertTrue(TableDescriptor.regionLength(TableDescriptor.MAX_CAPACITY) <= 1 << 30);
        assertTrue(TableDescriptor.regionLength(TableDescriptor.MAX_CAPACITY + 4) > 1 << 30, "fills the largest region");
        assertEquals(3968, TableDescriptor.maxCapacity(1 << 16));
        assertEquals(1 << 16, TableDescriptor.regionLength(3968), "exactly");
        for (int capacity = 24; capacity < 20_000; capacity += 4)
        {
            final long length = 1L + capacity * 33L / 2; // any length: the largest capacity that fits it
            final int max = TableDescriptor.maxCapacity(length);
            assertTrue(TableDescriptor.regionLength(max) <= length && TableDescriptor.regionLength(max + 4) > length,
                "length " + length + ": " + max);
        }
    }

    @Test
    void shouldSetOneToThreeWellSpreadFilterBitsPerHash()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        final int[] perBit = new int[64];
        long bitsSet = 0;
        final int hashes = 640_000;
        for (int i = 0; i < hashes; i++)
        {
            final long bits = TableDescriptor.filterBits(random.nextLong());
            final int count = Long.bitCount(bits);
            assertTrue(count >= 1 && count <= 3, Long.toHexString(bits));
            bitsSet += count;
            for (int bit = 0; bit < 64; bit++)
            {
                perBit[bit] += (int)(bits >>> bit) & 1;
            }
        }
        assertTrue(bitsSet > 2.9 * hashes, "bits per hash: " + (double)bitsSet / hashes);
        for (final int count : perBit)
        {
            assertTrue(Math.abs(count - bitsSet / 64.0) < bitsSet / 64.0 * 0.05, java.util.Arrays.toString(perBit));
        }
    }

    @Test
    void shouldRoundCapacitiesToWholeCacheLinesWithinBounds()
    {
        assertEquals(16, TableDescriptor.capacity(1, 1000));
        assertEquals(20, TableDescriptor.capacity(17, 1000));
        assertEquals(1000, TableDescriptor.capacity(5000, 1000));
        assertTrue(TableDescriptor.isValidCapacity(20));
        assertFalse(TableDescriptor.isValidCapacity(18));
        assertFalse(TableDescriptor.isValidCapacity(12));
        assertFalse(TableDescriptor.isValidCapacity(TableDescriptor.MAX_CAPACITY + 4L));
    }

    @Test
    void shouldMapEveryHashToAHomeSlotInsideTheTable()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (final int capacity : new int[]{16, 20, 1000, 3968, TableDescriptor.MAX_CAPACITY})
        {
            final int[] hits = new int[4];
            for (int i = 0; i < 100_000; i++)
            {
                final int index = TableDescriptor.homeIndex(random.nextLong(), capacity);
                assertTrue(index >= 0 && index < capacity, "index " + index + " capacity " + capacity);
                hits[(int)((long)index * 4 / capacity)]++;
            }
            for (final int quarter : hits)
            {
                assertTrue(quarter > 23_000 && quarter < 27_000, java.util.Arrays.toString(hits));
            }
            assertEquals(0, TableDescriptor.homeIndex(0, capacity));
            assertEquals(capacity - 1, TableDescriptor.homeIndex(0xFFFF_FFFFL, capacity));
        }
    }

    @Test
    void shouldPackUsedAndLiveIntoOneCountsWord()
    {
        final long counts = 7 * TableDescriptor.USED_ONE + 5 * TableDescriptor.LIVE_ONE;
        assertEquals(7, TableDescriptor.used(counts));
        assertEquals(5, TableDescriptor.live(counts));
        final long transientlyNegative = counts - 6 * TableDescriptor.LIVE_ONE;
        assertEquals(-1, TableDescriptor.live(transientlyNegative));
        assertEquals(7, TableDescriptor.used(transientlyNegative));
    }

    @Test
    void shouldPinTheDirectoryLayout()
    {
        assertEquals(0, DirectoryDescriptor.KIND_OFFSET);
        assertEquals(8, DirectoryDescriptor.SEGMENT_COUNT_OFFSET);
        assertEquals(16, DirectoryDescriptor.MAX_LOAD_OFFSET);
        assertEquals(24, DirectoryDescriptor.MIN_CAPACITY_OFFSET);
        assertEquals(32, DirectoryDescriptor.CLEAN_CHECK_OFFSET);
        assertEquals(40, DirectoryDescriptor.HASH_SEED_OFFSET);
        assertEquals(48, DirectoryDescriptor.HASH_SEED_CHECK_OFFSET);
        assertEquals(56, DirectoryDescriptor.MISSING_VALUE_OFFSET);
        assertEquals(64, DirectoryDescriptor.HEADER_LENGTH);
        assertEquals(0, DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET);
        assertEquals(8, DirectoryDescriptor.SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
        assertEquals(16, DirectoryDescriptor.SEGMENT_ENTRY_LENGTH);
        assertEquals(64 + 3 * 16, DirectoryDescriptor.segmentEntryOffset(3));
        assertEquals(64 + 8 * 16, DirectoryDescriptor.length(8));
        assertEquals("LONGLONG", ascii(DirectoryDescriptor.KIND_LONG_LONG));
    }

    private static String ascii(final long word)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            text.append((char)(word >>> (8 * i) & 0xFF));
        }
        return text.toString();
    }

    @Test
    void shouldPinTheByteTableLayout()
    {
        assertEquals(0, ByteTableDescriptor.CAPACITY_OFFSET);
        assertEquals(8, ByteTableDescriptor.COUNTS_OFFSET);
        assertEquals(16, ByteTableDescriptor.HEAP_OFFSET);
        assertEquals(64, ByteTableDescriptor.HEADER_LENGTH);
        assertEquals(8, ByteTableDescriptor.SLOT_LENGTH);
        assertEquals(8, ByteTableDescriptor.CAPACITY_GRANULE, "slots tile a cache line");
        assertEquals(64 + 8 * 5, ByteTableDescriptor.slotOffset(5));
        assertEquals(64 + 8 * 16, ByteTableDescriptor.filterOffset(16));
        assertEquals(64 + 8 * 16 + 64, ByteTableDescriptor.regionLength(16));
        assertEquals(64 + 8 * 1024 + 64 * 8, ByteTableDescriptor.regionLength(1024), "64 filter words");
        final int max = ByteTableDescriptor.maxCapacity(1 << 30);
        assertTrue(ByteTableDescriptor.regionLength(max) <= 1 << 30);
        assertTrue(TableDescriptor.regionLength(max + 8L, ByteTableDescriptor.SLOT_SHIFT) > 1 << 30);
    }

    @Test
    void shouldPinTheHeapRootAndArenaHeaderLayouts()
    {
        assertEquals(0x5041_4548_5254_4E45L, HeapRootDescriptor.KIND, "ENTRHEAP");
        assertEquals("ENTRHEAP", ascii(HeapRootDescriptor.KIND));
        assertEquals(0, HeapRootDescriptor.KIND_OFFSET);
        assertEquals(8, HeapRootDescriptor.SEGMENT_OFFSET);
        assertEquals(16, HeapRootDescriptor.NEWEST_ARENA_OFFSET);
        assertEquals(24, HeapRootDescriptor.SAVED_BUMP_OFFSET);
        assertEquals(32, HeapRootDescriptor.SAVED_ALLOCATED_OFFSET);
        assertEquals(40, HeapRootDescriptor.SAVED_PAYLOAD_OFFSET);
        assertEquals(64, HeapRootDescriptor.HEADS_OFFSET);
        assertEquals(207, SizeClasses.COUNT);
        assertEquals(64 + 8 * 206, HeapRootDescriptor.headOffset(206));
        assertEquals(1728, HeapRootDescriptor.LENGTH);

        assertEquals("ENTARENA", ascii(ArenaDescriptor.KIND));
        assertEquals(0, ArenaDescriptor.KIND_OFFSET);
        assertEquals(8, ArenaDescriptor.INDEX_OFFSET);
        assertEquals(16, ArenaDescriptor.LENGTH_OFFSET);
        assertEquals(24, ArenaDescriptor.PREVIOUS_OFFSET);
        assertEquals(32, ArenaDescriptor.CHECK_OFFSET);
        assertEquals(64, ArenaDescriptor.HEADER_LENGTH);
        assertEquals(0x0000_0003_0000_0005L, ArenaDescriptor.index(3, 5));
        final long check = ArenaDescriptor.check(ArenaDescriptor.index(3, 5), 65_536, 4096);
        final long expected = io.slotkv.core.hash.LongHashing.mix(io.slotkv.core.hash.LongHashing.mix(
            io.slotkv.core.hash.LongHashing.mix(ArenaDescriptor.KIND ^ 0x0000_0003_0000_0005L) ^ 65_536) ^ 4096);
        assertEquals(expected, check, "the spec's formula");

        assertEquals("BYTESTOR", ascii(DirectoryDescriptor.KIND_BYTES));
        assertEquals(56, DirectoryDescriptor.LIMITS_OFFSET);
    }

    @Test
    void shouldPinTheSlotWordOfTheByteStore()
    {
        assertEquals(0, EntryRef.EMPTY);
        assertEquals(1L << 61, EntryRef.LIVE);
        assertEquals(2L << 61, EntryRef.TOMBSTONE);
        assertEquals(1L << 63, EntryRef.FROZEN_BIT);
        assertEquals(1L << 60, EntryRef.EXPIRES_BIT);
        final long word = EntryRef.live(0xFF, 0xABCDE, EntryRef.MAX_POSITION);
        assertEquals(0x2FFB_CDEF_FFFF_FFFFL, word, "LIVE | fingerprint 0xFF | generation 0xBCDE | max position");
        assertEquals(word | EntryRef.EXPIRES_BIT, EntryRef.live(0xFF, 0xABCDE, EntryRef.MAX_POSITION, true));
        assertTrue(EntryRef.expires(word | EntryRef.EXPIRES_BIT));
        assertFalse(EntryRef.expires(word));
        assertEquals(EntryRef.MAX_POSITION, EntryRef.position(word));
        assertEquals(0xBCDE, EntryRef.generation(word), "the low 16 bits of the generation");
        assertTrue(EntryRef.hasFingerprint(word, 0xFF));
        assertTrue(EntryRef.hasFingerprint(word | EntryRef.EXPIRES_BIT, 0xFF), "E is not part of the fingerprint");
        assertEquals(EntryRef.TOMBSTONE, EntryRef.state(EntryRef.tombstone(word)));
        assertEquals(EntryRef.position(word), EntryRef.position(EntryRef.tombstone(word)));
        assertTrue(EntryRef.isFrozen(word | EntryRef.FROZEN_BIT));
        assertFalse(EntryRef.isLive(word | EntryRef.FROZEN_BIT));
        assertEquals((0x1234_5678_9ABC_DEF0L * 0xC2B2_AE3D_27D4_EB4FL) >>> 56, EntryRef.fingerprint(0x1234_5678_9ABC_DEF0L));
        assertEquals(36, EntryRef.POSITION_BITS);
        assertEquals(16, EntryRef.GENERATION_BITS);
        assertEquals(8, EntryRef.FINGERPRINT_BITS);
    }

    @Test
    void shouldPinTheEntryLayout()
    {
        assertEquals(0, EntryDescriptor.HEADER_OFFSET);
        assertEquals(8, EntryDescriptor.CHECKSUM_OFFSET);
        assertEquals(8, EntryDescriptor.NEXT_FREE_OFFSET);
        assertEquals(12, EntryDescriptor.KEY_OFFSET);
        assertEquals(12 + 5, EntryDescriptor.valueOffset(5));
        assertEquals(12 + 16 + 100, EntryDescriptor.entryLength(16, 100));
        assertEquals(12 + 16 + 100 + 8, EntryDescriptor.entryLength(16, 100, true));
        assertEquals(19, EntryDescriptor.GENERATION_BITS);
        assertEquals(8, EntryDescriptor.DEADLINE_LENGTH);
        assertEquals(65_535, EntryDescriptor.MAX_KEY_LENGTH);
        assertEquals((1 << 28) - 1, EntryDescriptor.MAX_VALUE_LENGTH);
        assertEquals((3L << 45) | (5L << 28) | 7, EntryDescriptor.header(3, 5, 7));
        final long expiring = EntryDescriptor.header(3, 5, 7, true);
        assertEquals((3L << 45) | (1L << 44) | (5L << 28) | 7, expiring);
        assertTrue(EntryDescriptor.expires(expiring));
        assertEquals(12 + 5 + 7 + 8, EntryDescriptor.entryLength(expiring));
        assertEquals(12 + 5 + 7, EntryDescriptor.deadlineOffset(expiring));
        assertEquals(5 + 7 + 8, EntryDescriptor.checkedLength(expiring));
        assertEquals((9L << 45) | (1L << 44) | (5L << 28) | 7, EntryDescriptor.withGeneration(expiring, 9));
        assertEquals((int)io.slotkv.core.hash.LongHashing.mix(((1L << 44) | (5L << 28) | 7) ^ 0x9E37_79B9_7F4A_7C15L),
            EntryDescriptor.lengthsCheck(expiring), "the spec's formula: the header without its generation");
    }

    @Test
    void shouldPinTheSizeClasses()
    {
        assertEquals(16, SizeClasses.blockLength(0));
        assertEquals(256, SizeClasses.blockLength(30), "31 classes of 8-byte steps");
        assertEquals(288, SizeClasses.blockLength(31));
        assertEquals(512, SizeClasses.blockLength(38));
        assertEquals(576, SizeClasses.blockLength(39));
        assertEquals(207, SizeClasses.COUNT);
        assertEquals(1 << 30, SizeClasses.blockLength(SizeClasses.COUNT - 1));
    }
}
