package io.slotkv.stress.fuzz;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.core.memory.StoreLockedException;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle for one mutated file in one {@link Arm}: open it, and either the open is refused with
 * {@link CorruptStoreException} (and the file is byte-for-byte unchanged and not locked: the seed written over it,
 * same inode, opens), or the map is self-consistent ({@code size()} is the number of entries {@code forEach} yields,
 * no key twice, {@code get} and {@code containsKey} agree with every entry), anything the open changed in the file
 * is covered by a recovery report that says it changed something, writes (inserts, updates, removes, a resize)
 * behave like a {@link HashMap} model, and they survive a close and a reopen in the arm's mode and a third open with
 * verification, which must find nothing to repair. Any other exception from the open or from any operation is a
 * failure ({@link Outcome#RAW_EXCEPTION}).
 * <p>
 * Format 3's own words: a file whose hash seed and check word disagree must be refused
 * ({@link Outcome#ACCEPTED_DAMAGED_SEED}); an opened map uses the file's missing value, and an open whose builder
 * asks for another one throws {@link IllegalArgumentException} naming both and leaves the file unchanged; a damaged
 * value key may change every value of its table by the same XOR and nothing else (for a file that claims a clean
 * close, the open must also report that the clean check failed: {@link Outcome#UNDETECTED_DAMAGE}). The writes use
 * values that were reserved before format 3 ({@code Long.MIN_VALUE + 1}, and through
 * {@link OffHeapLongLongMap#asConcurrentMap()} the missing value itself).
 * <p>
 * In the default arm, a file whose header says it was closed cleanly and whose only damage is in slot bytes is
 * trusted by design (no slot scan at a clean open): its inconsistencies are {@link Outcome#EXEMPT}, but exceptions
 * from it are still failures. Time limits, crashes and exits are the worker's and the parent's business.
 */
final class FileCheck
{
    static final long CHUNK_SIZE = 1 << 16;
    static final int MAX_EXAMPLES = StoreCheck.MAX_EXAMPLES;
    private static final int FULL_LOOKUP_CHECK = 16_384;
    private static final int SAMPLED_LOOKUP_CHECK = 4096;

    /** Values the writes use often: reserved before format 3 (MIN_VALUE, MIN_VALUE + 1), and raw-word lookalikes. */
    private static final long[] SPECIAL_VALUES = {
        Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, 0, 1, -1, Long.MAX_VALUE};

    private final Arm arm;
    private final Set<String> selfTests;

    /**
     * The verdict, its flags (what happened on the way) and the details (problems, or the refusal message).
     */
    static final class Result
    {
        final Outcome outcome;
        final Set<String> flags;
        final String detail;

        Result(final Outcome outcome, final Set<String> flags, final String detail)
        {
            this.outcome = outcome;
            this.flags = flags;
            this.detail = detail;
        }
    }

    FileCheck(final Arm arm, final Set<String> selfTests)
    {
        this.arm = arm;
        this.selfTests = selfTests;
    }

    /**
     * Write the mutated file to {@code file} and judge it.
     */
    Result run(final Path file, final Mutation mutation) throws IOException
    {
        Files.write(file, mutation.bytes);
        return StoreKind.BYTE_STORE == mutation.seed.store ? new ByteStoreCheck(arm, selfTests, file, mutation).run() :
            new Check(file, mutation).run();
    }

    /**
     * What forEach, size, get and containsKey said about a map.
     */
    static final class Snapshot
    {
        final Map<Long, Long> entries = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        final Set<Long> problemKeys = new TreeSet<>();

        boolean consistent()
        {
            return problems.isEmpty();
        }
    }

    static Snapshot snapshot(final OffHeapLongLongMap map)
    {
        final Snapshot snapshot = new Snapshot();
        final long sizeBefore = map.size();
        final long[] count = new long[2];
        final List<String> duplicates = new ArrayList<>();
        final List<long[]> yielded = new ArrayList<>();
        map.forEach((key, value) ->
        {
            count[0]++;
            final Long previous = snapshot.entries.put(key, value);
            if (null != previous)
            {
                count[1]++;
                snapshot.problemKeys.add(key);
                if (duplicates.size() < MAX_EXAMPLES)
                {
                    duplicates.add(key + " (values " + previous + " and " + value + ")");
                }
            }
            yielded.add(new long[]{key, value});
        });
        final long sizeAfter = map.size();
        if (count[1] > 0)
        {
            snapshot.problems.add("forEach yielded " + count[1] + " duplicate keys, e.g. " + duplicates);
        }
        if (sizeBefore != count[0] || sizeAfter != count[0])
        {
            snapshot.problems.add("size()=" + sizeBefore + (sizeAfter != sizeBefore ? " then " + sizeAfter : "") +
                " but forEach yielded " + count[0] + " entries");
        }
        if (map.isEmpty() != (0 == count[0]))
        {
            snapshot.problems.add("isEmpty()=" + map.isEmpty() + " with " + count[0] + " entries");
        }
        int mismatches = 0;
        final List<String> examples = new ArrayList<>();
        // every entry, unless a damaged table holds very many (then each lookup probes far: a sample, evenly spread)
        final int step = yielded.size() <= FULL_LOOKUP_CHECK ? 1 : yielded.size() / SAMPLED_LOOKUP_CHECK;
        for (int i = 0; i < yielded.size(); i += step)
        {
            final long[] entry = yielded.get(i);
            final long got = map.get(entry[0]);
            final boolean contains = map.containsKey(entry[0]);
            if (got != entry[1] || !contains)
            {
                mismatches++;
                snapshot.problemKeys.add(entry[0]);
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("key " + entry[0] + ": forEach gave " + entry[1] + ", get " +
                        (map.missingValue() == got ? "missing" : Long.toString(got)) + ", containsKey " + contains);
                }
            }
        }
        if (mismatches > 0)
        {
            snapshot.problems.add(mismatches + " entries of forEach disagree with get/containsKey, e.g. " + examples);
        }
        return snapshot;
    }

    static String compare(final Map<Long, Long> actual, final Map<Long, Long> expected)
    {
        if (actual.equals(expected))
        {
            return null;
        }
        final List<String> examples = new ArrayList<>();
        int missing = 0;
        int wrong = 0;
        int extra = 0;
        for (final Map.Entry<Long, Long> entry : new TreeMap<>(expected).entrySet())
        {
            final Long value = actual.get(entry.getKey());
            if (null == value)
            {
                missing++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("missing " + entry.getKey() + "=" + entry.getValue());
                }
            }
            else if (!value.equals(entry.getValue()))
            {
                wrong++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("key " + entry.getKey() + "=" + value + " instead of " + entry.getValue());
                }
            }
        }
        for (final Map.Entry<Long, Long> entry : new TreeMap<>(actual).entrySet())
        {
            if (!expected.containsKey(entry.getKey()))
            {
                extra++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("extra " + entry.getKey() + "=" + entry.getValue());
                }
            }
        }
        return expected.size() + " expected, " + actual.size() + " found: " + missing + " missing, " + wrong +
            " wrong, " + extra + " extra, e.g. " + examples;
    }

    private static void copy(final byte[] from, final byte[] to, final int start, final int end)
    {
        final int limit = Math.min(end, Math.min(from.length, to.length));
        if (start < limit)
        {
            System.arraycopy(from, start, to, start, limit - start);
        }
    }

    static String stack(final Throwable failure)
    {
        final StringBuilder text = new StringBuilder();
        Throwable t = failure;
        int depth = 0;
        while (null != t && depth < 3)
        {
            text.append(0 == depth ? "" : "\ncaused by: ").append(t);
            final StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, 14); i++)
            {
                text.append("\n\tat ").append(frames[i]);
            }
            t = t.getCause();
            depth++;
        }
        return text.toString();
    }

    /**
     * One file.
     */
    private final class Check extends StoreCheck<OffHeapLongLongMap>
    {
        final Map<Long, Long> expected;
        Boolean slotsAlone;
        long missing = OffHeapLongLongMap.DEFAULT_MISSING_VALUE;

        Check(final Path file, final Mutation mutation)
        {
            super(FileCheck.this.arm, FileCheck.this.selfTests, file, mutation);
            final Mutation.Damage damage = mutation.damage;
            this.expected = Mutation.Damage.NONE == damage || Mutation.Damage.HARMLESS == damage ||
                Mutation.Damage.MISSING_VALUE_ONLY == damage ||
                (Mutation.Damage.STATE_ONLY == damage && Seed.Kind.CRASH != mutation.seed.kind) ?
                mutation.seed.content : null;
        }

        @Override
        void beforeOpen(final boolean verify) throws IOException
        {
            missingValueConflict(verify);
        }

        /**
         * A clean file with slot damage and other damage, opened without verification: is the inconsistency the
         * slots' (by design) and the rest harmless? Yes if the file with its slot bytes (and key 0's word) put back
         * as the seed has them opens consistent without verification too.
         */
        @Override
        boolean attributable()
        {
            if (null == slotsAlone)
            {
                slotsAlone = Arm.DEFAULT == arm && mutation.claimsCleanClose() &&
                    0 != (mutation.regionBits & StoreLayout.SLOT) && withoutSlotDamageConsistent();
            }
            return slotsAlone;
        }

        private boolean withoutSlotDamageConsistent()
        {
            final byte[] seedBytes = mutation.seed.bytes;
            final byte[] variant = before.clone();
            for (final StoreLayout.Table table : ((StoreLayout)mutation.seed.layout).referenced)
            {
                final int zeroKey = (int)table.offset + StoreLayout.ZERO_KEY_VALUE_OFFSET;
                copy(seedBytes, variant, zeroKey, zeroKey + 8);
                copy(seedBytes, variant, (int)table.offset + StoreLayout.TABLE_HEADER_LENGTH, (int)table.end());
            }
            final Path other = file.resolveSibling(file.getFileName() + ".without-slot-damage");
            try
            {
                Files.write(other, variant);
                try (OffHeapLongLongMap opened = OffHeapLongLongMap.builder().file(other, OpenMode.OPEN_EXISTING)
                    .build())
                {
                    return snapshot(opened).consistent();
                }
            }
            catch (final Throwable ex)
            {
                return false; // refused, or worse: not attributable to the slots
            }
            finally
            {
                try
                {
                    Files.deleteIfExists(other);
                }
                catch (final IOException ignore)
                {
                    // the work directory is deleted at the end of the run
                }
            }
        }

        @Override
        OffHeapLongLongMap open(final OpenMode mode, final boolean verify)
        {
            return OffHeapLongLongMap.builder().file(file, mode).verifyOnOpen(verify).segments(2)
                .chunkSize(CHUNK_SIZE).build();
        }

        @Override
        void opened(final boolean verify) throws IOException
        {
            flags.add("opened");
            final Optional<RecoveryReport> report = store.recoveryReport();
            if (report.isPresent())
            {
                flags.add(report.get().changedAnything() ? "report-changed" : "report-unchanged");
            }
            if (0 == before.length)
            {
                flags.add("new-store");
            }
            missing = store.missingValue();
            injectUnreported();
            openChanges(report);
            formatThreeWords(report);
            final Snapshot first = snapshotStep("forEach/size/get after open");
            if (!first.consistent())
            {
                flags.add("root-" + rootCause(first));
                inconsistent("after open: " + String.join("; ", first.problems));
            }
            final Map<Long, Long> wanted = 0 == before.length ? Map.of() : expected;
            if (null != wanted && !exempt)
            {
                final String difference = compare(first.entries, wanted);
                if (null != difference)
                {
                    problem(Outcome.LOST_DATA, "after open, compared with the seed's entries: " + difference);
                }
            }
            if (Mutation.Damage.VALUE_KEY_ONLY == mutation.damage && !exempt)
            {
                final String difference = compareUnderValueKeyDamage(first.entries);
                if (null != difference)
                {
                    problem(Outcome.LOST_DATA, "after open, compared with the seed's entries (value keys damaged by " +
                        deltas() + "): " + difference);
                }
            }
            final Map<Long, Long> model = new HashMap<>(first.entries);
            step("writes", () -> writes(model));
            if (!exempt)
            {
                check("after writes", model);
            }
            step("close", () -> store.close());
            store = null;
            reopen("reopen after close", verify, model);
            if (!exempt)
            {
                reopen("third open, verifying", true, model);
            }
        }

        private void reopen(final String phase, final boolean verify, final Map<Long, Long> model)
        {
            try
            {
                store = open(OpenMode.OPEN_EXISTING, verify);
            }
            catch (final CorruptStoreException ex)
            {
                problem(Outcome.INCONSISTENT, phase + ": refused a file this store closed: " + stack(ex));
                throw new Abort();
            }
            catch (final Throwable ex)
            {
                raw(phase, ex);
            }
            if (exempt)
            {
                final Snapshot snapshot = snapshotStep(phase);
                if (!snapshot.consistent())
                {
                    flags.add("exempt-still-inconsistent-after-close");
                }
            }
            else
            {
                final Optional<RecoveryReport> report = store.recoveryReport();
                if (verify && report.isPresent() && report.get().changedAnything())
                {
                    inconsistent(phase + ": recovery repaired a file this store closed cleanly: " + report.get());
                }
                check(phase, model);
            }
            step("close after " + phase, () -> store.close());
            store = null;
        }

        private Snapshot snapshotStep(final String phase)
        {
            final Snapshot[] snapshot = new Snapshot[1];
            step(phase, () -> snapshot[0] = snapshot(store));
            return snapshot[0];
        }

        private void check(final String phase, final Map<Long, Long> model)
        {
            final Snapshot snapshot = snapshotStep(phase);
            final List<String> problems = new ArrayList<>(snapshot.problems);
            final String difference = compare(snapshot.entries, model);
            if (null != difference)
            {
                problems.add("compared with the model: " + difference);
            }
            if (!problems.isEmpty())
            {
                inconsistent(phase + ": " + String.join("; ", problems));
            }
        }

        /**
         * @return why a store is inconsistent, as far as the file shows: "wrong-segment" if every key forEach and get
         * disagree on sits in a table of a segment its hash does not choose; "counts" if only size() is off.
         */
        private String rootCause(final Snapshot snapshot)
        {
            if (snapshot.problemKeys.isEmpty())
            {
                return "counts";
            }
            try
            {
                final byte[] now = Bytes.read(file);
                final StoreLayout layout = new StoreLayout(now);
                final Set<Long> misplaced = new TreeSet<>();
                for (final StoreLayout.Table table : layout.current)
                {
                    for (final int index : table.occupied)
                    {
                        final long key = Bytes.getLong(now, table.slot(index) + StoreLayout.KEY_OFFSET);
                        final long word = Bytes.getLong(now, table.slot(index) + StoreLayout.VALUE_OFFSET);
                        if (StoreLayout.ABSENT != word && StoreLayout.FROZEN != word &&
                            StoreLayout.segmentOf(layout.hash(key), layout.segments) !=
                            table.segment)
                        {
                            misplaced.add(key);
                        }
                    }
                }
                return misplaced.containsAll(snapshot.problemKeys) ? "wrong-segment" : "other";
            }
            catch (final IOException | RuntimeException ex)
            {
                return "unknown";
            }
        }

        /**
         * An open whose builder asks for a missing value other than the file's must throw
         * {@link IllegalArgumentException} naming both (or refuse the file as corrupt for another reason) and leave
         * the file unchanged and unlocked. Checked on every file whose missing value was mutated and on every 16th
         * other file with a store; the builder asks for the seed's missing value (or the file's, plus one bit).
         */
        private void missingValueConflict(final boolean verify) throws IOException
        {
            final Long word = mutation.missingValueWord;
            if (null == word || 0 == (mutation.regionBits & StoreLayout.MISSING_VALUE) && 0 != mutation.index % 16)
            {
                return;
            }
            final long stored = word;
            final long seedMissing = ((StoreLayout)mutation.seed.layout).missingValue;
            final long other = seedMissing != stored ? seedMissing :
                stored ^ 1;
            try
            {
                final OffHeapLongLongMap opened = OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING)
                    .verifyOnOpen(verify).missingValue(other).segments(2).chunkSize(CHUNK_SIZE).build();
                opened.close();
                problem(Outcome.INCONSISTENT, "an open asking for missingValue=" + other + " opened a file whose " +
                    "missing value is " + stored);
                Bytes.overwrite(file, before);
                return;
            }
            catch (final IllegalArgumentException ex)
            {
                final String message = String.valueOf(ex.getMessage());
                flags.add(message.contains(Long.toString(stored)) && message.contains(Long.toString(other)) ?
                    "missing-value-conflict-refused" : "missing-value-conflict-vague-message");
            }
            catch (final CorruptStoreException ex)
            {
                flags.add("missing-value-conflict-corrupt");
            }
            catch (final Throwable ex)
            {
                raw("open asking for missingValue=" + other + " (the file's is " + stored + ")", ex);
            }
            final byte[] after = Bytes.read(file);
            if (!Arrays.equals(before, after))
            {
                problem(Outcome.REFUSED_MODIFIED, "an open asking for another missing value was refused but the file " +
                    "changed: " + Bytes.differences(before, after));
                Bytes.overwrite(file, before);
            }
        }

        /**
         * The words format 3 added, once the file opened: the hash seed pair was consistent, the store took the
         * file's missing value, and a damaged value key in a file that claims a clean close was noticed.
         */
        private void formatThreeWords(final Optional<RecoveryReport> report)
        {
            if (0 == before.length || flags.contains("map-created"))
            {
                return;
            }
            if (null != mutation.seedPairBroken)
            {
                problem(Outcome.ACCEPTED_DAMAGED_SEED, "opened a file with " + mutation.seedPairBroken +
                    ": a hash seed without its complement must be refused, never repaired");
            }
            if (null != mutation.missingValueWord && missing != mutation.missingValueWord)
            {
                problem(Outcome.INCONSISTENT, "missingValue()=" + missing + " but the file's directory holds " +
                    mutation.missingValueWord);
            }
            if (0 != (mutation.regionBits & StoreLayout.MISSING_VALUE))
            {
                flags.add("missing-value-damaged-opened");
            }
            if (0 != (mutation.regionBits & StoreLayout.VALUE_KEY))
            {
                flags.add("value-key-damaged-opened");
                if (mutation.claimsCleanClose())
                {
                    if (report.isEmpty() || !report.get().cleanCheckFailed())
                    {
                        problem(Outcome.UNDETECTED_DAMAGE, "value keys damaged by " + deltas() + " in a file that " +
                            "claims a clean close, and the open " + (report.isEmpty() ? "ran no recovery" :
                            "did not report a failed clean check: " + report.get()));
                    }
                    else
                    {
                        flags.add("value-key-damage-detected-by-clean-check");
                    }
                }
            }
        }

        private String deltas()
        {
            final StringBuilder text = new StringBuilder();
            for (final long delta : mutation.valueKeyDeltas)
            {
                text.append(text.length() > 0 ? ", " : "").append("0x").append(Long.toHexString(delta));
            }
            return "XOR " + text;
        }

        /**
         * @return null if {@code actual} has exactly the seed's keys and each value is the seed's, or the seed's
         * XORed with the damage of one of the value keys; else what differs.
         */
        private String compareUnderValueKeyDamage(final Map<Long, Long> actual)
        {
            final Map<Long, Long> seed = mutation.seed.content;
            if (!actual.keySet().equals(seed.keySet()))
            {
                return "the key sets differ: " + compare(actual, seed);
            }
            int unexplained = 0;
            int shifted = 0;
            final List<String> examples = new ArrayList<>();
            for (final Map.Entry<Long, Long> entry : seed.entrySet())
            {
                final long want = entry.getValue();
                final long got = actual.get(entry.getKey());
                if (got == want)
                {
                    continue;
                }
                boolean explained = false;
                for (final long delta : mutation.valueKeyDeltas)
                {
                    explained |= got == (want ^ delta);
                }
                if (explained)
                {
                    shifted++;
                    continue;
                }
                unexplained++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("key " + entry.getKey() + "=" + got + " instead of " + want);
                }
            }
            if (shifted > 0)
            {
                flags.add("value-key-damage-shifted-values");
            }
            return 0 == unexplained ? null : unexplained + " values are neither the seed's nor the seed's XOR a " +
                "value key's damage (" + shifted + " are), e.g. " + examples;
        }

        /**
         * Inserts (a resize for a quarter of the files), updates, conditional updates, an increment and removes,
         * each checked against the model unless the store is exempt. Values include those reserved before format 3
         * ({@code Long.MIN_VALUE + 1}, 0, 1) and, through the {@code ConcurrentMap} view, the store's missing value.
         */
        private void writes(final Map<Long, Long> model)
        {
            final SplittableRandom random = new SplittableRandom(mutation.index * 0x9E37_79B9_7F4A_7C15L + 12345);
            final List<Long> keys = new ArrayList<>(new TreeSet<>(model.keySet()));
            injectFailures();
            for (int i = 0; i < Math.min(4, keys.size()); i++)
            {
                final long key = keys.get(random.nextInt(keys.size()));
                final long value = storable(random);
                expect("put", key, store.put(key, value), model.getOrDefault(key, missing));
                model.put(key, value);
            }
            if (!keys.isEmpty())
            {
                final long key = keys.get(random.nextInt(keys.size()));
                final long value = storable(random);
                final boolean present = model.containsKey(key);
                final long current = present ? model.get(key) : storable(random);
                final boolean replaced = store.replace(key, current, value);
                expect("replace(k, " + (present ? "current" : "a value, absent") + ", v)", key, replaced ? 1 : 0,
                    present ? 1 : 0);
                if (replaced)
                {
                    model.put(key, value);
                }
                final long other = keys.get(random.nextInt(keys.size()));
                final Long held = model.get(other);
                // Long.MAX_VALUE + 1 overflows (ArithmeticException, documented) and a sum equal to the missing value
                // is refused: a damaged word decodes to any value, and once the model diverged (an exempt file) the
                // store's own value is what the add meets, so both are asked
                final long stored = store.get(other);
                if (null != held && !overflows(held) && !overflows(stored))
                {
                    expect("getAndAdd", other, store.getAndAdd(other, 1), held);
                    model.put(other, held + 1);
                }
                final long existing = keys.get(random.nextInt(keys.size()));
                expect("putIfAbsent", existing, store.putIfAbsent(existing, storable(random)),
                    model.getOrDefault(existing, missing));
            }
            for (int i = 0; i < Math.min(3, keys.size()); i++)
            {
                final long key = keys.get(random.nextInt(keys.size()));
                final Long removed = model.remove(key);
                expect("remove", key, store.remove(key), null == removed ? missing : removed);
            }
            final int inserts = random.nextInt(4) == 0 ? 150 : 8;
            for (int i = 0; i < inserts; i++)
            {
                final long key = newKey(random, i);
                if (model.containsKey(key))
                {
                    continue;
                }
                expect("get of a new key", key, store.get(key), missing);
                final long value = storable(random);
                if (i % 5 == 4)
                {
                    expect("putIfAbsent of a new key", key, store.putIfAbsent(key, value), missing);
                }
                else
                {
                    expect("put of a new key", key, store.put(key, value), missing);
                }
                model.put(key, value);
            }
            final long viewKey = newKey(random, 100);
            if (!model.containsKey(viewKey))
            {
                // the missing value itself, which only the view stores: get then returns it, containsKey says present
                final Long previous = store.asConcurrentMap().put(viewKey, missing);
                expect("asConcurrentMap().put(k, missingValue) of a new key", viewKey, null == previous ? 0 : 1, 0);
                expect("containsKey after the view stored the missing value", viewKey,
                    store.containsKey(viewKey) ? 1 : 0, 1);
                model.put(viewKey, missing);
            }
            final long absent = newKey(random, 99);
            if (!model.containsKey(absent))
            {
                expect("remove of an absent key", absent, store.remove(absent), missing);
            }
            expect("size after writes", -1, store.size(), model.size());
        }

        private boolean overflows(final long value)
        {
            return Long.MAX_VALUE == value || value + 1 == missing;
        }

        private void expect(final String op, final long key, final long actual, final long wanted)
        {
            if (!exempt && actual != wanted)
            {
                inconsistent(op + "(" + key + ") returned " + actual + ", the model says " + wanted);
            }
        }

        private long newKey(final SplittableRandom random, final int i)
        {
            switch (i)
            {
                case 0:
                    return 0;
                case 1:
                    return Long.MIN_VALUE;
                case 2:
                    return Long.MAX_VALUE;
                case 3:
                    return -1 - random.nextInt(1000);
                default:
                    return random.nextInt(3) == 0 ? random.nextInt(10_000) : random.nextLong();
            }
        }

        /**
         * @return a value the primitive API stores: anything but the store's missing value; one in four is a value
         * that was reserved before format 3 or is otherwise special.
         */
        private long storable(final SplittableRandom random)
        {
            final long value = random.nextInt(4) == 0 ?
                SPECIAL_VALUES[random.nextInt(SPECIAL_VALUES.length)] : random.nextLong();
            return value == missing ? value + 1 : value;
        }

    }

    static void crashTheJvm()
    {
        try
        {
            final Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            field.setAccessible(true);
            final Object unsafe = field.get(null);
            unsafe.getClass().getMethod("putLong", long.class, long.class).invoke(unsafe, 8L, 0L);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot crash the JVM", ex);
        }
    }
}
