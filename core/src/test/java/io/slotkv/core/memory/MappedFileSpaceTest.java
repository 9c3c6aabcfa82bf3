package io.slotkv.core.memory;

import io.slotkv.core.ChildJvm;
import io.slotkv.core.jvm.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappedFileSpaceTest
{
    private static final long SMALL_CHUNK = 1 << 16;

    @TempDir
    Path dir;

    @Test
    void shouldCreateAFileWithAHeaderAndReopenItWithTheRoot()
    {
        final Path file = dir.resolve("a.store");
        final long rootOffset;
        try (MappedFileSpace space = MappedFileSpace.open(file, SMALL_CHUNK))
        {
            assertTrue(space.created());
            assertEquals(MemorySpace.NO_ROOT, space.rootOffset());
            final MemoryRegion root = space.allocate(256);
            root.putLongRelease(0, 42);
            root.putLongRelease(248, -42);
            space.root(root);
            rootOffset = root.offset();
        }
        try (MappedFileSpace space = MappedFileSpace.open(file, 1 << 20))
        {
            assertFalse(space.created());
            assertTrue(space.wasClosedCleanly());
            assertEquals(SMALL_CHUNK, space.chunkSize(), "an existing file keeps its chunk size");
            assertEquals(rootOffset, space.rootOffset());
            final MemoryRegion root = space.attach(space.rootOffset(), 256);
            assertEquals(42, root.getLongAcquire(0));
            assertEquals(-42, root.getLongAcquire(248));
        }
    }

    @Test
    void shouldAlignRegionsAndNeverLetThemStraddleAChunk()
    {
        try (MappedFileSpace space = MappedFileSpace.open(dir.resolve("b.store"), SMALL_CHUNK))
        {
            long previousEnd = FileHeaderDescriptor.HEADER_LENGTH;
            for (int i = 0; i < 200; i++)
            {
                final int length = 64 + (i * 7919) % 20_000;
                final MemoryRegion region = space.allocate(length);
                assertEquals(0, region.offset() % MemorySpace.REGION_ALIGNMENT, region.toString());
                assertEquals(0, region.address() % 8, region.toString());
                assertEquals(region.offset() / SMALL_CHUNK, (region.offset() + length - 1) / SMALL_CHUNK,
                    "region straddles a chunk: " + region);
                assertTrue(region.offset() >= previousEnd, "regions overlap: " + region);
                previousEnd = region.offset() + length;
                for (int j = 0; j + 8 <= length; j += 4096)
                {
                    assertEquals(0, region.getLong(j), "new region not zero: " + region);
                }
            }
            assertEquals(previousEnd, space.end());
        }
    }

    @Test
    void shouldMapFilesLargerThanTwoGibibytes()
    {
        final Path file = dir.resolve("big.store");
        final long chunk = 256L << 20;
        final int length = 200 << 20; // one region per chunk
        final List<Long> offsets = new ArrayList<>();
        try (MappedFileSpace space = MappedFileSpace.open(file, chunk))
        {
            while (space.end() < (3L << 30))
            {
                final MemoryRegion region = space.allocate(length);
                region.putLongRelease(0, region.offset());
                region.putLongRelease(length - 8, ~region.offset());
                offsets.add(region.offset());
            }
        }
        assertTrue(offsets.get(offsets.size() - 1) > (2L << 30), offsets.toString());
        try (MappedFileSpace space = MappedFileSpace.open(file))
        {
            for (final long offset : offsets)
            {
                final MemoryRegion region = space.attach(offset, length);
                assertEquals(offset, region.getLongAcquire(0));
                assertEquals(~offset, region.getLongAcquire(length - 8));
            }
        }
    }

    @Test
    void shouldRejectRegionsOutsideTheFile()
    {
        try (MappedFileSpace space = MappedFileSpace.open(dir.resolve("c.store"), SMALL_CHUNK))
        {
            final MemoryRegion region = space.allocate(1024);
            assertEquals(region.offset(), space.attach(region.offset(), 1024).offset());
            final CorruptStoreException beyond =
                assertThrows(CorruptStoreException.class, () -> space.attach(region.offset(), 1024 + 64));
            assertTrue(beyond.getMessage().contains("offset=" + region.offset()), beyond.getMessage());
            assertThrows(CorruptStoreException.class, () -> space.attach(0, 64));
            assertThrows(CorruptStoreException.class, () -> space.attach(region.offset() + 8, 64));
            assertThrows(CorruptStoreException.class, () -> space.attach(Long.MAX_VALUE - 63, 64));
            assertThrows(CorruptStoreException.class, () -> space.attach(-64, 64));
            assertThrows(CorruptStoreException.class, () -> space.attach(region.offset(), -1));
            assertThrows(CorruptStoreException.class, () -> space.attach(SMALL_CHUNK - 64, 128));
        }
    }

    @Test
    void shouldRejectAFileThatIsNotAStore() throws Exception
    {
        final Path file = dir.resolve("not.store");
        Files.write(file, new byte[4096]);
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(file));
        assertTrue(ex.getMessage().contains("not a SlotKV store file"), ex.getMessage());
        final Path tiny = dir.resolve("tiny.store");
        Files.write(tiny, new byte[]{1, 2, 3});
        assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(tiny));
        // the failed opens released the file: it can be replaced and opened
        Files.delete(file);
        MappedFileSpace.open(file, SMALL_CHUNK).close();
    }

    @Test
    void shouldRejectAnUnsupportedFormatVersion() throws Exception
    {
        final Path file = dir.resolve("v.store");
        MappedFileSpace.open(file, SMALL_CHUNK).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer version = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 99);
            channel.write(version, FileHeaderDescriptor.FORMAT_VERSION_OFFSET);
        }
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(file));
        assertTrue(ex.getMessage().contains("version=99"), ex.getMessage());
    }

    @Test
    void shouldNameTheEarlierFormatVersionsItRefuses() throws Exception
    {
        final String[] named = {null, "SlotKV 0.1", "SlotKV 0.2", "development build: tables without the absent-key"};
        for (int version = 1; version <= 3; version++)
        {
            final Path file = dir.resolve("v" + version + ".store");
            MappedFileSpace.open(file, SMALL_CHUNK).close();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, version),
                    FileHeaderDescriptor.FORMAT_VERSION_OFFSET);
            }
            final CorruptStoreException ex =
                assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(file));
            assertTrue(ex.getMessage().contains("store format version " + version) &&
                ex.getMessage().contains(named[version]) && ex.getMessage().contains("reads version 4"),
                ex.getMessage());
        }
    }

    @Test
    void shouldRecordAnUncleanClose() throws Exception
    {
        final Path file = dir.resolve("dirty.store");
        MappedFileSpace.open(file, SMALL_CHUNK).close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(FileHeaderDescriptor.STATE_OFFSET);
            raf.write(FileHeaderDescriptor.STATE_OPEN == 1 ? 1 : 0);
        }
        try (MappedFileSpace space = MappedFileSpace.open(file))
        {
            assertFalse(space.wasClosedCleanly());
        }
        try (MappedFileSpace space = MappedFileSpace.open(file))
        {
            assertFalse(space.wasClosedCleanly(), "a close without writes never marks a dirty file clean");
            space.markDirty();
        }
        try (MappedFileSpace space = MappedFileSpace.open(file))
        {
            assertTrue(space.wasClosedCleanly());
        }
    }

    @Test
    void shouldRefuseASecondOpenInThisJvmAndAllowItAfterClose()
    {
        final Path file = dir.resolve("d.store");
        final MappedFileSpace first = MappedFileSpace.open(file, SMALL_CHUNK);
        final StoreLockedException ex = assertThrows(StoreLockedException.class, () -> MappedFileSpace.open(file));
        assertTrue(ex.getMessage().contains(file.getFileName().toString()), ex.getMessage());
        first.close();
        first.close();
        assertThrows(IllegalStateException.class, () -> first.allocate(64));
        MappedFileSpace.open(file).close();
    }

    @Test
    void shouldRefuseAnOpenFromAnotherProcess() throws Exception
    {
        final Path file = dir.resolve("e.store");
        try (MappedFileSpace ignored = MappedFileSpace.open(file, SMALL_CHUNK))
        {
            final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString());
            assertNotEquals(0, child.exitCode, child.output);
            assertTrue(child.output.contains("StoreLockedException: store file is locked by another process"),
                child.output);
        }
        final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString());
        assertEquals(0, child.exitCode, child.output);
    }

    public static final class OpenStore
    {
        public static void main(final String[] args)
        {
            MappedFileSpace.open(Path.of(args[0])).close();
        }
    }
}
