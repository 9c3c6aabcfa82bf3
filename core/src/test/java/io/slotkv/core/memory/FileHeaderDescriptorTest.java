package io.slotkv.core.memory;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.slotkv.core.memory.FileHeaderDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FileHeaderDescriptorTest
{
    @Test
    void shouldPinEveryOffsetAndTheLength()
    {
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(8, FORMAT_VERSION_OFFSET);
        assertEquals(12, HEADER_LENGTH_OFFSET);
        assertEquals(16, CHUNK_SIZE_OFFSET);
        assertEquals(24, END_OFFSET);
        assertEquals(32, ROOT_OFFSET_OFFSET);
        assertEquals(40, STATE_OFFSET);
        assertEquals(128, HEADER_LENGTH);
    }

    @Test
    void shouldKeepEveryLongFieldAlignedAndTheHeaderCacheLineAligned()
    {
        for (final int offset : new int[]{MAGIC_OFFSET, CHUNK_SIZE_OFFSET, END_OFFSET, ROOT_OFFSET_OFFSET,
            STATE_OFFSET})
        {
            assertEquals(0, offset % 8, "offset " + offset);
        }
        assertEquals(0, HEADER_LENGTH % MemorySpace.REGION_ALIGNMENT);
    }

    @Test
    void shouldSpellTheMagicInAscii()
    {
        final byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(MAGIC >>> (8 * i));
        }
        assertEquals("SLOTKV\0\0", new String(bytes, StandardCharsets.US_ASCII));
    }
}
