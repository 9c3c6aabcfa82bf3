package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.slotkv.map.DirectoryDescriptor.CLEAN_CHECK_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.NO_NEXT_TABLE;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_NEXT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.segmentEntryOffset;
import static io.slotkv.map.EntryRef.EMPTY;
import static io.slotkv.map.EntryRef.LIVE;
import static io.slotkv.map.EntryRef.TOMBSTONE;

/**
 * Opening a byte store's directory in a store file: {@link #check} attaches and validates the tables, heaps and
 * arena lists without writing; then a clean open {@link #restoreHeaps restores} each heap's saved allocator state,
 * and any other open {@link #repair repairs}: every segment's table is rebuilt from the entries that pass their
 * checks, and its heap's free space from the blocks those entries hold.
 * <p>
 * <b>Why the current table is the truth.</b> A replacement freezes each slot word and keeps it (a frozen word still
 * names its entry), and no writer changes a frozen word; the new table holds copies of those words and becomes the
 * segment's table only at the commit (its Table Offset). So whatever a crash interrupted, the table the directory's
 * Table Offset names holds, frozen or not, every acknowledged write of its segment: an interrupted replacement's
 * next table is dropped. Recovery reads only that table and the entries it names, and writes a new table before the
 * one word that names it, so a crash during recovery leaves the file as recovery found it plus unreferenced space:
 * the next open recovers again, the same way.
 */
final class ByteStoreRecovery
{
    private final MemorySpace space;
    private final MemoryRegion directory;
    private final DirectoryHeader header;
    private final ByteTable[] tables;
    /** The next table of an interrupted replacement, per segment (null: none): only its region, it is dropped. */
    private final MemoryRegion[] nexts;
    private final EntryHeap[] heaps;
    private final boolean[] suspect;
    private boolean cleanCheckFailed;
    private final InstantSource clock;

    private ByteStoreRecovery(final MemorySpace space, final MemoryRegion directory, final DirectoryHeader header,
        final InstantSource clock)
    {
        this.space = space;
        this.clock = clock;
        this.directory = directory;
        this.header = header;
        this.tables = new ByteTable[header.segmentCount];
        this.nexts = new MemoryRegion[header.segmentCount];
        this.heaps = new EntryHeap[header.segmentCount];
        this.suspect = new boolean[header.segmentCount];
    }

