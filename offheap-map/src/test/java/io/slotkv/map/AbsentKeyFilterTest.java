package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static io.slotkv.map.RecoveryTest.readLong;
import static io.slotkv.map.RecoveryTest.rootOffset;
import static io.slotkv.map.RecoveryTest.writeLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The absent-key filter of a table ({@link TableDescriptor}): it admits every key the table holds, turns most absent
 * keys away before any probe, and recovery restores the bits a damaged file lost.
 */
class AbsentKeyFilterTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAdmitEveryKeyItHoldsAndTurnAwayMostAbsentOnes()
    {
        final SplittableRandom random = new SplittableRandom(11);
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(1).initialCapacity(70_000).build())
        {
            final Set<Long> present = new HashSet<>();
            while (present.size() < 70_000)
            {
                final long key = random.nextLong();
                map.put(key, key);
                present.add(key);
            }
            final LongLongTable table = map.segment(0).table;
            final double load = (double)table.used() / table.capacity;
            assertTrue(load > 0.6 && load <= 0.7, "load " + load);
            for (final long key : present)
            {
                assertTrue(admits(table, key), "a key the table holds: " + key);
            }
            int admitted = 0;
            final int absent = 200_000;
            for (int i = 0; i < absent; i++)
            {
                final long key = random.nextLong();
                admitted += !present.contains(key) && admits(table, key) ? 1 : 0;
            }
            final double rate = (double)admitted / absent;
            System.out.printf("absent keys the filter admits at load %.3f: %.4f%n", load, rate);
            assertTrue(rate < 0.12, "false positives: " + rate); // about 0.07 expected (TableDescriptor)
        }
    }

    @Test
    void shouldRestoreTheBitsADamagedFileLostAndFindNothingToRestoreAfterwards() throws Exception
    {
        final Path file = dir.resolve("filter.store");
        final Map<Long, Long> model = new HashMap<>();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).build())
        {
            for (long key = 1; key <= 1_000; key++)
            {
                map.put(key, -key);
                model.put(key, -key);
            }
        }
        final long table = readLong(file, rootOffset(file) + DirectoryDescriptor.segmentEntryOffset(0) +
            DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET);
        final int capacity = (int)readLong(file, table + TableDescriptor.CAPACITY_OFFSET);
        final long filter = table + TableDescriptor.filterOffset(capacity);
        for (long offset = 0; offset < TableDescriptor.filterLength(capacity); offset += Long.BYTES)
        {
            writeLong(file, filter + offset, 0);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertTrue(report.filterWordsRepaired() > 0 && report.changedAnything(), report.toString());
            assertTrue(report.toString().contains("filter words repaired=" + report.filterWordsRepaired()));
            MapContents.assertHolds(model, map);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertEquals(0, report.filterWordsRepaired(), report.toString());
            assertFalse(report.changedAnything(), report.toString());
        }
    }

    private static boolean admits(final LongLongTable table, final long key)
    {
        final long hash = LongHashing.mix(key, table.seed);
        return table.mayHold(hash, TableDescriptor.homeIndex(hash, table.capacity));
    }
}
