package io.slotkv.map;

import io.slotkv.core.memory.StoreLockedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Online backup: taken while two writers run, every key of the backup holds a value the writers really wrote for
 * it and every key that had a value throughout is there; the backup reopens (restore) as a verified store of the
 * source's kind; a backup that fails part-way leaves nothing under the destination's name and the source as it
 * was. The kill -9 variant (a child JVM killed during the backup) is left for the CLI issue's process tests.
 * <p>
 * Every test here runs with the new file staged in memory (this class) and mapped ({@link MappedStoreBackupTest}).
 */
class StoreBackupTest
{
    private static final int KEYS = 20_000;

    @TempDir
    Path dir;

    /**
     * @return the staging budget the tests run with: the backup's new file is staged.
     */
    long stagingBudget()
    {
        return Long.MAX_VALUE;
    }

    @BeforeEach
    void budget()
    {
        StoreBackup.stagingBudget = stagingBudget();
    }

    @AfterEach
    void noHook()
    {
        StoreBackup.copyHook = null;
        StoreBackup.writtenHook = null;
        StoreBackup.stagingBudget = -1;
    }

    /**
     * The two ways of writing the new file, told apart on disk: during the copy a staged file is still empty, a
     * mapped one already holds its tables; both end as the same complete backup.
     */
    @Test
    void theNewFileIsStagedInMemoryWithinTheBudgetAndMappedBeyondIt() throws Exception
    {
        final Path backup = dir.resolve("backup.slotkv");
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            for (int i = 0; i < 3 * StoreBackup.PROGRESS_EVERY; i++)
            {
                store.put(utf8("k" + i), utf8("v" + i));
            }
            final List<Long> sizes = new ArrayList<>();
            StoreBackup.copyHook = () ->
            {
                try (Stream<Path> files = Files.list(dir))
                {
                    for (final Path file : files.collect(Collectors.toList()))
                    {
                        sizes.add(Files.size(file));
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            };
            assertEquals(3 * StoreBackup.PROGRESS_EVERY, StoreBackup.backup(store, backup));
            assertEquals(3, sizes.size(), "one temporary file, seen at each of 3 progress steps: " + sizes);
            final boolean staged = store.offHeapBytes() <= stagingBudget();
            for (final long size : sizes)
            {
                assertEquals(staged, 0 == size, (staged ? "staged" : "mapped") + ", sizes during the copy " + sizes);
            }
        }
        try (OffHeapByteStore restored = OffHeapByteStore.builder().file(backup).build())
        {
            assertEquals(3 * StoreBackup.PROGRESS_EVERY, restored.size());
            assertArrayEquals(utf8("v7"), restored.get(utf8("k7")));
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(120)
    void aBackupUnderTwoWritersHoldsOnlyValuesTheKeysHad() throws Exception
    {
        final Path source = dir.resolve("source.slotkv");
        final Path backup = dir.resolve("backup.slotkv");
        // every value a key ever had: "key:writer:sequence"; keys [0, KEYS) start with "key:init", and writers
        // overwrite (never remove) the even keys, so those have a value for the whole backup
        final List<Set<String>> written = new ArrayList<>();
        for (int i = 0; i < KEYS; i++)
        {
            written.add(ConcurrentHashMap.newKeySet());
            written.get(i).add(i + ":init");
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(source).segments(8).build())
        {
            for (int i = 0; i < KEYS; i++)
            {
                store.put(utf8("k" + i), utf8(i + ":init"));
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch started = new CountDownLatch(2 * 1000);
            final List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++)
            {
                final int writer = w;
                final Thread thread = new Thread(() ->
                {
                    long sequence = 0;
                    int key = writer;
                    while (!stop.get())
                    {
                        key = (key + 2 * 7919) % KEYS;
                        final String value = key + ":" + writer + ":" + sequence++;
                        written.get(key).add(value); // logged before the put: a reader may see it from the put on
                        if (1 == (key & 1) && 0 == sequence % 3)
                        {
                            store.remove(utf8("k" + key)); // odd keys come and go
                        }
                        else
                        {
                            store.put(utf8("k" + key), utf8(value));
                        }
                        started.countDown();
                    }
                });
                thread.start();
                writers.add(thread);
            }
            started.await(); // both writers have written a thousand times before the backup begins
            final long entries = StoreBackup.backup(store, backup);
            stop.set(true);
            for (final Thread thread : writers)
            {
                thread.join();
            }
            assertTrue(entries >= KEYS / 2, "every even key is in it: entries=" + entries);
        }
        try (OffHeapByteStore restored = OffHeapByteStore.builder().file(backup).build())
        {
            assertTrue(restored.recoveryReport().isEmpty(), "the backup was closed clean");
            final int[] even = {0};
            restored.forEach((key, value) ->
            {
                final byte[] k = new byte[key.capacity()];
                key.getBytes(0, k);
                final int index = Integer.parseInt(new String(k, 1, k.length - 1, StandardCharsets.UTF_8));
                final String v = value.getStringWithoutLengthUtf8(0, value.capacity());
                assertTrue(written.get(index).contains(v), "key " + index + " holds " + v + ", never written");
                assertTrue(v.startsWith(index + ":"), "a value of another key: " + v);
                if (0 == (index & 1))
                {
                    even[0]++;
                }
            });
            assertEquals(KEYS / 2, even[0], "every key that had a value throughout is in the backup");
        }
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(Set.of("source.slotkv", "backup.slotkv"),
                files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no temporary file left");
        }
    }

    @Test
    void aLongMapBackupReopensWithEveryEntryAndTheMissingValue()
    {
        final Path backup = dir.resolve("map-backup.slotkv");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(4).missingValue(-1).build())
        {
            for (long key = 0; key < KEYS; key++)
            {
                map.put(key, key * 3);
            }
            map.asConcurrentMap().put(-5L, -1L);
            assertEquals(KEYS + 1, StoreBackup.backup(map, backup));
        }
        try (OffHeapLongLongMap restored = OffHeapLongLongMap.builder().file(backup).build())
        {
            assertEquals(KEYS + 1, restored.size());
            assertEquals(-1, restored.missingValue());
            assertEquals(4, restored.segmentCount());
            assertEquals(0, restored.get(0));
            assertEquals(3 * (KEYS - 1), restored.get(KEYS - 1));
            assertEquals(-1L, restored.asConcurrentMap().get(-5L));
        }
    }

    @Test
    void aBackupThatFailsPartWayLeavesNoFileAndTheSourceAsItWas() throws Exception
    {
        final Path backup = dir.resolve("backup.slotkv");
        Files.writeString(backup, "an older backup");
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            for (int i = 0; i < 5 * StoreBackup.PROGRESS_EVERY; i++)
            {
                store.put(utf8("k" + i), utf8("v" + i));
            }
            final int[] calls = {0};
            StoreBackup.copyHook = () ->
            {
                if (++calls[0] == 2)
                {
                    throw new IllegalStateException("simulated failure part-way");
                }
            };
            final IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> StoreBackup.backup(store, backup));
            assertEquals("simulated failure part-way", failed.getMessage());
            assertEquals("an older backup", Files.readString(backup), "the destination is untouched");
            try (Stream<Path> files = Files.list(dir))
            {
                assertEquals(List.of(backup), files.collect(Collectors.toList()), "the temporary file is gone");
            }
            assertEquals(5 * StoreBackup.PROGRESS_EVERY, store.size());
            assertArrayEquals(utf8("v7"), store.get(utf8("k7")));
            StoreBackup.copyHook = null;
            assertEquals(5 * StoreBackup.PROGRESS_EVERY, StoreBackup.backup(store, backup), "and a retry works");
        }
        try (OffHeapByteStore restored = OffHeapByteStore.builder().file(backup).build())
        {
            assertEquals(5 * StoreBackup.PROGRESS_EVERY, restored.size());
        }
    }

