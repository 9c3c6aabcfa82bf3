package io.slotkv.map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(SlotDescriptor.ABSENT, SlotDescriptor.encode(Long.MIN_VALUE));
        assertEquals(SlotDescriptor.FROZEN, SlotDescriptor.encode(Long.MIN_VALUE + 1));
        assertEquals(Long.MIN_VALUE + 2, SlotDescriptor.MIN_STORABLE_VALUE);
        for (final long value : new long[]{0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE + 2})
        {
            assertEquals(value, SlotDescriptor.decode(SlotDescriptor.encode(value)));
        }
    }

    @Test
    void shouldPinTheTableLayout()
    {
        assertEquals(0, TableDescriptor.CAPACITY_OFFSET);
        assertEquals(8, TableDescriptor.COUNTS_OFFSET);
        assertEquals(64, TableDescriptor.HEADER_LENGTH);
        assertEquals(64, TableDescriptor.slotOffset(0));
        assertEquals(64 + 16 * 5, TableDescriptor.slotOffset(5));
        assertEquals(64 + 16 * 16, TableDescriptor.regionLength(16));
        assertEquals(16, TableDescriptor.MIN_CAPACITY);
        assertEquals(1 << 25, TableDescriptor.MAX_CAPACITY);
        assertEquals((512 << 20) + 64, TableDescriptor.regionLength(TableDescriptor.MAX_CAPACITY));
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
        assertEquals(32, DirectoryDescriptor.ZERO_KEY_VALUE_OFFSET);
        assertEquals(64, DirectoryDescriptor.HEADER_LENGTH);
        assertEquals(0, DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET);
        assertEquals(8, DirectoryDescriptor.SEGMENT_TABLE_LENGTH_OFFSET);
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
}
