package io.slotkv.stress.repro;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reproduction (found by the store-file fuzzer, file #987 of {@code stress/fuzz.sh 3000 4}, default arm, at 9952986):
 * in a cleanly closed store (opened with the defaults, so its slots are trusted and not scanned), one slot whose
 * value word is FROZEN (raw 1) makes {@code get} of that key spin forever: {@code OffHeapLongLongMap.read} meets the
 * frozen word in the current table, finds no {@code next} table (no replacement is running), takes it for a failed
 * replacement that is thawing, and reads again, indefinitely. So does {@code forEach} (its {@code Cursor} looks a
 * frozen slot's key up with {@code read}). Format 2's reader waited for, or ran, a replacement instead. A write of
 * the key repairs it (the writer replaces the table).
 * <p>
 * Makes a 1-segment store with 100 entries, closes it, sets the value word of the first occupied slot to 1 in the
 * raw file (format 4: slots of 16 bytes after the 64-byte table header, key word then value word) and calls
 * {@code get} of that key with a limit of {@code limitMillis} (default 5000). Exits 1 if it does not return.
 * <p>
 * Run: {@code stress/repro-frozen-word-hangs-get.sh}.
 */
public final class FrozenWordHangsGet
{
    /** Restated from FileHeaderDescriptor, DirectoryDescriptor and TableDescriptor (format 4). */
    private static final int ROOT_OFFSET_OFFSET = 32;
    private static final int SEGMENT_0_TABLE_OFFSET = 64;
    private static final int TABLE_HEADER_LENGTH = 64;
    private static final int SLOT_LENGTH = 16;
    private static final long FROZEN = 1;

    private FrozenWordHangsGet()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long limitMillis = args.length > 0 ? Long.parseLong(args[0]) : 5000;
        final Path dir = Files.createTempDirectory("slotkv-repro-");
        final Path file = dir.resolve("store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).chunkSize(1 << 16).build())
        {
            for (int i = 1; i <= 100; i++)
            {
                map.put(i, -i);
            }
        }
        final long key = freezeFirstSlot(file);
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build();
        final ExecutorService pool = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "repro-get");
            thread.setDaemon(true);
            return thread;
        });
        final Future<Long> get = pool.submit(() -> map.get(key));
        try
        {
            System.out.println("OK: get(" + key + ") returned " + get.get(limitMillis, TimeUnit.MILLISECONDS) +
                " (its value word was set to FROZEN in the closed file)");
            map.close();
            System.exit(0);
        }
        catch (final TimeoutException ex)
        {
            System.out.println("FAILED: get(" + key + ") did not return within " + limitMillis + " ms (its value word " +
                "was set to FROZEN in the closed file; the store was opened with the defaults)");
            System.exit(1);
        }
    }

    /** @return the key of the first occupied slot of segment 0's table, whose value word is now FROZEN. */
    private static long freezeFirstSlot(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long root = read(channel, ROOT_OFFSET_OFFSET);
            final long table = read(channel, root + SEGMENT_0_TABLE_OFFSET);
            final long capacity = read(channel, table);
            for (long index = 0; index < capacity; index++)
            {
                final long slot = table + TABLE_HEADER_LENGTH + index * SLOT_LENGTH;
                final long key = read(channel, slot);
                if (0 != key)
                {
                    channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, FROZEN), slot + 8);
                    return key;
                }
            }
        }
        throw new IllegalStateException("no occupied slot in " + file);
    }

    private static long read(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(buffer, position);
        return buffer.getLong(0);
    }
}
