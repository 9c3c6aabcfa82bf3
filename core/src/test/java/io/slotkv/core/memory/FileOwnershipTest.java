package io.slotkv.core.memory;

import io.slotkv.core.ChildJvm;
import io.slotkv.core.jvm.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One owner per file, whatever names it: the lock follows the file's identity (device and inode), survives the
 * refusal of an alias and a copy of the open file, and a refused open changes nothing.
 */
class FileOwnershipTest
{
    private static final long CHUNK = 1 << 16;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseEveryAliasOfAnOpenStoreAndStayLockedAfterwards() throws Exception
    {
        final Path file = dir.resolve("owned.store");
        final Path symlink = Files.createSymbolicLink(dir.resolve("symlink.store"), file);
        Files.createDirectories(dir.resolve("sub"));
        final Path dotDot = dir.resolve("sub").resolve("..").resolve("owned.store");
        final Path hardLink;
        try (MappedFileSpace owner = MappedFileSpace.open(file, CHUNK))
        {
            hardLink = Files.createLink(dir.resolve("hardlink.store"), file);
            owner.markDirty();
            for (final Path alias : List.of(file, symlink, hardLink, dotDot))
            {
                final StoreLockedException ex =
                    assertThrows(StoreLockedException.class, () -> MappedFileSpace.open(alias, CHUNK), alias::toString);
                assertTrue(ex.getMessage().contains("already open for writing in this JVM"), ex.getMessage());
                assertThrows(StoreLockedException.class,
                    () -> MappedFileSpace.open(alias, OpenMode.READ_ONLY, CHUNK), alias::toString);
            }
            Files.copy(file, dir.resolve("copy.store")); // opens and closes a descriptor of the open store
            for (final Path alias : List.of(file, hardLink))
            {
                final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, alias.toString());
                assertNotEquals(0, child.exitCode, child.output);
                assertTrue(child.output.contains("StoreLockedException: store file is locked by another process"),
                    child.output);
            }
        }
        final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, hardLink.toString());
        assertEquals(0, child.exitCode, child.output);
    }

    @Test
    void shouldLeaveARefusedFileExactlyAsItWas() throws Exception
    {
        final Path notAStore = dir.resolve("not.store");
        final byte[] bytes = new byte[5000];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        Files.write(notAStore, bytes);
        final String before = sha256(notAStore);
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(notAStore, CHUNK));
        assertTrue(ex.getMessage().contains("magic="), ex.getMessage());
        assertEquals(before, sha256(notAStore));
        assertEquals(5000, Files.size(notAStore), "a refused open never grows the file");

        final Path zeros = dir.resolve("zeros.store");
        Files.write(zeros, new byte[1 << 20]); // what a creation killed before its header used to leave
        assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(zeros, CHUNK));
        assertEquals(1 << 20, Files.size(zeros));

        final Path valid = dir.resolve("valid.store");
        MappedFileSpace.open(valid, CHUNK).close();
        final long end;
        try (MappedFileSpace space = MappedFileSpace.open(valid, CHUNK))
        {
            space.root(space.allocate(256));
            end = space.end();
        }
        // a header whose end lies past the file: truncated
        try (var channel = java.nio.channels.FileChannel.open(valid, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(end - 64);
        }
        final String truncated = sha256(valid);
        final CorruptStoreException shorter =
            assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(valid, CHUNK));
        assertTrue(shorter.getMessage().contains("end=" + end), shorter.getMessage());
        assertEquals(truncated, sha256(valid));
    }

    @Test
    void shouldTreatAnEmptyFileAsAbsentOnlyWhenCreatingIsAllowed() throws Exception
    {
        final Path empty = Files.createFile(dir.resolve("empty.store"));
        final CorruptStoreException refused =
            assertThrows(CorruptStoreException.class, () -> MappedFileSpace.open(empty, OpenMode.OPEN_EXISTING, CHUNK));
        assertTrue(refused.getMessage().contains("empty"), refused.getMessage());
        assertEquals(0, Files.size(empty));
        try (MappedFileSpace space = MappedFileSpace.open(empty, OpenMode.CREATE_OR_OPEN, CHUNK))
        {
            assertTrue(space.created());
        }
        try (MappedFileSpace space = MappedFileSpace.open(empty, OpenMode.OPEN_EXISTING, CHUNK))
        {
            assertFalse(space.created());
        }

        final Path missing = dir.resolve("missing.store");
        final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
            () -> MappedFileSpace.open(missing, OpenMode.OPEN_EXISTING, CHUNK));
        assertInstanceOf(NoSuchFileException.class, ex.getCause());
        assertFalse(Files.exists(missing), "open-existing never creates a file");
        assertThrows(UncheckedIOException.class, () -> MappedFileSpace.open(missing, OpenMode.READ_ONLY, CHUNK));
        assertFalse(Files.exists(missing));
    }

    @Test
    void shouldShareAReadOnlyStoreAndKeepWritersOut() throws Exception
    {
        final Path file = dir.resolve("shared.store");
        try (MappedFileSpace space = MappedFileSpace.open(file, CHUNK))
        {
            final MemoryRegion root = space.allocate(64);
            root.putLongRelease(0, 77);
            space.root(root);
        }
        try (MappedFileSpace first = MappedFileSpace.open(file, OpenMode.READ_ONLY, CHUNK);
             MappedFileSpace second = MappedFileSpace.open(file, OpenMode.READ_ONLY, CHUNK))
        {
            assertTrue(first.isReadOnly());
            assertEquals(77, second.attach(second.rootOffset(), 64).getLongVolatile(0));
            assertThrows(IllegalStateException.class, () -> first.allocate(64));
            assertThrows(IllegalStateException.class, first::markDirty);
            assertThrows(StoreLockedException.class, () -> MappedFileSpace.open(file, CHUNK));
            final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString());
            assertNotEquals(0, child.exitCode, child.output);
            assertTrue(child.output.contains("StoreLockedException"), child.output);
        }
        try (MappedFileSpace writer = MappedFileSpace.open(file, CHUNK))
        {
            writer.markDirty();
            final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString(), "READ_ONLY");
            assertNotEquals(0, child.exitCode, child.output);
            assertTrue(child.output.contains("open for writing by another process"), child.output);
        }
    }

    @Test
    void shouldKeepEveryWriteOfAPrivateCopyOutOfTheFile() throws Exception
    {
        final Path file = dir.resolve("checked.store");
        final MappedFileSpace crashed = MappedFileSpace.open(file, CHUNK);
        final MemoryRegion root = crashed.allocate(64);
        root.putLongRelease(0, 77);
        crashed.root(root);
        crashed.allocate(4096).putLongRelease(4088, 0x5A5A); // the file's last bytes: the chunk's mapped tail
        crashed.abandon(); // dirty, as a killed process leaves it
        final long length = Files.size(file);
        final String before = sha256(file);
        try (MappedFileSpace copy = MappedFileSpace.open(file, OpenMode.PRIVATE, CHUNK))
        {
            assertFalse(copy.isReadOnly());
            assertFalse(copy.wasClosedCleanly());
            assertEquals(77, copy.attach(copy.rootOffset(), 64).getLongVolatile(0));
            copy.attach(copy.rootOffset(), 64).putLongRelease(0, 78);
            // past the file's end (within its chunk and in the next chunks): zeros, writable, no SIGBUS
            for (int i = 0; i < 3; i++)
            {
                final MemoryRegion grown = copy.allocate((int)CHUNK / 2);
                assertEquals(0, grown.getLongVolatile(grown.length() - 8));
                grown.putLongRelease(grown.length() - 8, -1);
            }
            copy.sync();
            assertEquals(78, copy.attach(copy.rootOffset(), 64).getLongVolatile(0));
            assertThrows(StoreLockedException.class, () -> MappedFileSpace.open(file, CHUNK));
            final ChildJvm writer = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString());
            assertTrue(writer.output.contains("StoreLockedException"), writer.output);
            try (MappedFileSpace second = MappedFileSpace.open(file, OpenMode.PRIVATE, CHUNK))
            {
                assertEquals(77, second.attach(second.rootOffset(), 64).getLongVolatile(0)); // copies are apart
            }
        }
        assertEquals(length, Files.size(file));
        assertEquals(before, sha256(file), "a private copy changed the file");
        try (MappedFileSpace writer = MappedFileSpace.open(file, CHUNK))
        {
            assertFalse(writer.wasClosedCleanly(), "the private copy's clean close reached the file");
            writer.markDirty();
            final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), OpenStore.class, file.toString(),
                "PRIVATE");
            assertNotEquals(0, child.exitCode, child.output);
            assertTrue(child.output.contains("open for writing by another process"), child.output);
        }
    }

    @Test
    void shouldRefuseAReadOnlyOpenOfAFileThatNeedsRecovery() throws Exception
    {
        final Path file = dir.resolve("crashed.store");
        final MappedFileSpace space = MappedFileSpace.open(file, CHUNK);
        space.markDirty();
        space.abandon(); // as a killed process leaves it
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> MappedFileSpace.open(file, OpenMode.READ_ONLY, CHUNK));
        assertTrue(ex.getMessage().contains("needs recovery"), ex.getMessage());
        try (MappedFileSpace again = MappedFileSpace.open(file, CHUNK))
        {
            assertFalse(again.wasClosedCleanly());
        }
    }

    @Test
    void shouldLetExactlyOneOfTwoRacingCreatorsOwnANewFile() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final Path file = dir.resolve("race-" + round + ".store");
            final CountDownLatch start = new CountDownLatch(1);
            final List<Object> outcomes = new CopyOnWriteArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        outcomes.add(MappedFileSpace.open(file, CHUNK));
                    }
                    catch (final Throwable ex)
                    {
                        outcomes.add(ex);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            int owners = 0;
            for (final Object outcome : outcomes)
            {
                if (outcome instanceof MappedFileSpace)
                {
                    owners++;
                    ((MappedFileSpace)outcome).close();
                }
                else
                {
                    assertInstanceOf(StoreLockedException.class, outcome, String.valueOf(outcome));
                }
            }
            assertEquals(1, owners, outcomes.toString());
            MappedFileSpace.open(file, OpenMode.OPEN_EXISTING, CHUNK).close();
        }
    }

    static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    public static final class OpenStore
    {
        public static void main(final String[] args)
        {
            final OpenMode mode = args.length > 1 ? OpenMode.valueOf(args[1]) : OpenMode.CREATE_OR_OPEN;
            MappedFileSpace.open(Path.of(args[0]), mode, CHUNK).close();
        }
    }
}
