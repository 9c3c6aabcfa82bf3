package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.FileHeaderDescriptor;
import io.slotkv.map.Segment.SimulatedCrash;
import io.slotkv.map.Segment.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replacement stopped at each of its steps, as if the process died there, then an open of the file: recovery
 * must find every acknowledged entry, and say what it did. The kill -9 torture harness (stress/torture.sh) checks
 * the same with real kills at random instants; this test pins every step deterministically.
 */
class RecoveryTest
{
    @TempDir
    Path dir;

    @Test
    void aRemovedKeyMissingFromTheFilterGetsItsBitSoAPutThatRevivesItIsReadable()
    {
        // what fuzzer file #238 (seed 1796326719) showed: a removed key's word without its filter bits; recovery kept
        // the word, a put revived that slot without touching the filter, and get then answered "absent"
        final Path file = dir.resolve("removed-key-filter.store");
        final long key = Long.MAX_VALUE;
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).build();
        map.put(key, 1);
        map.remove(key); // the key word stays, its value is ABSENT
        final LongLongTable table = map.segment(0).table;
        final int filter = TableDescriptor.filterOffset(table.capacity);
        table.region.setZero(filter, (int)TableDescriptor.filterLength(table.capacity)); // the damage
        map.abandon(); // as kill -9
        try (OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(file).build())
        {
            final RecoveryReport report = reopened.recoveryReport().orElseThrow();
            assertEquals(1, report.filterWordsRepaired(), report.toString());
            reopened.put(key, 7);
            assertEquals(7, reopened.get(key));
            assertTrue(reopened.containsKey(key));
            final long[] seen = {0};
            reopened.forEach((k, v) -> seen[0]++);
            assertEquals(1, seen[0]);
        }
    }

    static Stream<Arguments> crashPoints()
    {
        return Stream.of(
            Arguments.of(Step.ALLOCATED, 0),
            Arguments.of(Step.ABSENT_FROZEN, 0),
            Arguments.of(Step.INTENT_RECORDED, 0),
            Arguments.of(Step.COPYING, 1),
            Arguments.of(Step.COPYING, 100),
            Arguments.of(Step.COPYING, 700),
            Arguments.of(Step.COMMITTED, 0));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("crashPoints")
    void shouldLoseNoEntryWhenAReplacementStopsAt(final Step step, final int slots)
    {
        final Path file = dir.resolve("crash.store");
        final Map<Long, Long> model = new HashMap<>();
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).chunkSize(1 << 16).build();
        final SplittableRandom random = new SplittableRandom(step.ordinal() * 31L + slots);
        for (int i = 0; i < 400; i++) // several resizes, tombstones, key 0
        {
            final long key = random.nextLong(-2_000, 2_000);
            map.put(key, i);
            model.put(key, (long)i);
            if (0 == i % 4)
            {
                final long victim = random.nextLong(-2_000, 2_000);
                map.remove(victim);
                model.remove(victim);
            }
        }
        final long capacity = map.capacity();
        map.segment(0).crashAt = step;
        map.segment(0).crashAfterSlots = slots;
        long key = 1_000_000;
        long pending = 0;
        try
        {
            while (true)
            {
                pending = key++;
                map.put(pending, -pending);
                model.put(pending, -pending);
            }
        }
        catch (final SimulatedCrash expected)
        {
            // the put of 'pending' never returned: it met the replacement that died
        }
        assertEquals(capacity, map.capacity(), "the crash stopped the replacement before it was published");
        map.abandon();

        try (OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(file).build())
        {
            final RecoveryReport report = reopened.recoveryReport().orElseThrow();
            assertFalse(report.wasClosedCleanly());
            assertEquals(step == Step.INTENT_RECORDED || step == Step.COPYING ? 1 : 0, report.replacementsCompleted(),
                report.toString());
            assertEquals(step == Step.COMMITTED ? 1 : 0, report.replacementsCleared(), report.toString());
            assertEquals(0, report.purged(), report.toString());
            if (step == Step.ABSENT_FROZEN)
            {
                assertTrue(report.slotsThawed() > 0, report.toString());
            }
            assertFalse(reopened.containsKey(pending), "the interrupted put was never acknowledged nor applied");
            MapContents.assertHolds(model, reopened);
            for (long more = 2_000_000; more < 2_000_800; more++) // it keeps working: grows, and replaces again
            {
                reopened.put(more, more);
                model.put(more, more);
            }
            MapContents.assertHolds(model, reopened);
        }
        try (OffHeapLongLongMap again = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(again.recoveryReport().isEmpty(), "a clean close needs no recovery");
            MapContents.assertHolds(model, again);
        }
    }

    @Test
    void shouldRecoverTheSameWayTwiceWhenTheFirstRecoveryIsCutShort() throws Exception
    {
        final Path file = dir.resolve("twice.store");
        final Map<Long, Long> model = crashMidCopy(file);
        final Path copy = dir.resolve("copy.store");
        Files.copy(file, copy);

        final OffHeapLongLongMap first = OffHeapLongLongMap.builder().file(file).build();
        assertTrue(first.recoveryReport().orElseThrow().changedAnything());
        first.abandon(); // dies right after recovering: the file is still marked open
        try (OffHeapLongLongMap second = OffHeapLongLongMap.builder().file(file).build())
        {
            final RecoveryReport report = second.recoveryReport().orElseThrow();
            assertFalse(report.changedAnything(), "a recovered file needs nothing more: " + report);
            MapContents.assertHolds(model, second);
        }
        try (OffHeapLongLongMap once = OffHeapLongLongMap.builder().file(copy).build())
        {
            MapContents.assertHolds(model, once);
        }
    }

    @Test
    void shouldNeverMarkADirtyFileCleanWhenItsOpenFails() throws Exception
    {
        final Path file = dir.resolve("dirty-corrupt.store");
        crashMidCopy(file);
        final long directory = rootOffset(file);
        final long offsetWord = directory + DirectoryDescriptor.segmentEntryOffset(0) +
            DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
        final long original = readLong(file, offsetWord);
        writeLong(file, offsetWord, 1L << 50);
        final String before = sha256(file);
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(ex.getMessage().contains("offset=" + (1L << 50)), ex.getMessage());
        assertEquals(before, sha256(file), "a refused open changes nothing in the file");
        assertEquals(FileHeaderDescriptor.STATE_OPEN, readLong(file, FileHeaderDescriptor.STATE_OFFSET));

        writeLong(file, offsetWord, original); // repaired by hand: the crash is still there to recover
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(map.recoveryReport().orElseThrow().replacementsCompleted() > 0);
        }
    }

    @Test
    void shouldRepairDamageWhenVerificationIsAskedFor() throws Exception
    {
        final Path file = dir.resolve("damaged.store");
        final Map<Long, Long> model = new HashMap<>();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).build())
        {
            for (long key = 1; key <= 100; key++)
            {
                map.put(key, key * 10);
                model.put(key, key * 10);
            }
        }
        // copy the key of one slot into the next slot that holds another key: a duplicate, or a key out of its chain
        final long table = readLong(file, rootOffset(file) + DirectoryDescriptor.segmentEntryOffset(0) +
            DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET);
        final int capacity = (int)readLong(file, table + TableDescriptor.CAPACITY_OFFSET);
        int first = -1;
        int second = -1;
        for (int i = 0; i < capacity && second < 0; i++)
        {
            if (0 != readLong(file, table + TableDescriptor.slotOffset(i) + SlotDescriptor.KEY_OFFSET))
            {
                if (first < 0)
                {
                    first = i;
                }
                else
                {
                    second = i;
                }
            }
        }
        final long damagedKey = readLong(file, table + TableDescriptor.slotOffset(second) + SlotDescriptor.KEY_OFFSET);
        writeLong(file, table + TableDescriptor.slotOffset(second) + SlotDescriptor.KEY_OFFSET,
            readLong(file, table + TableDescriptor.slotOffset(first) + SlotDescriptor.KEY_OFFSET));
        model.remove(damagedKey); // its slot now names another key: the entry is gone

        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertTrue(report.wasClosedCleanly());
            assertEquals(1, report.duplicateKeysPurged() + report.keysOutsideProbeChainPurged(), report.toString());
            assertEquals(1, report.countsRepaired(), report.toString());
            assertFalse(report.examples().isEmpty());
            MapContents.assertHolds(model, map);
        }
    }

    @Test
    void shouldRemoveAKeyFoundInAnotherSegmentsTable() throws Exception
    {
        final Path file = dir.resolve("wrong-segment.store");
        final Map<Long, Long> model = new HashMap<>();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(2).build())
        {
            for (long key = 1; key <= 40; key++)
            {
                map.put(key, key);
                model.put(key, key);
            }
        }
        // copy a live slot of segment 1 into an empty slot of segment 0: a key no lookup could find
        final long directory = rootOffset(file);
        final long table0 = readLong(file, directory + DirectoryDescriptor.segmentEntryOffset(0));
        final long table1 = readLong(file, directory + DirectoryDescriptor.segmentEntryOffset(1));
        final long[] slot = {findSlot(file, table1, true), findSlot(file, table0, false)};
        writeLong(file, slot[1] + SlotDescriptor.KEY_OFFSET, readLong(file, slot[0] + SlotDescriptor.KEY_OFFSET));
        writeLong(file, slot[1] + SlotDescriptor.VALUE_OFFSET, -1); // a value word (whatever value it decodes to)
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertEquals(1, report.keysInWrongSegmentPurged(), report.toString());
            MapContents.assertHolds(model, map);
        }
    }

    @Test
    void shouldVerifyACleanFileWhoseTableHeaderWasDamagedSinceItsClose() throws Exception
    {
        final Path file = dir.resolve("counts.store");
        final Map<Long, Long> model = new HashMap<>();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).build())
        {
            for (long key = 1; key <= 300; key++)
            {
                map.put(key, key);
                model.put(key, key);
            }
        }
        final long table = readLong(file, rootOffset(file) + DirectoryDescriptor.segmentEntryOffset(0));
        final long counts = readLong(file, table + TableDescriptor.COUNTS_OFFSET);
        writeLong(file, table + TableDescriptor.COUNTS_OFFSET, counts - 1); // in range, but wrong: size() would lie
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build()) // no verifyOnOpen
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertTrue(report.cleanCheckFailed(), report.toString());
            assertEquals(1, report.countsRepaired(), report.toString());
            MapContents.assertHolds(model, map);
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            assertTrue(map.recoveryReport().isEmpty(), "the clean close wrote a new check");
        }
    }

    @Test
    void shouldRefuseAnInterruptedReplacementWhoseNextTableCannotHoldTheRest() throws Exception
    {
        final Path file = dir.resolve("small-next.store");
        crashMidCopy(file);
        final long entry = rootOffset(file) + DirectoryDescriptor.segmentEntryOffset(0);
        final long next = readLong(file, entry + DirectoryDescriptor.SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
        writeLong(file, next + TableDescriptor.CAPACITY_OFFSET, TableDescriptor.MIN_CAPACITY); // a tiny "next table"
        final String before = sha256(file);
        final CorruptStoreException ex =
            assertThrows(CorruptStoreException.class, () -> OffHeapLongLongMap.builder().file(file).build());
        assertTrue(ex.getMessage().contains("cannot take the entries left to copy"), ex.getMessage());
        assertEquals(before, sha256(file), "refused before anything was written");
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void shouldRepairATableFullOfGarbageInLinearTime() throws Exception
    {
        final Path file = dir.resolve("garbage.store");
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).initialCapacity(100_000)
            .build())
        {
            map.put(1, 1);
        }
        final long table = readLong(file, rootOffset(file) + DirectoryDescriptor.segmentEntryOffset(0));
        final int capacity = (int)readLong(file, table + TableDescriptor.CAPACITY_OFFSET);
        final java.nio.ByteBuffer garbage = java.nio.ByteBuffer.allocate(capacity * SlotDescriptor.SLOT_LENGTH);
        final SplittableRandom random = new SplittableRandom(3);
        while (garbage.hasRemaining())
        {
            garbage.putLong(random.nextLong() | 1); // no empty key, no absent value: one run around the whole table
        }
        garbage.flip();
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(garbage, table + TableDescriptor.HEADER_LENGTH);
        }
        // quadratic duplicate checks would take capacity^2 / 2 = about 10^10 probe steps here
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = map.recoveryReport().orElseThrow();
            assertTrue(report.unverifiablePurged() > 0, report.toString());
            final Map<Long, Long> contents = MapContents.of(map);
            MapContents.assertHolds(contents, map);
            map.put(42, 42); // still usable
        }
    }

    /**
     * @return the file offset of the first slot of the table at {@code table} that holds a value (or is empty).
     */
    private static long findSlot(final Path file, final long table, final boolean withValue) throws Exception
    {
        final int capacity = (int)readLong(file, table + TableDescriptor.CAPACITY_OFFSET);
        for (int i = 0; i < capacity; i++)
        {
            final long slot = table + TableDescriptor.slotOffset(i);
            final boolean empty = 0 == readLong(file, slot + SlotDescriptor.KEY_OFFSET);
            if (withValue != empty && (!withValue || 0 != readLong(file, slot + SlotDescriptor.VALUE_OFFSET)))
            {
                return slot;
            }
        }
        throw new AssertionError("no such slot in the table at " + table);
    }

    /**
     * @return the acknowledged entries of a map whose replacement died half-way through its copy.
     */
    private static Map<Long, Long> crashMidCopy(final Path file)
    {
        final Map<Long, Long> model = new HashMap<>();
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(1).build();
        for (long key = 1; key <= 5_000; key++)
        {
            map.put(key, key);
            model.put(key, key);
        }
        map.segment(0).crashAt = Step.COPYING;
        map.segment(0).crashAfterSlots = 2_000;
        try
        {
            for (long key = 100_000; ; key++)
            {
                map.put(key, key);
                model.put(key, key);
            }
        }
        catch (final SimulatedCrash expected)
        {
            map.abandon();
        }
        return model;
    }

    static long rootOffset(final Path file) throws Exception
    {
        return readLong(file, FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
    }

    static long readLong(final Path file, final long position) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            raf.seek(position);
            return Long.reverseBytes(raf.readLong());
        }
    }

    static void writeLong(final Path file, final long position, final long value) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            raf.writeLong(Long.reverseBytes(value));
        }
    }

    static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