    /**
     * Attach and validate every segment's table, heap and arenas, reading only.
     *
     * @throws io.slotkv.core.memory.CorruptStoreException naming the segment, the field, its value and the allowed
     *                                                     range.
     */
    static ByteStoreRecovery check(final MemorySpace space, final MemoryRegion directory, final DirectoryHeader header,
        final InstantSource clock)
    {
        final ByteStoreRecovery recovery = new ByteStoreRecovery(space, directory, header, clock);
        final List<MemoryRegion> regions = new ArrayList<>();
        regions.add(directory);
        for (int i = 0; i < header.segmentCount; i++)
        {
            final int entry = segmentEntryOffset(i);
            final long offset = directory.getLongVolatile(entry + SEGMENT_TABLE_OFFSET_OFFSET);
            final long nextOffset = directory.getLongVolatile(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
            final String what = "segment " + i + " table";
            ByteTable.capacityAt(space, offset, what);
            final EntryHeap heap = EntryHeap.attach(space, ByteTable.heapOffsetAt(space, offset), i,
                "segment " + i + " heap");
            final ByteTable table = ByteTable.attach(space, offset, header.maxLoad, header.seed, clock, heap, what);
            recovery.heaps[i] = heap;
            recovery.tables[i] = table;
            regions.add(table.region);
            regions.addAll(Arrays.asList(heap.regions()));
            if (NO_NEXT_TABLE != nextOffset)
            {
                recovery.suspect[i] = true; // an interrupted replacement
                if (nextOffset != offset)
                {
                    // dropped by the repair, so only its extent is checked: a compacting replacement's next table
                    // names a heap of its own, whose arenas (unreferenced once it is dropped) become free space
                    final MemoryRegion next = ByteTable.regionAt(space, nextOffset,
                        "segment " + i + " next table (of an interrupted replacement)");
                    recovery.nexts[i] = next;
                    regions.add(next);
                }
            }
            final long counts = table.counts();
            final int live = TableDescriptor.live(counts);
            final int used = TableDescriptor.used(counts);
            if (live < 0 || live > used || used > table.capacity)
            {
                recovery.suspect[i] = true;
            }
        }
        Recovery.checkDisjoint(regions, space);
        if (directory.getLongVolatile(CLEAN_CHECK_OFFSET) != cleanCheck(directory, recovery.tables, recovery.heaps,
            space.maxRegionLength()))
        {
            recovery.cleanCheckFailed = true;
        }
        return recovery;
    }

    /**
     * The clean check of a byte store: a hash of the directory's segment entries, each current table's capacity,
     * counts and heap offset, every word of each heap's root (the newest arena and the saved allocator state) and of
     * each of its arenas' headers.
     */
    static long cleanCheck(final MemoryRegion directory, final ByteTable[] tables, final EntryHeap[] heaps,
        final long chunkSize)
    {
        long check = DirectoryDescriptor.cleanCheck(tables.length, chunkSize);
        check = DirectoryDescriptor.cleanCheck(check, directory.getLongVolatile(DirectoryDescriptor.LIMITS_OFFSET));
        for (int i = 0; i < tables.length; i++)
        {
            final int entry = segmentEntryOffset(i);
            check = DirectoryDescriptor.cleanCheck(check, directory.getLongVolatile(entry + SEGMENT_TABLE_OFFSET_OFFSET));
            check = DirectoryDescriptor.cleanCheck(check,
                directory.getLongVolatile(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET));
            check = DirectoryDescriptor.cleanCheck(check, tables[i].capacity);
            check = DirectoryDescriptor.cleanCheck(check, tables[i].counts());
            check = DirectoryDescriptor.cleanCheck(check, tables[i].region.getLongVolatile(ByteTableDescriptor.HEAP_OFFSET));
            final MemoryRegion root = heaps[i].root();
            for (int word = 0; word < HeapRootDescriptor.LENGTH; word += Long.BYTES)
            {
                check = DirectoryDescriptor.cleanCheck(check, root.getLongVolatile(word));
            }
            final MemoryRegion[] regions = heaps[i].regions();
            for (int arena = 1; arena < regions.length; arena++) // after the root: each arena's header
            {
                for (int word = 0; word < ArenaDescriptor.HEADER_LENGTH; word += Long.BYTES)
                {
                    check = DirectoryDescriptor.cleanCheck(check, regions[arena].getLongVolatile(word));
                }
            }
        }
        return check;
    }

    /**
     * @return true if a cheap check failed (the clean check, counts out of range, an interrupted replacement): the
     * file is repaired as a crashed one.
     */
    boolean anySuspect()
    {
        return Recovery.anySuspect(cleanCheckFailed, suspect);
    }

    /**
     * A clean open: give each heap the allocator state its clean close saved.
     */
    void restoreHeaps()
    {
        for (final EntryHeap heap : heaps)
        {
            heap.restore();
        }
    }

    /**
     * Rebuild every segment (in parallel): its table from the LIVE entries that pass {@link ByteTable#checkEntry}
     * (the first of a duplicated key stays), its heap's free space from their blocks. Writes; the file must be
     * marked open.
     */
    void repair(final RecoveryReport report, final int minCapacity)
    {
        final long start = System.nanoTime();
        report.cleanCheckFailed = cleanCheckFailed && report.wasClosedCleanly();
        final RecoveryReport[] parts = new RecoveryReport[tables.length];
        Recovery.inParallel(tables.length, i ->
        {
            parts[i] = new RecoveryReport(report.file(), report.wasClosedCleanly());
            repairSegment(i, parts[i], minCapacity);
        });
        report.segments = tables.length;
        for (int i = 0; i < tables.length; i++)
        {
            report.add(parts[i]);
            report.entries += tables[i].live();
            report.tablesRebuilt += parts[i].tablesRebuilt;
        }
        report.nanos = System.nanoTime() - start;
    }

    private void repairSegment(final int segment, final RecoveryReport report, final int minCapacity)
    {
        final ByteTable old = tables[segment];
        final EntryHeap heap = heaps[segment];
        final int mask = tables.length - 1;
        space.willRead(old.region);
        report.tablesScanned++;
        report.bytesScanned += old.region.length();
        if (null != nexts[segment])
        {
            report.replacementsAbandoned++; // its copies are of words the current table still has
        }
        else if (NO_NEXT_TABLE != directory.getLongVolatile(segmentEntryOffset(segment) +
            SEGMENT_NEXT_TABLE_OFFSET_OFFSET))
        {
            report.replacementsCleared++; // committed: only the intent word was left
        }
        // each LIVE entry that passes its checks, as position << 27 | slot index (a table has at most 2^27 slots):
        // sorting these sorts the blocks by position
        long[] found = new long[Math.max(16, Math.min(old.capacity, Math.max(0, old.live()) + 16))];
        int count = 0;
        for (int index = 0; index < old.capacity; index++)
        {
            final long word = old.wordAt(index);
            if (EMPTY == word)
            {
                continue;
            }
            report.slotsScanned++;
            final long state = EntryRef.state(word);
            if (TOMBSTONE == state)
            {
                continue; // a removed key: dropped, its block becomes free
            }
            final int checked = LIVE == state ? old.checkEntry(word, segment, mask) : ByteTable.EntryCheck.LENGTHS;
            if (checked < 0)
            {
                purge(report, checked, segment, index, word, REMOVED);
                continue;
            }
            if (count == found.length)
            {
                found = Arrays.copyOf(found, 2 * count);
            }
            found[count++] = (EntryRef.position(word) << SLOT_INDEX_BITS) | index;
        }
        Arrays.sort(found, 0, count);
        final long[] positions = new long[count];
        final int[] lengths = new int[count];
        final long[] words = new long[count];
        int kept = 0;
        long end = 0;
        for (int i = 0; i < count; i++)
        {
            final int index = (int)(found[i] & SLOT_INDEX_MASK);
            final long word = old.wordAt(index);
            final long position = EntryRef.position(word);
            if (position < end)
            {
                purge(report, OVERLAP, segment, index, word, REMOVED);
                continue;
            }
            final int length = old.blockLengthOf(word);
            positions[kept] = position;
            lengths[kept] = length;
            words[kept] = word;
            end = position + (length >>> 3);
            kept++;
        }
        found = null; // the largest array: let it go before the new table is built
        final int maxCapacity = ByteTableDescriptor.maxCapacity(space.maxRegionLength());
        long payload = 0;
        final int capacity = Math.max(minCapacity,
            ByteTableDescriptor.capacity((long)Math.ceil(2.0 * kept / header.maxLoad), maxCapacity));
        final ByteTable rebuilt = ByteTable.allocate(space, capacity, header.maxLoad, header.seed, clock, heap);
        int live = 0;
        for (int i = 0; i < kept; i++)
        {
            if (rebuilt.claimPrivateUnique(words[i]))
            {
                positions[live] = positions[i];
                lengths[live] = lengths[i];
                payload += rebuilt.payloadOf(words[i]);
                live++;
            }
            else
            {
                report.duplicateKeysPurged++;
                report.example("segment " + segment + ": a second slot for the key of the entry at position " +
                    EntryRef.position(words[i]) + ", removed");
            }
        }
        rebuilt.countPrivate(live);
        final int entry = segmentEntryOffset(segment);
        // the commit: one word; a crash before it leaves the old table, and the new one is unreferenced space
        directory.putLongRelease(entry + SEGMENT_TABLE_OFFSET_OFFSET, rebuilt.region.offset());
        directory.putLongRelease(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET, NO_NEXT_TABLE);
        heap.rebuild(positions, lengths, live, payload);
        tables[segment] = rebuilt;
        nexts[segment] = null;
        report.tablesRebuilt++;
    }

    /**
     * The full check of a read-only open: every segment's table and every entry it names (LIVE or TOMBSTONE),
     * checked as {@link #repair} checks them, and what repair's rebuilt table would change: each entry's slot is the
     * one a lookup of its key finds ({@link ByteTable#checkLookup}), no slot is frozen, the counts match the slots.
     * Writes nothing: {@code report} counts what repair would remove or correct (for a read-only open, which
     * cannot, any of it refuses the file), with examples. Unlike repair it also checks the entries of tombstones,
     * which repair drops but a later writer frees.
     */
    void verify(final RecoveryReport report)
    {
        final long start = System.nanoTime();
        final RecoveryReport[] parts = new RecoveryReport[tables.length];
        Recovery.inParallel(tables.length, i ->
        {
            parts[i] = new RecoveryReport(report.file(), report.wasClosedCleanly());
            verifySegment(i, parts[i]);
        });
        report.segments = tables.length;
        for (int i = 0; i < tables.length; i++)
        {
            report.add(parts[i]);
            report.entries += parts[i].entries;
        }
        report.nanos = System.nanoTime() - start;
    }

    private void verifySegment(final int segment, final RecoveryReport report)
    {
        final ByteTable table = tables[segment];
        final int mask = tables.length - 1;
        space.willRead(table.region);
        report.tablesScanned++;
        report.bytesScanned += table.region.length();
        // every slot naming an entry, as position << 27 | slot index: checked in position order, the heap is read
        // from start to end
        long[] found = new long[Math.max(16, Math.min(table.capacity, Math.max(0, table.used()) + 16))];
        int count = 0;
        int live = 0;
        for (int index = 0; index < table.capacity; index++)
        {
            final long stored = table.storedWordAt(index);
            final long word = stored & ~EntryRef.FROZEN_BIT;
            if (stored != word)
            {
                report.slotsThawed++;
                report.example("segment " + segment + " slot " + index + " (word 0x" + Long.toHexString(stored) +
                    "): frozen outside a replacement, " + FOUND);
            }
            if (EMPTY == word)
            {
                continue;
            }
            report.slotsScanned++;
            final long state = EntryRef.state(word);
            if (LIVE != state && TOMBSTONE != state)
            {
                purge(report, ByteTable.EntryCheck.LENGTHS, segment, index, word, FOUND);
                continue;
            }
            live += LIVE == state ? 1 : 0;
            if (count == found.length)
            {
                found = Arrays.copyOf(found, 2 * count);
            }
            found[count++] = (EntryRef.position(word) << SLOT_INDEX_BITS) | index;
        }
        if (table.live() != live || table.used() != report.slotsScanned)
        {
            report.countsRepaired++;
            report.example("segment " + segment + ": counts live=" + table.live() + ", used=" + table.used() +
                " but the slots hold live=" + live + ", used=" + report.slotsScanned + ", " + FOUND);
        }
        Arrays.sort(found, 0, count);
        // the checks of one segment stop at its first damaged entry: the file is refused anyway, and a damaged
        // table could otherwise make each of its slots cost a long probe or a checksum of a large block again
        final long workBudget = Recovery.WORK_PER_SLOT * table.capacity + Recovery.MIN_WORK;
        final long[] positions = new long[count];
        final int[] lengths = new int[count];
        long payload = 0;
        long work = 0;
        long end = 0;
        for (int i = 0; i < count; i++)
        {
            final int index = (int)(found[i] & SLOT_INDEX_MASK);
            final long word = table.wordAt(index);
            final long position = EntryRef.position(word);
            final int blockLength = position < end ? OVERLAP : table.checkEntry(word, segment, mask);
            if (blockLength < 0)
            {
                purge(report, blockLength, segment, index, word, FOUND);
                return;
            }
            end = position + (blockLength >>> 3);
            // past the budget, probes are short; a failing one ends the segment's checks, so at most one walk of a
            // segment goes uncharged
            final int probes = table.checkLookup(word, index,
                work > workBudget ? Recovery.SHORT_DISPLACEMENT : Integer.MAX_VALUE);
            if (probes < 0)
            {
                purge(report, probes, segment, index, word, FOUND);
                return;
            }
            work += probes;
            positions[i] = position;
            lengths[i] = blockLength;
            payload += table.payloadOf(word);
            report.entries += LIVE == EntryRef.state(word) ? 1 : 0;
        }
        final String state = heaps[segment].checkSaved(positions, lengths, count, payload);
        if (null != state)
        {
            report.allocatorStatesWrong++;
            report.example("segment " + segment + " heap: " + state + ", " + FOUND);
        }
    }

    private static final int SLOT_INDEX_BITS = 27;
    private static final long SLOT_INDEX_MASK = (1L << SLOT_INDEX_BITS) - 1;
    private static final int OVERLAP = Integer.MIN_VALUE;
    private static final String REMOVED = "removed";
    private static final String FOUND = "found (nothing changed)";

    private static void purge(final RecoveryReport report, final int check, final int segment, final int index,
        final long word, final String outcome)
    {
        final String why;
        switch (check)
        {
            case ByteTable.EntryCheck.WRONG_SEGMENT:
                report.keysInWrongSegmentPurged++;
                why = "its key hashes to another segment";
                break;
            case ByteTable.EntryCheck.OUTSIDE_HEAP:
                report.damagedEntriesPurged++;
                why = "it names no block of the heap";
                break;
            case ByteTable.EntryCheck.GENERATION:
                report.damagedEntriesPurged++;
                why = "its block holds another generation";
                break;
            case ByteTable.EntryCheck.CHECKSUM:
                report.damagedEntriesPurged++;
                why = "the entry's checksum does not match";
                break;
            case ByteTable.EntryCheck.FINGERPRINT:
                report.damagedEntriesPurged++;
                why = "the word's fingerprint is not its key's";
                break;
            case OVERLAP:
                report.damagedEntriesPurged++;
                why = "its block overlaps another entry's";
                break;
            case ByteTable.EntryCheck.UNREACHABLE:
                report.keysOutsideProbeChainPurged++;
                why = "an empty slot lies between its key's home and it: no lookup reaches it";
                break;
            case ByteTable.EntryCheck.DUPLICATE:
                report.duplicateKeysPurged++;
                why = "an earlier slot of its probe names the same key";
                break;
            case ByteTable.EntryCheck.FILTER:
                report.filterWordsRepaired++;
                why = "the filter does not admit its key";
                break;
            case ByteTable.EntryCheck.UNVERIFIABLE:
                report.unverifiablePurged++;
                why = "it lies too far from its key's home in a damaged table to be checked";
                break;
            default:
                report.damagedEntriesPurged++;
                why = "its state or lengths are out of range";
                break;
        }
        report.example("segment " + segment + " slot " + index + " (word 0x" + Long.toHexString(word) + "): " + why +
            ", " + outcome);
    }

    /**
     * @return every region the store references: the rest of the file is free.
     */
    List<MemoryRegion> liveRegions()
    {
        final List<MemoryRegion> live = new ArrayList<>();
        live.add(directory);
        for (int i = 0; i < tables.length; i++)
        {
            live.add(tables[i].region);
            if (null != nexts[i])
            {
                live.add(nexts[i]);
            }
            live.addAll(Arrays.asList(heaps[i].regions()));
        }
        return live;
    }

    ByteTable table(final int segment)
    {
        return tables[segment];
    }

    EntryHeap heap(final int segment)
    {
        return heaps[segment];
    }
}
