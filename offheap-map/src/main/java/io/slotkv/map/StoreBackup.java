package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Online backup of an open store into a new store file, while writers go on.
 * <p>
 * <b>What a backup holds.</b> The entries of {@code forEach}: each key with a value during the whole backup is in
 * it once, with a value (and, for a byte store, a deadline) it had during the backup; keys written or removed
 * meanwhile may or may not be. It is not a point-in-time snapshot across keys: two keys written one after the other
 * during the backup may be in it with the second's new value and the first's old one.
 * <p>
 * <b>Steps, and what a crash between them leaves.</b> (1) A new store file is created beside the destination under
 * a temporary name ({@code .<name>.backup-<pid>-<n>.tmp}), with the source's segments and limits, presized for its
 * entries: no replaced table, no freed block. While the source's off-heap memory fits in half the free memory, the
 * file is staged: built in memory and written whole at its close (see {@link MappedFileSpace#createStaged});
 * otherwise mapped as any store file. (2) Every entry is copied into it. (3) It is closed, which writes it (staged),
 * syncs it and marks it clean. (4) It is opened again with {@code verifyOnOpen}, which checks every table and, for a byte
 * store, every entry's lengths, generation, CRC32C and slot (read-only: nothing is rebuilt or written again; a long
 * map's check runs on a private copy); a backup that fails the check is deleted and the backup throws. (5) It is renamed to
 * the destination (atomically, replacing an older backup), and the directory is synced. A crash before (5) leaves
 * the temporary file, never a partial file under the destination's name, and the source untouched: the source is
 * only read. A failure in any step deletes the temporary file.
 * <p>
 * <b>Restore</b> is opening the backup: it is a store file like any other (of the source's kind, segments and
 * limits), so opening it maps it without loading anything. {@link #restore} instead puts a copy of it in place of
 * a store file that no process has open.
 */
public final class StoreBackup
{
    /** How often a backup reports its progress, in entries copied. */
    public static final int PROGRESS_EVERY = 1024;

    /** Test seam: run after every {@link #PROGRESS_EVERY} entries copied; null in production. */
    static volatile Runnable copyHook;

    /** Test seam: run with the temporary file once it is written and closed, before it is verified; null in production. */
    static volatile java.util.function.Consumer<Path> writtenHook;

    /**
     * Test seam: the memory a backup may stage its new file in, in bytes; negative (production) for half the free
     * memory (see {@link #newFile}).
     */
    static volatile long stagingBudget = -1;

    private static final LongConsumer NO_PROGRESS = entries ->
    {
    };

    private StoreBackup()
    {
    }

    /**
     * Back up a byte store into a new store file at {@code destination}.
     *
     * @param source      the open store to copy; writers may go on.
     * @param destination the backup file to write (replaced if it exists), in a directory that allows an atomic rename.
     * @return the number of entries the backup holds.
     * @throws UncheckedIOException  if the backup file cannot be written, synced or renamed (no file is left
     *                               under {@code destination}'s name unless one was there before).
     * @throws CorruptStoreException if the written backup fails its verification (it is deleted).
     * @throws IllegalStateException if the source is closed.
     */
    public static long backup(final OffHeapByteStore source, final Path destination)
    {
        return backup(source, destination, NO_PROGRESS);
    }

    /**
     * Back up a byte store into a new store file at {@code destination}, telling {@code progress} how far it is.
     *
     * @param source      the open store to copy; writers may go on.
     * @param destination the backup file to write (replaced if it exists and no store has it open).
     * @param progress    called on the backing-up thread with the entries copied so far, every
     *                    {@value #PROGRESS_EVERY} entries (for a progress bar; it must not throw).
     * @return the number of entries the backup holds.
     * @throws UncheckedIOException  as {@link #backup(OffHeapByteStore, Path)}.
     * @throws CorruptStoreException if the written backup fails its verification (it is deleted).
     * @throws IllegalStateException if the source is closed.
     */
    public static long backup(final OffHeapByteStore source, final Path destination, final LongConsumer progress)
    {
        final Path temporary = temporary(destination);
        try
        {
            final long entries;
            final OffHeapByteStore target = OffHeapByteStore.builder().space(newFile(temporary, source.offHeapBytes()))
                .segments(source.segmentCount()).maxKeyLength(source.maxKeyLength())
                .maxValueLength(source.maxValueLength()).initialCapacity(source.size()).expirySweeper(false)
                .statistics(false).build();
            entries = write(() -> copy(source, target, progress), target::closeUnshared, temporary);
            verify(temporary);
            publish(temporary, destination);
            return entries;
        }
        catch (final RuntimeException | Error ex)
        {
            deleteQuietly(temporary, ex);
            throw ex;
        }
    }

    /**
     * Back up a long map into a new store file at {@code destination}.
     *
     * @param source      the open map to copy; writers may go on.
     * @param destination the backup file to write (replaced if it exists), in a directory that allows an atomic rename.
     * @return the number of entries the backup holds.
     * @throws UncheckedIOException  if the backup file cannot be written, synced or renamed (no file is left
     *                               under {@code destination}'s name unless one was there before).
     * @throws CorruptStoreException if the written backup fails its verification (it is deleted).
     * @throws IllegalStateException if the source is closed.
     */
    public static long backup(final OffHeapLongLongMap source, final Path destination)
    {
        return backup(source, destination, NO_PROGRESS);
    }

    /**
     * Back up a long map into a new store file at {@code destination}, telling {@code progress} how far it is.
     *
     * @param source      the open map to copy; writers may go on.
     * @param destination the backup file to write (replaced if it exists and no store has it open).
     * @param progress    called on the backing-up thread with the entries copied so far, every
     *                    {@value #PROGRESS_EVERY} entries (for a progress bar; it must not throw).
     * @return the number of entries the backup holds.
     * @throws UncheckedIOException  as {@link #backup(OffHeapLongLongMap, Path)}.
     * @throws CorruptStoreException if the written backup fails its verification (it is deleted).
     * @throws IllegalStateException if the source is closed.
     */
    public static long backup(final OffHeapLongLongMap source, final Path destination, final LongConsumer progress)
    {
        final Path temporary = temporary(destination);
        try
        {
            final long[] entries = {0};
            final OffHeapLongLongMap target = OffHeapLongLongMap.builder().space(newFile(temporary, source.offHeapBytes()))
                .segments(source.segmentCount()).missingValue(source.missingValue()).initialCapacity(source.size())
                .statistics(false).build();
            write(() ->
            {
                source.forEach((key, value) ->
                {
                    target.boxedWrite(key, ValueUpdate.PUT, value);
                    if (0 == ++entries[0] % PROGRESS_EVERY)
                    {
                        step(progress, entries[0]);
                    }
                });
                return entries[0];
            }, target::closeUnshared, temporary);
            try (OffHeapLongLongMap check = OffHeapLongLongMap.builder().file(temporary, OpenMode.PRIVATE)
                .verifyOnOpen(true).statistics(false).build())
            {
                verify(check.recoveryReport().orElseThrow(), temporary);
            }
            publish(temporary, destination);
            return entries[0];
        }
        catch (final RuntimeException | Error ex)
        {
            deleteQuietly(temporary, ex);
            throw ex;
        }
    }

    /**
     * Restore a backup into place: check it, copy it beside {@code target} under a temporary name, sync the copy,
     * and rename it over {@code target} while holding {@code target}'s lock. A crash at any step leaves
     * {@code target} as it was or the whole backup, never a part (and at worst a temporary file beside it); the
     * backup itself is only read.
     *
     * @param backup a store file written by {@link #backup} (or any cleanly closed store file).
     * @param target the store file to replace (need not exist); no process may have it open.
     * @return the number of entries restored.
     * @throws CorruptStoreException if the backup is not a store file, was not closed cleanly, or fails the full
     *                               check of {@code verifyOnOpen} (nothing changed).
     * @throws io.slotkv.core.memory.StoreLockedException if a store holds {@code target} or the backup open
     *                               (nothing changed).
     * @throws UncheckedIOException  if the copy, sync or rename fails (nothing changed under {@code target}).
     */
    public static long restore(final Path backup, final Path target)
    {
        final StoreFile file = StoreFile.read(backup);
        if (!file.closedCleanly())
        {
            throw new CorruptStoreException("backup was not closed cleanly (a backup in progress, or a store that " +
                "needs recovery), not restored: " + backup);
        }
        final long entries = checkedEntries(file);
        final Path temporary = temporary(target);
        try
        {
            Files.copy(backup, temporary, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            MappedFileSpace.replace(temporary, target);
            return entries;
        }
        catch (final IOException ex)
        {
            deleteQuietly(temporary, ex);
            throw new UncheckedIOException("cannot restore " + backup + " to " + target + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException | Error ex)
        {
            deleteQuietly(temporary, ex);
            throw ex;
        }
    }

    /**
     * Open a store file with the full check, changing nothing (a byte store read-only, a long map as a private
     * copy); refuse it if the check would change anything.
     */
    private static long checkedEntries(final StoreFile file)
    {
        if (StoreFile.Kind.BYTE_STORE == file.kind())
        {
            try (OffHeapByteStore check = OffHeapByteStore.builder().file(file.path(), OpenMode.READ_ONLY)
                .verifyOnOpen(true).expirySweeper(false).statistics(false).build())
            {
                return check.size();
            }
            catch (final CorruptStoreException ex)
            {
                throw new CorruptStoreException("backup fails its check, not restored: " + file.path() + ": " +
                    ex.getMessage(), ex);
            }
        }
        final RecoveryReport report;
        final long entries;
        try (OffHeapLongLongMap check = OffHeapLongLongMap.builder().file(file.path(), OpenMode.PRIVATE)
            .verifyOnOpen(true).statistics(false).build())
        {
            report = check.recoveryReport().orElseThrow();
            entries = check.size();
        }
        if (report.foundDamage())
        {
            throw new CorruptStoreException("backup fails its check, not restored: " + file.path() + ": " + report);
        }
        return entries;
    }

    private static long copy(final OffHeapByteStore source, final OffHeapByteStore target,
        final LongConsumer progress)
    {
        long entries = 0;
        long seen = 0;
        final ByteCursor cursor = source.cursorWithDeadlines();
        byte[] key = new byte[64];
        byte[] value = new byte[256];
        while (cursor.advance())
        {
            final byte[] bytes = cursor.bytes;
            for (int i = 0; i < cursor.size; i++)
            {
                final int keyLength = cursor.keyLengths[i];
                final int valueLength = cursor.valueLengths[i];
                if (key.length < keyLength)
                {
                    key = new byte[Math.max(keyLength, 2 * key.length)];
                }
                if (value.length < valueLength)
                {
                    value = new byte[Math.max(valueLength, 2 * value.length)];
                }
                System.arraycopy(bytes, cursor.keyOffsets[i], key, 0, keyLength);
                System.arraycopy(bytes, cursor.keyOffsets[i] + keyLength, value, 0, valueLength);
                if (target.putEntry(key, keyLength, value, valueLength, cursor.deadlines[i]))
                {
                    entries++;
                }
                if (0 == ++seen % PROGRESS_EVERY)
                {
                    step(progress, seen);
                }
            }
        }
        return entries;
    }

    /**
     * The backup's new file. Staged (built in anonymous memory, written with sequential {@code pwrite}s and synced at
     * its close: about 2x faster here) when the source's off-heap bytes, about the most the new file can need (it
     * holds only the live entries, in presized tables), fit in half the memory the operating system reports free
     * (container-aware); else mapped as any store file, which needs no memory of its own.
     */
    static MappedFileSpace newFile(final Path temporary, final long sourceBytes)
    {
        final long budget = stagingBudget;
        final long limit = budget >= 0 ? budget : ManagementFactory.getPlatformMXBean(
            com.sun.management.OperatingSystemMXBean.class).getFreeMemorySize() / 2;
        return sourceBytes <= limit ?
            MappedFileSpace.createStaged(temporary, MappedFileSpace.DEFAULT_CHUNK_SIZE) :
            MappedFileSpace.open(temporary, OpenMode.CREATE_OR_OPEN, MappedFileSpace.DEFAULT_CHUNK_SIZE);
    }

    private static void step(final LongConsumer progress, final long entries)
    {
        progress.accept(entries);
        final Runnable hook = copyHook;
        if (null != hook)
        {
            hook.run();
        }
    }

    /**
     * Fill a backup's new file and close it without a fence copy (only this thread wrote it: the backup holds no
     * table its close retired); if the copy fails, close it all the same (it is deleted next), a failure to close
     * kept with the first. Then the test seam {@link #writtenHook}.
     *
     * @return what {@code copy} returns: the entries copied.
     */
    private static long write(final java.util.function.LongSupplier copy, final Runnable closeUnshared,
        final Path temporary)
    {
        final long entries;
        try
        {
            entries = copy.getAsLong();
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                closeUnshared.run();
            }
            catch (final RuntimeException | Error close)
            {
                ex.addSuppressed(close);
            }
            throw ex;
        }
        closeUnshared.run();
        final java.util.function.Consumer<Path> hook = writtenHook;
        if (null != hook)
        {
            hook.accept(temporary);
        }
        return entries;
    }

    /**
     * The full check of a written byte-store backup, reading only: a read-only open with {@code verifyOnOpen}.
     */
    private static void verify(final Path file)
    {
        try
        {
            // the open is the check: it refuses a file with anything a repair would change
            OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true).expirySweeper(false)
                .statistics(false).build().close();
        }
        catch (final CorruptStoreException ex)
        {
            throw new CorruptStoreException("backup failed its verification, deleted: " + file + ": " +
                ex.getMessage(), ex);
        }
    }

    private static void verify(final RecoveryReport report, final Path file)
    {
        if (report.foundDamage())
        {
            throw new CorruptStoreException("backup failed its verification, deleted: " + file + ": " + report);
        }
    }

    /**
     * @return a name beside {@code destination} that no other backup of this JVM or another process uses.
     */
    private static Path temporary(final Path destination)
    {
        final Path name = destination.getFileName();
        if (null == name)
        {
            throw new IllegalArgumentException("backup destination names no file: " + destination);
        }
        return destination.resolveSibling("." + name + ".backup-" + ProcessHandle.current().pid() + "-" +
            System.nanoTime() + ".tmp");
    }

    /**
     * Rename the verified backup over the destination, holding the destination's lock: a backup never replaces a
     * store file that is open.
     */
    private static void publish(final Path temporary, final Path destination)
    {
        MappedFileSpace.replace(temporary, destination);
    }

    private static void deleteQuietly(final Path temporary, final Throwable cause)
    {
        try
        {
            Files.deleteIfExists(temporary);
        }
        catch (final IOException ex)
        {
            cause.addSuppressed(ex);
        }
    }
}
