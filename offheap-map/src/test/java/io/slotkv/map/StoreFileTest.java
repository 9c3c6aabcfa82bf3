package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.FileHeaderDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StoreFile} reads a file's headers without opening it: both kinds, the clean mark, and every field that
 * locates another checked before it is followed (a crafted root offset, a truncated file, a foreign file).
 */
class StoreFileTest
{
    @TempDir
    Path dir;

    @Test
    void readsTheKindAndTheCleanMarkOfBothMaps()
    {
        final Path longs = dir.resolve("longs.store");
        final Path bytes = dir.resolve("bytes.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(longs).build())
        {
            map.put(1, 2);
            final StoreFile open = StoreFile.read(longs);
            assertFalse(open.closedCleanly(), "a store open for writing is marked open");
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(bytes).build())
        {
            store.putString("k", "v");
        }
        final StoreFile longFile = StoreFile.read(longs);
        assertEquals(StoreFile.Kind.LONG_LONG_MAP, longFile.kind());
        assertTrue(longFile.closedCleanly());
        assertEquals(FileHeaderDescriptor.FORMAT_VERSION, longFile.formatVersion());
        assertTrue(longFile.allocatedBytes() <= longFile.fileBytes());
        assertEquals(StoreFile.Kind.BYTE_STORE, StoreFile.read(bytes).kind());
    }

    @Test
    void refusesWhatIsNotAStoreFileWithTheFieldInTheMessage() throws Exception
    {
        final Path file = dir.resolve("s.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            map.put(1, 2);
        }
        final long size = Files.size(file);
        for (final long root : new long[]{-1, 0, 63, size, Long.MAX_VALUE, Long.MIN_VALUE, size - 8})
        {
            final Path crafted = copyWithLong(file, FileHeaderDescriptor.ROOT_OFFSET_OFFSET, root);
            final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () -> StoreFile.read(crafted));
            assertTrue(ex.getMessage().contains("rootOffset=" + root), ex.getMessage());
        }
        final Path kind = copyWithLong(file, rootOf(file) + DirectoryDescriptor.KIND_OFFSET, 0x1234);
        assertTrue(assertThrows(CorruptStoreException.class, () -> StoreFile.read(kind)).getMessage()
            .contains("kind=0x1234"));
        final Path version = copyWithInt(file, FileHeaderDescriptor.FORMAT_VERSION_OFFSET, 2);
        assertTrue(assertThrows(CorruptStoreException.class, () -> StoreFile.read(version)).getMessage()
            .contains("format version 2"));
        final Path shortFile = dir.resolve("short.store");
        Files.write(shortFile, new byte[10]);
        assertTrue(assertThrows(CorruptStoreException.class, () -> StoreFile.read(shortFile)).getMessage()
            .contains("too short"));
        final UncheckedIOException missing = assertThrows(UncheckedIOException.class,
            () -> StoreFile.read(dir.resolve("absent")));
        assertInstanceOf(NoSuchFileException.class, missing.getCause());
    }

    private long rootOf(final Path file) throws Exception
    {
        return header(file).getLong(FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
    }

    private static ByteBuffer header(final Path file) throws Exception
    {
        final ByteBuffer bytes = ByteBuffer.allocate(FileHeaderDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.read(bytes, 0);
        }
        return bytes;
    }

    private Path copyWithLong(final Path file, final long offset, final long value) throws Exception
    {
        return copyWith(file, offset, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value));
    }

    private Path copyWithInt(final Path file, final long offset, final int value) throws Exception
    {
        return copyWith(file, offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value));
    }

    private Path copyWith(final Path file, final long offset, final ByteBuffer bytes) throws Exception
    {
        final Path copy = Files.createTempFile(dir, "crafted", ".store");
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
        {
            channel.write(bytes, offset);
        }
        return copy;
    }
}
