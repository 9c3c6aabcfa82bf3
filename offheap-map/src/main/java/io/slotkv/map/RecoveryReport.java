package io.slotkv.map;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What opening a store file found and repaired: produced when the file was not closed cleanly (its last owner
 * died), or when {@link OffHeapLongLongMap.Builder#verifyOnOpen(boolean) verification} was asked for; the same
 * report serves {@link OffHeapByteStore} (whose recovery rebuilds every table from the entries that pass their checks).
 * <p>
 * Recovery runs under the file's exclusive lock before the map is used. It checks the header, the directory and
 * every current table (capacity and region in range, regions not overlapping, every key inside its probe chain,
 * no duplicate keys), finishes replacements a crash interrupted, thaws slots a crash left frozen, purges slots
 * that cannot be reached consistently, and recounts every table. It is idempotent: a crash during recovery leaves
 * the file still marked open, and the next open recovers again.
 */
public final class RecoveryReport
{
    /** Examples kept of what was repaired. */
    static final int MAX_EXAMPLES = 10;

    private final String file;
    private final boolean cleanBefore;
    int segments;
    int tablesScanned;
    long slotsScanned;
    long bytesScanned;
    int replacementsCompleted;
    int replacementsCleared;
    int replacementsAbandoned;
    long slotsThawed;
    long valuesWithoutKeyPurged;
    long keysOutsideProbeChainPurged;
    long duplicateKeysPurged;
    long keysInWrongSegmentPurged;
    long unverifiablePurged;
    long damagedEntriesPurged;
    boolean cleanCheckFailed;
    int countsRepaired;
    long filterWordsRepaired;
    int allocatorStatesWrong;
    int tablesRebuilt;
    long entries;
    long nanos;
    private final List<String> examples = new ArrayList<>();

    RecoveryReport(final String file, final boolean cleanBefore)
    {
        this.file = file;
        this.cleanBefore = cleanBefore;
    }

    void example(final String text)
    {
        if (examples.size() < MAX_EXAMPLES)
        {
            examples.add(text);
        }
    }

    /**
     * Add the counts and examples of one segment's part.
     */
    void add(final RecoveryReport part)
    {
        tablesScanned += part.tablesScanned;
        slotsScanned += part.slotsScanned;
        bytesScanned += part.bytesScanned;
        replacementsCompleted += part.replacementsCompleted;
        replacementsCleared += part.replacementsCleared;
        replacementsAbandoned += part.replacementsAbandoned;
        slotsThawed += part.slotsThawed;
        valuesWithoutKeyPurged += part.valuesWithoutKeyPurged;
        keysOutsideProbeChainPurged += part.keysOutsideProbeChainPurged;
        duplicateKeysPurged += part.duplicateKeysPurged;
        keysInWrongSegmentPurged += part.keysInWrongSegmentPurged;
        unverifiablePurged += part.unverifiablePurged;
        damagedEntriesPurged += part.damagedEntriesPurged;
        countsRepaired += part.countsRepaired;
        filterWordsRepaired += part.filterWordsRepaired;
        allocatorStatesWrong += part.allocatorStatesWrong;
        for (final String text : part.examples)
        {
            example(text);
        }
    }

    /**
     * The store the report is about, as its memory space names it (path and chunk size), for logs.
     *
     * @return the description of the store file.
     */
    public String file()
    {
        return file;
    }

    /**
     * Whether the file's last owner closed it; if so, recovery ran because verification was asked for or because
     * a cheap check at open (counts, a leftover intent, the clean check) failed.
     *
     * @return true if the file had been closed cleanly, false if its last owner died.
     */
    public boolean wasClosedCleanly()
    {
        return cleanBefore;
    }

    /**
     * The segments of the store; each was checked, and each suspect one (or every one, when verifying) scanned.
     *
     * @return the segment count of the store.
     */
    public int segments()
    {
        return segments;
    }

    /**
     * The tables recovery read slot by slot: a segment's current table, and the old table of a replacement it
     * finished.
     *
     * @return tables whose every slot was scanned.
     */
    public int tablesScanned()
    {
        return tablesScanned;
    }

    /**
     * The capacity of every table scanned, summed.
     *
     * @return slots scanned.
     */
    public long slotsScanned()
    {
        return slotsScanned;
    }

    /**
     * The region lengths of every table scanned, summed: the memory recovery read.
     *
     * @return bytes of tables scanned.
     */
    public long bytesScanned()
    {
        return bytesScanned;
    }

    /**
     * Replacements that a crash stopped while entries were being copied; recovery copied the rest.
     *
     * @return table replacements a crash interrupted, finished by copying the rest into the next table.
     */
    public int replacementsCompleted()
    {
        return replacementsCompleted;
    }

    /**
     * Replacements that a crash stopped after the new table was committed; only their intent was left to clear.
     *
     * @return replacements a crash interrupted after their commit, whose leftover intent was cleared.
     */
    public int replacementsCleared()
    {
        return replacementsCleared;
    }

    /**
     * Byte store: replacements that a crash stopped before their commit; their new table was dropped, because the
     * current table still names every entry (a frozen slot keeps its entry).
     *
     * @return replacements a crash interrupted before their commit, whose next table was dropped.
     */
    public int replacementsAbandoned()
    {
        return replacementsAbandoned;
    }

    /**
     * Frozen slots without a value, made usable again; no entry was lost with them.
     *
     * @return slots without a value that a crash left frozen, thawed (nothing lost: they held no value).
     */
    public long slotsThawed()
    {
        return slotsThawed;
    }

    /**
     * Damaged slots that held a value under no key, cleared.
     *
     * @return slots with a value but no key (damage), cleared.
     */
    public long valuesWithoutKeyPurged()
    {
        return valuesWithoutKeyPurged;
    }

    /**
     * Damaged entries that no lookup could reach, removed.
     *
     * @return entries whose key is outside its probe chain, so no lookup could find them (damage), removed.
     */
    public long keysOutsideProbeChainPurged()
    {
        return keysOutsideProbeChainPurged;
    }

    /**
     * Damaged duplicates: the first copy of a key in its probe chain stays, the later ones are removed.
     *
     * @return later copies of a key already present earlier in its probe chain (damage), removed.
     */
    public long duplicateKeysPurged()
    {
        return duplicateKeysPurged;
    }

    /**
     * Damaged entries stored in a segment their key does not hash to, removed.
     *
     * @return entries whose key hashes to another segment, so no lookup could find them (damage), removed.
     */
    public long keysInWrongSegmentPurged()
    {
        return keysInWrongSegmentPurged;
    }

    /**
     * Entries of a damaged table removed because they could not be checked in linear time.
     *
     * @return entries of a damaged table that lay so far from their home slot that checking them for duplicates
     * would take quadratic time (only tables with far more probing than any real table has), removed.
     */
    public long unverifiablePurged()
    {
        return unverifiablePurged;
    }

    /**
     * Byte store: slots whose entry failed a check, removed.
     *
     * @return slots naming an entry that is not a block of the segment's heap, whose block was reused (another
     * generation), whose lengths do not fit its block, whose checksum (CRC32C) does not match, or that overlaps
     * another entry (damage, or a block a crash left half-written), removed.
     */
    public long damagedEntriesPurged()
    {
        return damagedEntriesPurged;
    }

    /**
     * Everything recovery removed because of damage, whatever the kind.
     *
     * @return entries removed because of damage: the sum of the six kinds.
     */
    public long purged()
    {
        return valuesWithoutKeyPurged + keysOutsideProbeChainPurged + duplicateKeysPurged + keysInWrongSegmentPurged +
            unverifiablePurged + damagedEntriesPurged;
    }

    /**
     * Whether a file that claimed a clean close was found changed since, which made recovery verify every table.
     *
     * @return true if the file claimed a clean close but its clean check (a hash of the directory and the table
     * headers, written by the close) did not match: it was damaged since, so every table was verified.
     */
    public boolean cleanCheckFailed()
    {
        return cleanCheckFailed;
    }

    /**
     * Tables whose header counts recovery recomputed from their slots and corrected.
     *
     * @return tables whose used/live counts did not match their slots and were rewritten.
     */
    public int countsRepaired()
    {
        return countsRepaired;
    }

    /**
     * Filter words ({@code docs/spec}: a table's absent-key filter) that lacked a bit of an entry's key and were
     * corrected; only damage to the file makes them (a crash leaves extra bits at most, which cost nothing but a
     * probe).
     *
     * @return filter words recovery added missing bits to.
     */
    public long filterWordsRepaired()
    {
        return filterWordsRepaired;
    }

    /**
     * Byte store, read-only verification only: heaps whose allocator state saved by the clean close (bump pointer,
     * bytes handed out, free lists) does not match the entries their table names; a repair rebuilds it from them.
     *
     * @return heaps whose saved allocator state a repair would rebuild differently.
     */
    public int allocatorStatesWrong()
    {
        return allocatorStatesWrong;
    }

    /**
     * Tables replaced right after the repair because they held more key words than the largest max load (0.95)
     * allows (purged entries keep their key words): left as they were, a miss or an iteration could scan all of a
     * table that has no empty key word.
     *
     * @return tables rebuilt, with only the entries that have a value, after the repair.
     */
    public int tablesRebuilt()
    {
        return tablesRebuilt;
    }

    /**
     * The size of the map as recovery left it, key 0 included.
     *
     * @return entries in the map after recovery.
     */
    public long entries()
    {
        return entries;
    }

    /**
     * The wall-clock time of the repair, from its start to the last segment's end.
     *
     * @return time recovery took, in nanoseconds.
     */
    public long nanos()
    {
        return nanos;
    }

    /**
     * The scan rate: {@link #bytesScanned()} over {@link #nanos()}.
     *
     * @return bytes of tables scanned per second; 0 if no time was measured.
     */
    public double bytesPerSecond()
    {
        return 0 == nanos ? 0 : bytesScanned * 1e9 / nanos;
    }

    /**
     * The first repairs recovery made, in words, for a log or an error report.
     *
     * @return up to {@value #MAX_EXAMPLES} descriptions of repairs, with segment, slot and key; unmodifiable.
     */
    public List<String> examples()
    {
        return Collections.unmodifiableList(examples);
    }

    /**
     * Whether the scan found anything to repair: damage (purged entries, repaired filter words, a failed clean
     * check) or what a crash leaves (interrupted replacements, frozen slots, stale counts). Tables rebuilt alone are
     * not: a byte store's full scan rebuilds every table.
     *
     * @return false if the store was consistent as found.
     */
    public boolean foundDamage()
    {
        return cleanCheckFailed || purged() + slotsThawed + filterWordsRepaired > 0 || countsRepaired > 0 ||
            allocatorStatesWrong > 0 ||
            replacementsCompleted + replacementsCleared + replacementsAbandoned > 0;
    }

    /**
     * Whether recovery wrote anything beyond its own bookkeeping: a finished or cleared replacement, a repaired
     * count, a thawed slot, a purged entry, a repaired filter word or a rebuilt table.
     *
     * @return true if recovery changed the file.
     */
    public boolean changedAnything()
    {
        return replacementsCompleted + replacementsCleared + replacementsAbandoned + countsRepaired + tablesRebuilt > 0 ||
            slotsThawed + purged() + filterWordsRepaired > 0;
    }

    @Override
    public String toString()
    {
        return "recovery of " + file + (cleanBefore ? " (verification of a clean file)" : " (not closed cleanly)") +
            (cleanCheckFailed ? " (the clean check did not match: damaged since its close)" : "") +
            ": " + segments + " segments, " + tablesScanned + " tables, " + slotsScanned + " slots (" +
            bytesScanned + " bytes) scanned in " + String.format("%.1f", nanos / 1e6) + " ms; replacements " +
            "completed=" + replacementsCompleted + ", cleared=" + replacementsCleared + ", abandoned=" +
            replacementsAbandoned + "; slots thawed=" + slotsThawed +
            "; purged: valueWithoutKey=" + valuesWithoutKeyPurged + ", keyOutsideProbeChain=" +
            keysOutsideProbeChainPurged + ", duplicateKey=" + duplicateKeysPurged + ", keyInWrongSegment=" +
            keysInWrongSegmentPurged + ", unverifiable=" + unverifiablePurged + ", damagedEntry=" + damagedEntriesPurged +
            "; counts repaired=" +
            countsRepaired + "; filter words repaired=" + filterWordsRepaired +
            (allocatorStatesWrong > 0 ? "; allocator states wrong=" + allocatorStatesWrong : "") + "; tables rebuilt=" + tablesRebuilt + "; entries=" + entries +
            (examples.isEmpty() ? "" : "; examples: " + String.join("; ", examples));
    }
}