    /**
     * The verification of a written backup is what stands between damage and the destination: bytes changed in the
     * temporary file after its close (a value's, a key's) make the backup throw, delete it and leave the older
     * backup in place.
     */
    @Test
    void aBackupDamagedAfterItWasWrittenFailsItsVerificationAndIsDeleted() throws Exception
    {
        final Path backup = dir.resolve("backup.slotkv");
        Files.writeString(backup, "an older backup");
        final byte[] marked = utf8("a value nobody else has: 5eed1e55");
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            for (int i = 0; i < KEYS; i++)
            {
                store.put(utf8("k" + i), utf8("v" + i));
            }
            store.put(utf8("marked"), marked);
            StoreBackup.writtenHook = file -> flip(file, marked);
            final io.slotkv.core.memory.CorruptStoreException failed = assertThrows(
                io.slotkv.core.memory.CorruptStoreException.class, () -> StoreBackup.backup(store, backup));
            assertTrue(failed.getMessage().contains("backup failed its verification, deleted") &&
                failed.getMessage().contains("checksum does not match"), failed.getMessage());
            assertOnly(backup);
        }
        final long key = 0x5eed_1e55_0bad_cafeL;
        final byte[] keyBytes = java.nio.ByteBuffer.allocate(Long.BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(key).array();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(4).build())
        {
            for (long k = 0; k < KEYS; k++)
            {
                map.put(k, k);
            }
            map.put(key, 1);
            StoreBackup.writtenHook = file -> flip(file, keyBytes);
            final io.slotkv.core.memory.CorruptStoreException failed = assertThrows(
                io.slotkv.core.memory.CorruptStoreException.class, () -> StoreBackup.backup(map, backup));
            assertTrue(failed.getMessage().contains("backup failed its verification, deleted"), failed.getMessage());
            assertOnly(backup);
        }
    }

    /**
     * A backup holds no table its close retired: the close of its new file (only the backup wrote it) makes no fence
     * copy, so a slot word of the backup's table (frozen or not) and a long map's key are in the file once.
     */
    @Test
    void aBackupHoldsEachTableOnce() throws Exception
    {
        final Path bytes = dir.resolve("bytes.backup");
        try (OffHeapByteStore source = OffHeapByteStore.builder().segments(2).build())
        {
            for (int i = 0; i < KEYS; i++)
            {
                source.put(utf8("k" + i), utf8("v" + i));
            }
            StoreBackup.backup(source, bytes);
        }
        final long word;
        try (OffHeapByteStore backup = OffHeapByteStore.builder().file(bytes, io.slotkv.core.memory.OpenMode.READ_ONLY)
            .build())
        {
            final ByteTable table = backup.segment(0).table;
            long found = EntryRef.EMPTY;
            for (int i = 0; i < table.capacity && EntryRef.EMPTY == found; i++)
            {
                found = table.wordAt(i);
            }
            word = found;
        }
        assertEquals(1, occurrences(bytes, word) + occurrences(bytes, word | EntryRef.FROZEN_BIT),
            "a slot word of the backup's table");
        final Path map = dir.resolve("map.backup");
        final long key = 0x7ab1_e0ce_5eed_0001L;
        try (OffHeapLongLongMap source = OffHeapLongLongMap.builder().segments(2).build())
        {
            for (long k = 0; k < KEYS; k++)
            {
                source.put(k, k);
            }
            source.put(key, 1);
            StoreBackup.backup(source, map);
        }
        assertEquals(1, occurrences(map, key), "a key of the backup's long map");
    }

    private static int occurrences(final Path file, final long word) throws java.io.IOException
    {
        final java.nio.LongBuffer words = java.nio.ByteBuffer.wrap(Files.readAllBytes(file))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        int count = 0;
        while (words.hasRemaining())
        {
            count += word == words.get() ? 1 : 0; // slot words and keys are 8-byte aligned in the file
        }
        return count;
    }

    /**
     * Change one byte of each place {@code bytes} are in {@code file} (a long map's key is there twice: in its table
     * and in the table the close copied it from, now free space).
     */
    private static void flip(final Path file, final byte[] bytes)
    {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE))
        {
            final byte[] content = Files.readAllBytes(file);
            int flipped = 0;
            for (int i = 0; i + bytes.length <= content.length; i++)
            {
                if (java.util.Arrays.equals(content, i, i + bytes.length, bytes, 0, bytes.length))
                {
                    channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte)(content[i + 3] ^ 0x5A)}), i + 3);
                    flipped++;
                }
            }
            assertTrue(flipped > 0, "the bytes are in the written backup");
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** The older backup is untouched and no temporary file is left beside it. */
    private void assertOnly(final Path backup) throws java.io.IOException
    {
        assertEquals("an older backup", Files.readString(backup));
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(backup), files.collect(Collectors.toList()), "the temporary file is gone");
        }
    }

    @Test
    void aByteStoreBackupKeepsDeadlinesAndDropsWhatHasExpired()
    {
        final ManualClock clock = new ManualClock(System.currentTimeMillis()); // the backup reopens on the real clock
        final Path backup = dir.resolve("deadlines.slotkv");
        try (OffHeapByteStore store = OffHeapByteStore.builder().clock(clock).expirySweeper(false).build())
        {
            store.putUntil(utf8("lease"), utf8("held"), clock.millis() + 3_600_000);
            store.putUntil(utf8("gone"), utf8("expired"), clock.millis() + 1);
            store.put(utf8("plain"), utf8("forever"));
            clock.advance(2);
            assertEquals(2, StoreBackup.backup(store, backup));
        }
        try (OffHeapByteStore restored = OffHeapByteStore.builder().file(backup).build())
        {
            final long left = restored.pttl(utf8("lease"));
            assertTrue(left > 3_000_000 && left <= 3_600_000, "the deadline came along: pttl=" + left);
            assertEquals(OffHeapByteStore.TTL_NONE, restored.pttl(utf8("plain")));
            assertEquals(OffHeapByteStore.TTL_ABSENT, restored.pttl(utf8("gone")));
            assertEquals(2, restored.size());
        }
    }

    @Test
    void aDestinationWithoutAFileNameIsRefused()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            assertThrows(IllegalArgumentException.class, () -> StoreBackup.backup(store, Path.of("/")));
            assertFalse(Files.exists(dir.resolve("x")));
        }
    }

    @Test
    void aRestoreReplacesAClosedStoreWithTheBackupAndRefusesAnOpenOne() throws Exception
    {
        final Path backup = dir.resolve("bytes.backup");
        final Path live = dir.resolve("bytes.store");
        try (OffHeapByteStore source = OffHeapByteStore.builder().segments(2).build())
        {
            for (int i = 0; i < 1000; i++)
            {
                source.putString("k" + i, "v" + i);
            }
            StoreBackup.backup(source, backup);
        }
        try (OffHeapByteStore damaged = OffHeapByteStore.builder().file(live).build())
        {
            damaged.putString("k0", "other");
            damaged.putString("only-here", "x");
            assertThrows(StoreLockedException.class, () -> StoreBackup.restore(backup, live));
        }
        assertEquals(StoreFile.Kind.BYTE_STORE, StoreFile.read(backup).kind());
        final String before = FileOwnershipCheck.sha256(backup);
        assertEquals(1000, StoreBackup.restore(backup, live));
        assertEquals(before, FileOwnershipCheck.sha256(backup), "restore changed the backup");
        try (OffHeapByteStore restored = OffHeapByteStore.builder().file(live).verifyOnOpen(true).build())
        {
            assertEquals(1000, restored.size());
            assertEquals("v0", restored.getString("k0"));
            assertEquals(null, restored.getString("only-here"));
        }
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(Set.of("bytes.backup", "bytes.store"),
                files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "no temporary file left");
        }
    }

    @Test
    void aRestoreOfALongMapBackupOrOfABadFileIsCheckedFirst() throws Exception
    {
        final Path backup = dir.resolve("map.backup");
        final Path live = dir.resolve("map.store");
        try (OffHeapLongLongMap source = OffHeapLongLongMap.builder().build())
        {
            for (long key = 0; key < KEYS; key++)
            {
                source.put(key, -key);
            }
            StoreBackup.backup(source, backup);
        }
        assertEquals(KEYS, StoreBackup.restore(backup, live));
        try (OffHeapLongLongMap restored = OffHeapLongLongMap.builder().file(live).build())
        {
            assertEquals(KEYS, restored.size());
            assertEquals(-(KEYS - 1), restored.get(KEYS - 1));
        }
        final Path junk = dir.resolve("junk.backup");
        Files.write(junk, new byte[8192]);
        assertThrows(io.slotkv.core.memory.CorruptStoreException.class, () -> StoreBackup.restore(junk, live));
        final Path dirty = dir.resolve("dirty.backup");
        final OffHeapLongLongMap crashed = OffHeapLongLongMap.builder().file(dirty).build();
        crashed.put(1, 1);
        final io.slotkv.core.memory.CorruptStoreException ex = assertThrows(
            io.slotkv.core.memory.CorruptStoreException.class, () -> StoreBackup.restore(dirty, dir.resolve("x")));
        assertTrue(ex.getMessage().contains("not closed cleanly"), ex.getMessage());
        crashed.close();
        try (OffHeapLongLongMap restored = OffHeapLongLongMap.builder().file(live).build())
        {
            assertEquals(KEYS, restored.size(), "a refused restore changed the target");
        }
    }

    @Test
    void aRestoreOfADamagedByteStoreBackupIsRefusedAndChangesNothing() throws Exception
    {
        final Path backup = dir.resolve("bytes.backup");
        final Path live = dir.resolve("bytes.store");
        final byte[] marked = utf8("a value nobody else has: 0dd5a1e5");
        try (OffHeapByteStore source = OffHeapByteStore.builder().build())
        {
            for (int i = 0; i < KEYS; i++)
            {
                source.put(utf8("k" + i), utf8("v" + i));
            }
            source.put(utf8("marked"), marked);
            StoreBackup.backup(source, backup);
        }
        Files.writeString(live, "not replaced");
        flip(backup, marked);
        final String damaged = FileOwnershipCheck.sha256(backup);
        final io.slotkv.core.memory.CorruptStoreException refused = assertThrows(
            io.slotkv.core.memory.CorruptStoreException.class, () -> StoreBackup.restore(backup, live));
        assertTrue(refused.getMessage().contains("backup fails its check, not restored") &&
            refused.getMessage().contains("checksum does not match"), refused.getMessage());
        assertEquals("not replaced", Files.readString(live));
        assertEquals(damaged, FileOwnershipCheck.sha256(backup), "the check changed the backup");
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(Set.of("bytes.backup", "bytes.store"),
                files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "no temporary file left");
        }
    }

    /** SHA-256 of a file, to show it unchanged. */
    static final class FileOwnershipCheck
    {
        static String sha256(final Path file) throws Exception
        {
            return java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        }
    }
}
