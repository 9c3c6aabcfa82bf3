package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import static io.slotkv.map.DirectoryDescriptor.CLEAN_CHECK_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.NO_NEXT_TABLE;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_NEXT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.SEGMENT_TABLE_OFFSET_OFFSET;
import static io.slotkv.map.DirectoryDescriptor.segmentEntryOffset;
import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.EMPTY_KEY;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.SlotDescriptor.KEY_OFFSET;
import static io.slotkv.map.SlotDescriptor.VALUE_OFFSET;
import static io.slotkv.map.TableDescriptor.COUNTS_OFFSET;
import static io.slotkv.map.TableDescriptor.ZERO_KEY_VALUE_OFFSET;
import static io.slotkv.map.TableDescriptor.homeIndex;
import static io.slotkv.map.TableDescriptor.slotOffset;

/**
 * Opening a map's directory in a store file: {@link #check} reads and validates every structure without writing
 * (a refused open leaves the file as it was); {@link #repair} then settles what a crash left, under the exclusive
 * lock, after the file was marked open. Every repair decision is a function of bytes recovery never rewrites (key
 * words, the frozen state of a retired table), so running it again after a crash during it reaches the same
 * result: it is idempotent.
 */
final class Recovery
{
    /** Entries a segment may hold past its largest table's threshold: inserters that passed the check together. */
    private static final int OVERSHOOT = 1024;

    /** Duplicate checks of entries this close to their home slot are always made. */
    static final int SHORT_DISPLACEMENT = 64;

    /** Probe steps per slot the duplicate checks of one table may take before long ones are given up. */
    static final long WORK_PER_SLOT = 64;

    /** Probe steps any table may take, however small. */
    static final long MIN_WORK = 1 << 20;

    private final MemorySpace space;
    private final MemoryRegion directory;
    private final int segmentCount;
    private final double maxLoad;
    private final long seed;
    private final LongLongTable[] tables;
    private final LongLongTable[] nexts;
    private final boolean[] suspect;
    private boolean cleanCheckFailed;

    private Recovery(final MemorySpace space, final MemoryRegion directory, final int segmentCount, final double maxLoad,
        final long seed)
    {
        this.seed = seed;
        this.space = space;
        this.directory = directory;
        this.segmentCount = segmentCount;
        this.maxLoad = maxLoad;
        this.tables = new LongLongTable[segmentCount];
        this.nexts = new LongLongTable[segmentCount];
        this.suspect = new boolean[segmentCount];
    }

