package io.slotkv.core.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A staged store file ({@link MappedFileSpace#createStaged}): built in memory, written whole by its close.
 */
class StagedFileTest
{
    private static final long SMALL_CHUNK = 1 << 16;

    @TempDir
    Path dir;

    /**
     * Allocate regions over several chunks (some skipping to the next chunk), fill them with a pattern and make the
     * first the root.
     *
     * @return the file's end before the close.
     */
    private static long fill(final MappedFileSpace space)
    {
        final List<MemoryRegion> regions = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            regions.add(space.allocate(9_000 + 1_000 * (i % 7)));
        }
        for (final MemoryRegion region : regions)
        {
            for (int at = 0; at + 8 <= region.length(); at += 64)
            {
                region.putLong(at, region.offset() * 31 + at);
            }
        }
        space.root(regions.get(0));
        return space.end();
    }

    private byte[] written(final String name, final Function<Path, MappedFileSpace> open) throws Exception
    {
        final Path file = dir.resolve(name);
        try (MappedFileSpace space = open.apply(file))
        {
            assertTrue(space.created());
            fill(space);
        }
        return Files.readAllBytes(file);
    }

    @Test
    void aStagedFileIsEmptyUntilItsCloseAndThenTheFileAMappedSpaceWrites() throws Exception
    {
        final Path file = dir.resolve("staged.store");
        final long end;
        try (MappedFileSpace space = MappedFileSpace.createStaged(file, SMALL_CHUNK))
        {
            end = fill(space);
            assertTrue(end > 6 * SMALL_CHUNK, "the regions span several chunks: end=" + end);
            space.sync(); // a staged file is written at its close only
            assertEquals(0, Files.size(file), "a staged file reached the disk before its close");
        }
        assertEquals(end, Files.size(file));
        final byte[] mapped = written("mapped.store", path -> MappedFileSpace.open(path, SMALL_CHUNK));
        assertArrayEquals(mapped, Files.readAllBytes(file), "the staged file differs from the mapped one");
        try (MappedFileSpace space = MappedFileSpace.open(file, OpenMode.OPEN_EXISTING, SMALL_CHUNK))
        {
            assertTrue(space.wasClosedCleanly());
            assertEquals(SMALL_CHUNK, space.chunkSize());
            assertEquals(end, space.end());
            final MemoryRegion root = space.attach(space.rootOffset(), 9_000);
            assertEquals(root.offset() * 31 + 64, root.getLong(64));
        }
    }

    @Test
    void anAbandonedStagedFileStaysEmptyAndBecomesANewStoreWhenOpened() throws Exception
    {
        final Path file = dir.resolve("abandoned.store");
        final MappedFileSpace staged = MappedFileSpace.createStaged(file, SMALL_CHUNK);
        fill(staged);
        staged.abandon();
        assertEquals(0, Files.size(file));
        try (MappedFileSpace space = MappedFileSpace.open(file, SMALL_CHUNK))
        {
            assertTrue(space.created(), "an empty file is a new store");
        }
    }

    @Test
    void aStagedFileMustBeNewAndIsLockedWhileStaged() throws Exception
    {
        final Path file = dir.resolve("existing.store");
        final byte[] before = written("existing.store", path -> MappedFileSpace.open(path, SMALL_CHUNK));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> MappedFileSpace.createStaged(file, SMALL_CHUNK));
        assertTrue(refused.getMessage().contains("must be new") && refused.getMessage().contains("size=" +
            before.length), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "a refused staging changed the file");
        MappedFileSpace.open(file, SMALL_CHUNK).close(); // the refusal let go of the lock

        final Path fresh = dir.resolve("fresh.store");
        try (MappedFileSpace ignored = MappedFileSpace.createStaged(fresh, SMALL_CHUNK))
        {
            assertThrows(StoreLockedException.class, () -> MappedFileSpace.open(fresh, SMALL_CHUNK));
        }
        MappedFileSpace.open(fresh, OpenMode.OPEN_EXISTING, SMALL_CHUNK).close();
    }

    @Test
    void aFailedWriteIsReportedWithItsErrno()
    {
        final long address = Posix.mmapAnonymous(Posix.PAGE_SIZE);
        try
        {
            assertEquals(9, Posix.pwriteFully(-1, address, 100, 0), "EBADF");
            assertEquals(0, Posix.pwriteFully(-1, address, 0, 0), "nothing to write is no call");
        }
        finally
        {
            Posix.unmap(address, Posix.PAGE_SIZE);
        }
    }
}
