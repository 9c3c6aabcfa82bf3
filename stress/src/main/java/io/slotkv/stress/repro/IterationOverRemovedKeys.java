package io.slotkv.stress.repro;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Reproduction (found by the store-file fuzzer, file #157 of {@code stress/fuzz.sh 600 12345} at 880c07d):
 * {@code forEach} takes time quadratic in the table's capacity when the table has no empty key word, as a crashed
 * file whose slots were damaged is left by its recovery (every damaged entry removed, its key word kept as a removed
 * key): {@code Cursor} collects each span of 32 home slots by scanning from the span to the first empty key word at
 * or past its end, which here is the whole table, so capacity / 32 spans scan capacity slots each. Format 2's
 * {@code forEach} read each table once.
 * <p>
 * For each size: a 1-segment store of about that many slots with 200 entries, cleanly closed; then, in the raw file,
 * every empty slot given a random key with an absent value (a removed key; format 4 raw words: key, then
 * {@code value ^ valueKey}, 0 = absent) and the header state set to open; then an open (recovery keeps them: a
 * removed key is valid), {@code forEach}, {@code size()}. Prints the milliseconds; exits 1 if the largest takes
 * longer than {@code limitMillis} (default 2000; each doubling of the capacity should double, not quadruple, it).
 * <p>
 * Run: {@code stress/repro-iteration-over-removed-keys.sh}.
 */
public final class IterationOverRemovedKeys
{
    /** Restated from FileHeaderDescriptor, DirectoryDescriptor and TableDescriptor (format 4). */
    private static final int ROOT_OFFSET_OFFSET = 32;
    private static final int STATE_OFFSET = 40;
    private static final int SEGMENT_0_TABLE_OFFSET = 64;
    private static final int TABLE_HEADER_LENGTH = 64;
    private static final int SLOT_LENGTH = 16;

    private IterationOverRemovedKeys()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long limitMillis = args.length > 0 ? Long.parseLong(args[0]) : 2000;
        final Path dir = Files.createTempDirectory("slotkv-repro-");
        long last = 0;
        for (final int entries : new int[]{ 10_000, 20_000, 40_000, 80_000, 160_000 })
        {
            final Path file = dir.resolve("store-" + entries);
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).chunkSize(1 << 24)
                .initialCapacity(entries).build())
            {
                for (int i = 1; i <= 200; i++)
                {
                    map.put(i * 7_777_777L, i);
                }
            }
            final int capacity = fillWithRemovedKeys(file);
            final long start = System.nanoTime();
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
            {
                final long opened = System.nanoTime();
                final long[] count = new long[1];
                map.forEach((key, value) -> count[0]++);
                final long iterated = System.nanoTime();
                last = (iterated - opened) / 1_000_000;
                System.out.printf("capacity %7d: open (recovery) %5d ms, forEach %6d ms (%d entries), size() %d%n",
                    capacity, (opened - start) / 1_000_000, last, count[0], map.size());
            }
            Files.delete(file);
        }
        Files.delete(dir);
        System.out.println(last > limitMillis ? "FAILED: forEach of the largest took " + last + " ms > " + limitMillis +
            " ms" : "OK: forEach of the largest took " + last + " ms");
        System.exit(last > limitMillis ? 1 : 0);
    }

    /** @return the capacity of segment 0's table, whose empty slots now hold removed keys. */
    private static int fillWithRemovedKeys(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long root = read(channel, ROOT_OFFSET_OFFSET);
            final long table = read(channel, root + SEGMENT_0_TABLE_OFFSET);
            final int capacity = (int)read(channel, table);
            final SplittableRandom random = new SplittableRandom(capacity);
            for (int index = 0; index < capacity; index++)
            {
                final long slot = table + TABLE_HEADER_LENGTH + (long)index * SLOT_LENGTH;
                if (0 == read(channel, slot))
                {
                    write(channel, slot, random.nextLong() | 1); // a key (never 0) with an absent value word
                }
            }
            write(channel, STATE_OFFSET, 1); // open: as a crash leaves it, so the open runs recovery
            return capacity;
        }
    }

    private static long read(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(buffer, position);
        return buffer.getLong(0);
    }

    private static void write(final FileChannel channel, final long position, final long word) throws IOException
    {
        channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, word), position);
    }
}