    /**
     * Attach and validate every segment's table (and an interrupted replacement's next table), reading only.
     *
     * @throws CorruptStoreException naming the segment, the field, its value and the allowed range.
     */
    static Recovery check(final MemorySpace space, final MemoryRegion directory, final int segmentCount,
        final double maxLoad, final long seed)
    {
        final Recovery recovery = new Recovery(space, directory, segmentCount, maxLoad, seed);
        final List<MemoryRegion> regions = new ArrayList<>();
        regions.add(directory);
        for (int i = 0; i < segmentCount; i++)
        {
            final int entry = segmentEntryOffset(i);
            final long offset = directory.getLongVolatile(entry + SEGMENT_TABLE_OFFSET_OFFSET);
            final long nextOffset = directory.getLongVolatile(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
            final LongLongTable table = LongLongTable.attach(space, offset, maxLoad, seed, "segment " + i + " table");
            recovery.tables[i] = table;
            regions.add(table.region);
            if (NO_NEXT_TABLE != nextOffset)
            {
                recovery.suspect[i] = true;
                if (nextOffset != offset)
                {
                    final LongLongTable next = LongLongTable.attach(space, nextOffset, maxLoad, seed, "segment " + i +
                        " next table (of an interrupted replacement)");
                    recovery.nexts[i] = next;
                    regions.add(next.region);
                }
            }
            final long counts = table.counts();
            final int live = TableDescriptor.live(counts);
            final int used = TableDescriptor.used(counts);
            final int most = LongLongTable.threshold(TableDescriptor.maxCapacity(space.maxRegionLength()), maxLoad);
            if (live > most + OVERSHOOT && live <= used && used <= table.capacity)
            {
                // more entries than the directory's max load lets the largest table hold: the max load is wrong
                throw new CorruptStoreException("not a long->long map directory: maxLoadPerMille=" +
                    Math.round(maxLoad * 1000) + " cannot hold segment " + i + "'s " + live + " entries in a table of " +
                    "at most " + most + " at that load, allowed: a max load whose largest table holds them, in " + space);
            }
            if (live < 0 || live > used || used > table.capacity)
            {
                recovery.suspect[i] = true;
            }
        }
        if (directory.getLongVolatile(CLEAN_CHECK_OFFSET) !=
            cleanCheck(directory, recovery.tables, segmentCount, space.maxRegionLength()))
        {
            recovery.cleanCheckFailed = true; // damaged since its clean close (or never closed cleanly)
        }
        checkDisjoint(regions, space);
        for (int i = 0; i < segmentCount; i++)
        {
            if (null != recovery.nexts[i])
            {
                checkRoomToSettle(recovery.tables[i], recovery.nexts[i], i, space);
            }
        }
        return recovery;
    }

    /**
     * Refuse, before anything is written, an interrupted replacement whose next table cannot take the entries
     * still to copy (a real one always can: it was sized for every value of the table, see
     * {@link LongLongTable#freezeAbsent}).
     */
    private static void checkRoomToSettle(
        final LongLongTable old, final LongLongTable next, final int segment, final MemorySpace space)
    {
        int needed = 0;
        for (int index = 0; index < old.capacity; index++)
        {
            final int slot = slotOffset(index);
            final long word = old.region.getLong(slot + VALUE_OFFSET);
            final long key = old.region.getLong(slot + KEY_OFFSET);
            if (FROZEN != word && ABSENT != word && EMPTY_KEY != key && next.findPrivate(key) < 0)
            {
                needed++;
            }
        }
        checkEncodable(old, next, segment, space);
        int free = 0;
        for (int index = 0; index < next.capacity; index++)
        {
            free += EMPTY_KEY == next.region.getLong(slotOffset(index) + KEY_OFFSET) ? 1 : 0;
        }
        if (needed >= free)
        {
            throw new CorruptStoreException("next table of an interrupted replacement cannot take the entries left " +
                "to copy: segment=" + segment + ", entries=" + needed + ", free slots=" + free + ", allowed: fewer " +
                "entries than free slots, next table at " + next.region.offset() + ", in " + space);
        }
    }

    /**
     * Refuse, before anything is written, an interrupted replacement whose next table's value key cannot encode a
     * value the settle would copy into it (a damaged value key: a real re-keying chose the key for exactly these
     * values).
     */
    private static void checkEncodable(
        final LongLongTable old, final LongLongTable next, final int segment, final MemorySpace space)
    {
        final long zero = old.region.getLong(ZERO_KEY_VALUE_OFFSET);
        boolean encodable = 0 != segment || FROZEN == zero || isEncodable(next, zero, old);
        for (int index = 0; encodable && index < old.capacity; index++)
        {
            final int slot = slotOffset(index);
            final long word = old.region.getLong(slot + VALUE_OFFSET);
            encodable = FROZEN == word || EMPTY_KEY == old.region.getLong(slot + KEY_OFFSET) ||
                isEncodable(next, word, old);
        }
        if (!encodable)
        {
            throw new CorruptStoreException("interrupted re-keying replacement: a value of segment " + segment +
                "'s table cannot be encoded with its next table's value key (valueKey=0x" +
                Long.toHexString(next.valueKey) + "), allowed: a key that encodes every value, next table at " +
                next.region.offset() + ", in " + space);
        }
    }

    private static boolean isEncodable(final LongLongTable next, final long word, final LongLongTable old)
    {
        return ABSENT == word || old.valueKey == next.valueKey ||
            !SlotDescriptor.isReserved(next.encode(old.decode(word)));
    }

    /**
     * @return the clean check of the directory's segment entries and the tables they name.
     */
    static long cleanCheck(
        final MemoryRegion directory, final LongLongTable[] tables, final int segmentCount, final long chunkSize)
    {
        long check = DirectoryDescriptor.cleanCheck(segmentCount, chunkSize);
        for (int i = 0; i < segmentCount; i++)
        {
            final int entry = segmentEntryOffset(i);
            check = DirectoryDescriptor.cleanCheck(check, directory.getLongVolatile(entry + SEGMENT_TABLE_OFFSET_OFFSET));
            check = DirectoryDescriptor.cleanCheck(check,
                directory.getLongVolatile(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET));
            check = DirectoryDescriptor.cleanCheck(check, tables[i].capacity);
            check = DirectoryDescriptor.cleanCheck(check, tables[i].counts());
            check = DirectoryDescriptor.cleanCheck(check, tables[i].zeroKeyWord());
            check = DirectoryDescriptor.cleanCheck(check, tables[i].valueKey);
        }
        return check;
    }

    /**
     * @return true if the clean check written by the last clean close does not match the file.
     */
    boolean cleanCheckFailed()
    {
        return cleanCheckFailed;
    }

    /**
     * @return true if a segment's cheap checks failed (counts out of range, an intent left in the directory): a
     * clean file that shows this is repaired as a crashed one.
     */
    boolean anySuspect()
    {
        return anySuspect(cleanCheckFailed, suspect);
    }

    /**
     * @return whether the clean check failed or any segment is suspect: the test both recoveries open with.
     */
    static boolean anySuspect(final boolean cleanCheckFailed, final boolean[] suspect)
    {
        boolean any = cleanCheckFailed;
        for (final boolean s : suspect)
        {
            any |= s;
        }
        return any;
    }

    /**
     * @return every region the directory references: the rest of the file is free.
     */
    List<MemoryRegion> liveRegions()
    {
        final List<MemoryRegion> live = new ArrayList<>();
        live.add(directory);
        for (int i = 0; i < segmentCount; i++)
        {
            live.add(tables[i].region);
            if (null != nexts[i])
            {
                live.add(nexts[i].region);
            }
        }
        return live;
    }

    /**
     * @return the current table of segment {@code i}.
     */
    LongLongTable table(final int i)
    {
        return tables[i];
    }

    /**
     * Repair the file: every segment if {@code all} (or the clean check failed), else only the suspect ones, segments in parallel on up to one
     * thread per processor (segments share nothing but the directory's words, each written by its own segment).
     * Writes; the file must be marked open.
     */
    void repair(final boolean all, final RecoveryReport report)
    {
        final long start = System.nanoTime();
        report.cleanCheckFailed = cleanCheckFailed && report.wasClosedCleanly();
        final boolean every = all || cleanCheckFailed;
        final RecoveryReport[] parts = new RecoveryReport[segmentCount];
        inParallel(segmentCount, i ->
        {
            parts[i] = new RecoveryReport(report.file(), report.wasClosedCleanly());
            if (every || suspect[i])
            {
                repairSegment(i, parts[i]);
            }
        });
        report.segments = segmentCount;
        for (int i = 0; i < segmentCount; i++)
        {
            report.add(parts[i]);
            report.entries += Math.max(0, tables[i].live());
        }
        report.entries += ABSENT == tables[0].region.getLong(ZERO_KEY_VALUE_OFFSET) ? 0 : 1;
        report.nanos = System.nanoTime() - start;
    }

    /**
     * Run {@code task} for each segment index below {@code count}, segments in parallel on up to one thread per
     * processor (this one included); the first failure stops the others at their next segment and is rethrown.
     */
    static void inParallel(final int count, final IntConsumer task)
    {
        final AtomicInteger next = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Runnable worker = () ->
        {
            try
            {
                for (int i = next.getAndIncrement(); i < count && null == failure.get(); i = next.getAndIncrement())
                {
                    task.accept(i);
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        };
        final int threads = Math.min(Runtime.getRuntime().availableProcessors(), count);
        final Thread[] helpers = new Thread[Math.max(0, threads - 1)];
        for (int t = 0; t < helpers.length; t++)
        {
            helpers[t] = new Thread(worker, "slotkv-recovery-" + t);
            helpers[t].start();
        }
        worker.run();
        for (final Thread helper : helpers)
        {
            joinUninterruptibly(helper);
        }
        final Throwable thrown = failure.get();
        if (thrown instanceof RuntimeException)
        {
            throw (RuntimeException)thrown;
        }
        if (null != thrown)
        {
            throw (Error)thrown;
        }
    }

    /**
     * Refuse a file whose structures overlap: each region must be a structure of its own.
     *
     * @throws CorruptStoreException naming the two ranges.
     */
    static void checkDisjoint(final List<MemoryRegion> regions, final MemorySpace space)
    {
        final List<MemoryRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::offset));
        for (int i = 1; i < sorted.size(); i++)
        {
            final MemoryRegion before = sorted.get(i - 1);
            final MemoryRegion after = sorted.get(i);
            if (before.offset() + before.length() > after.offset())
            {
                throw new CorruptStoreException("directory names overlapping regions: [" + before.offset() + ", " +
                    (before.offset() + before.length()) + ") and [" + after.offset() + ", " +
                    (after.offset() + after.length()) + "), allowed: one region per structure, in " + space);
            }
        }
    }

    private static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void repairSegment(final int segment, final RecoveryReport report)
    {
        final int entry = segmentEntryOffset(segment);
        final LongLongTable next = nexts[segment];
        space.willRead(tables[segment].region);
        if (null != next)
        {
            space.willRead(next.region);
            settle(tables[segment], next, segment, report);
            // ordered after the plain writes into the next table: the file names it only once it is complete
            directory.putLongRelease(entry + SEGMENT_TABLE_OFFSET_OFFSET, next.region.offset());
            directory.putLongRelease(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET, NO_NEXT_TABLE);
            tables[segment] = next;
            nexts[segment] = null;
            report.replacementsCompleted++;
            report.example("segment " + segment + ": finished an interrupted replacement into the table at " +
                next.region.offset());
        }
        else if (NO_NEXT_TABLE != directory.getLongVolatile(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET))
        {
            directory.putLongRelease(entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET, NO_NEXT_TABLE);
            report.replacementsCleared++;
        }
        scan(tables[segment], segment, segmentCount - 1, report);
    }

    /**
     * Finish an interrupted replacement: every slot of the old table that is not frozen still holds the key's
     * current word (its copy in {@code next}, if any, may be older); frozen slots are already in {@code next}.
     */
    private static void settle(
        final LongLongTable old, final LongLongTable next, final int segment, final RecoveryReport report)
    {
        final MemoryRegion region = old.region;
        final long zero = region.getLong(ZERO_KEY_VALUE_OFFSET);
        if (FROZEN != zero && 0 == segment)
        {
            // not copied yet (or changed since): the old word wins
            next.region.putLong(ZERO_KEY_VALUE_OFFSET, recode(next, zero, old, segment));
        }
        for (int index = 0; index < old.capacity; index++)
        {
            final int slot = slotOffset(index);
            final long word = region.getLong(slot + VALUE_OFFSET);
            final long key = region.getLong(slot + KEY_OFFSET);
            if (FROZEN == word || EMPTY_KEY == key)
            {
                continue;
            }
            final int found = next.findPrivate(key);
            if (ABSENT == word)
            {
                if (found >= 0)
                {
                    next.region.putLong(slotOffset(found) + VALUE_OFFSET, ABSENT);
                }
                continue;
            }
            if (found < 0 && -found - 1 >= next.capacity)
            {
                throw new CorruptStoreException("next table of an interrupted replacement is full: segment=" +
                    segment + ", capacity=" + next.capacity + ", in " + old.region);
            }
            final int copy = found >= 0 ? found : -found - 1;
            next.addToFilterPrivate(next.hash(key));
            next.region.putLong(slotOffset(copy) + KEY_OFFSET, key);
            next.region.putLong(slotOffset(copy) + VALUE_OFFSET, recode(next, word, old, segment));
        }
        report.tablesScanned++;
        report.slotsScanned += old.capacity;
        report.bytesScanned += old.region.length();
    }

    private static long recode(final LongLongTable next, final long word, final LongLongTable old, final int segment)
    {
        try
        {
            return next.recode(word, old);
        }
        catch (final IllegalStateException ex)
        {
            // a re-keying replacement chose the next table's key for exactly the values the old table holds
            throw new CorruptStoreException("interrupted re-keying replacement: a value of segment " + segment +
                "'s table cannot be encoded with its next table's value key (" + ex.getMessage() + "), in " +
                old.region);
        }
    }

    /**
     * Check every slot of a current table and repair it in place: thaw frozen slots, clear values without a key,
     * remove entries no probe can reach (key outside its probe chain) and later duplicates of a key, add the filter
     * bits a key lacks (an entry's, else a get would answer absent; a removed key's too, since a put revives its
     * slot without touching the filter), recount.
     * Key words are never changed, so no probe chain is ever broken by a repair.
     */
    private static void scan(
        final LongLongTable table, final int segment, final int segmentMask, final RecoveryReport report)
    {
        final MemoryRegion region = table.region;
        final int capacity = table.capacity;
        final long zero = region.getLong(ZERO_KEY_VALUE_OFFSET);
        if (FROZEN == zero)
        {
            report.slotsThawed++;
            region.putLong(ZERO_KEY_VALUE_OFFSET, ABSENT);
        }
        else if (ABSENT != zero && 0 != segment)
        {
            report.valuesWithoutKeyPurged++;
            report.example("segment " + segment + ": a key-0 word outside segment 0, cleared");
            region.putLong(ZERO_KEY_VALUE_OFFSET, ABSENT);
        }
        int firstEmpty = -1;
        for (int index = 0; index < capacity; index++)
        {
            if (EMPTY_KEY == region.getLong(slotOffset(index) + KEY_OFFSET))
            {
                firstEmpty = index;
                break;
            }
        }
        // walk the ring starting after an empty slot, so every run of claimed slots is seen from its start
        int runStart = firstEmpty < 0 ? 0 : firstEmpty + 1;
        int used = 0;
        int live = 0;
        long work = 0;
        final long workBudget = WORK_PER_SLOT * capacity + MIN_WORK;
        for (int step = 0; step < capacity; step++)
        {
            int index = (firstEmpty < 0 ? 0 : firstEmpty + 1) + step;
            index = index >= capacity ? index - capacity : index;
            final int slot = slotOffset(index);
            final long key = region.getLong(slot + KEY_OFFSET);
            long word = region.getLong(slot + VALUE_OFFSET);
            if (EMPTY_KEY == key)
            {
                runStart = index + 1 == capacity ? 0 : index + 1;
                if (FROZEN == word)
                {
                    report.slotsThawed++;
                    region.putLong(slot + VALUE_OFFSET, ABSENT);
                }
                else if (ABSENT != word)
                {
                    report.valuesWithoutKeyPurged++;
                    report.example("segment " + segment + " slot " + index + ": value without a key, cleared");
                    region.putLong(slot + VALUE_OFFSET, ABSENT);
                }
                continue;
            }
            used++;
            if (FROZEN == word)
            {
                report.slotsThawed++;
                region.putLong(slot + VALUE_OFFSET, ABSENT);
                word = ABSENT;
            }
            final long hash = table.hash(key);
            if (ABSENT == word)
            {
                // a removed key keeps its word, and a later put of the key revives this slot without touching the
                // filter (its bit was set when the key was first inserted): so every key word must have its bit
                if (DirectoryDescriptor.segmentOf(hash, segmentMask) == segment && table.addToFilterPrivate(hash))
                {
                    report.filterWordsRepaired++;
                    report.example("segment " + segment + " slot " + index + ": removed key " + key + " was " +
                        "missing from the filter, added (a put would revive it)");
                }
                continue;
            }
            if (DirectoryDescriptor.segmentOf(hash, segmentMask) != segment)
            {
                report.keysInWrongSegmentPurged++;
                report.example("segment " + segment + " slot " + index + ": key " + key + " belongs to segment " +
                    DirectoryDescriptor.segmentOf(hash, segmentMask) + ", removed");
                region.putLong(slot + VALUE_OFFSET, ABSENT);
                continue;
            }
            final int home = homeIndex(hash, capacity);
            if (firstEmpty >= 0 && distance(home, index, capacity) > distance(runStart, index, capacity))
            {
                report.keysOutsideProbeChainPurged++;
                report.example("segment " + segment + " slot " + index + ": key " + key +
                    " outside its probe chain (home " + home + "), removed");
                region.putLong(slot + VALUE_OFFSET, ABSENT);
                continue;
            }
            final int displacement = distance(home, index, capacity);
            if (displacement > SHORT_DISPLACEMENT && work > workBudget)
            {
                // Only a damaged table gets here: a real one at max load 0.95 or less has displacements summing to a
                // few times its capacity. Checking every long one for duplicates would be quadratic (a table of
                // garbage with no empty slot is one run), so past the budget such entries are removed unchecked.
                report.unverifiablePurged++;
                report.example("segment " + segment + " slot " + index + ": key " + key + " " + displacement +
                    " slots from its home in a damaged table, removed");
                region.putLong(slot + VALUE_OFFSET, ABSENT);
                continue;
            }
            work += displacement;
            if (appearsBefore(region, key, home, index, capacity))
            {
                report.duplicateKeysPurged++;
                report.example("segment " + segment + " slot " + index + ": duplicate of key " + key + ", removed");
                region.putLong(slot + VALUE_OFFSET, ABSENT);
                continue;
            }
            if (table.addToFilterPrivate(hash))
            {
                report.filterWordsRepaired++;
                report.example("segment " + segment + " slot " + index + ": key " + key + " was missing from the " +
                    "filter, added");
            }
            live++;
        }
        final long counts = ((long)used << 32) | live;
        if (counts != region.getLong(COUNTS_OFFSET))
        {
            report.countsRepaired++;
            region.putLongRelease(COUNTS_OFFSET, counts);
        }
        report.tablesScanned++;
        report.slotsScanned += capacity;
        report.bytesScanned += region.length();
    }

    private static int distance(final int from, final int to, final int capacity)
    {
        final int d = to - from;
        return d < 0 ? d + capacity : d;
    }

    /**
     * @return true if {@code key} occupies a slot from {@code home} up to (not including) {@code index}: the slot
     * every lookup finds first.
     */
    private static boolean appearsBefore(
        final MemoryRegion region, final long key, final int home, final int index, final int capacity)
    {
        for (int i = home; i != index; i = i + 1 == capacity ? 0 : i + 1)
        {
            if (key == region.getLong(slotOffset(i) + KEY_OFFSET))
            {
                return true;
            }
        }
        return false;
    }
}
