package io.slotkv.stress.recovery;

import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How fast recovery scans tables: builds a store file of {@code entries} entries, then reopens it {@code rounds}
 * times as a crashed process leaves it (the header's state word set to open), printing each recovery's report and
 * its scan rate. Run: {@code stress/recovery-rate.sh [ENTRIES] [ROUNDS] [DIR]}.
 */
public final class RecoveryScanRate
{
    /** Offset of the state word in the file header (FileHeaderDescriptor.STATE_OFFSET). */
    private static final long STATE_OFFSET = io.slotkv.core.memory.FileHeaderDescriptor.STATE_OFFSET;

    private RecoveryScanRate()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long entries = args.length > 0 ? Long.parseLong(args[0]) : 100_000_000L;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("slotkv-recovery-rate");
        final Path file = dir.resolve("recovery-rate.store");
        Files.deleteIfExists(file);
        final long start = System.nanoTime();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).initialCapacity(entries).build())
        {
            for (long key = 1; key <= entries; key++)
            {
                map.put(key, key);
            }
        }
        System.out.printf("built %,d entries in %.1f s: file %,d bytes%n", entries,
            (System.nanoTime() - start) / 1e9, Files.size(file));
        double best = 0;
        for (int round = 1; round <= rounds; round++)
        {
            markOpen(file);
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
            {
                final RecoveryReport report = map.recoveryReport().orElseThrow();
                if (report.entries() != entries || report.changedAnything())
                {
                    throw new IllegalStateException("unexpected recovery: " + report);
                }
                final double rate = report.bytesPerSecond() / 1e9;
                best = Math.max(best, rate);
                System.out.printf("round %d: %,d bytes of tables scanned in %.1f ms = %.2f GB/s (%d tables, " +
                    "%,d entries)%n", round, report.bytesScanned(), report.nanos() / 1e6, rate, report.tablesScanned(),
                    report.entries());
            }
        }
        System.out.printf("best: %.2f GB/s%n", best);
        Files.delete(file);
    }

    private static void markOpen(final Path file) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(STATE_OFFSET);
            raf.writeLong(Long.reverseBytes(io.slotkv.core.memory.FileHeaderDescriptor.STATE_OPEN));
        }
    }
}
