package io.slotkv.stress.fuzz;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle for one mutated byte-store file ({@link StoreCheck} does the shared steps): an opened store must be
 * self-consistent ({@code size()} is the number of entries {@code forEach} yields, no key twice, {@code get} and
 * {@code containsKey} agree with every entry whose key is within the store's limit), return for every key only a
 * value that was written for it in the seed ({@link Seed#written}; unless the mutation forged an entry with a
 * matching checksum), hold exactly the seed's entries where the damage cannot change them, behave like a
 * {@link HashMap} model under writes (puts, updates, conditional writes, removes, getAndSet, append, inserts with a
 * resize in one of four files), and survive a close, a reopen in the arm's mode and a third open with
 * verification, which must purge nothing.
 * <p>
 * In the default arm, a file that claims a clean close and whose only damage is in slot words or entries (the
 * arenas' blocks) is trusted by design: its inconsistencies are {@link Outcome#EXEMPT}, and so is a
 * {@code CorruptStoreException} an operation throws when it meets that damage (documented); any other exception
 * from it is still a failure.
 */
final class ByteStoreCheck extends StoreCheck<OffHeapByteStore>
{
    private static final int FULL_LOOKUP_CHECK = 16_384;
    private static final int SAMPLED_LOOKUP_CHECK = 4096;

    private final Map<String, String> expected;
    private Boolean slotsAlone;
    /** The entries of a read-only open with verification that accepted the file; null if it refused it. */
    private Map<String, String> readOnlyVerified;

    ByteStoreCheck(final Arm arm, final Set<String> selfTests, final Path file, final Mutation mutation)
    {
        super(arm, selfTests, file, mutation);
        final Mutation.Damage damage = mutation.damage;
        this.expected = Mutation.Damage.NONE == damage || Mutation.Damage.HARMLESS == damage ||
            Mutation.Damage.RESERVED_ONLY == damage || Mutation.Damage.ENTRIES_KEPT == damage ||
            (Mutation.Damage.STATE_ONLY == damage && Seed.Kind.CRASH != mutation.seed.kind) ?
            mutation.seed.byteContent : null;
    }

    /** What forEach, size, get and containsKey said about a store. */
    static final class Snapshot
    {
        final Map<String, String> entries = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        /** Entries whose key is longer than the store's limit (a damaged limits word): get refuses such keys. */
        int beyondLimits;

        boolean consistent()
        {
            return problems.isEmpty();
        }
    }

    static Snapshot snapshot(final OffHeapByteStore store)
    {
        final Snapshot snapshot = new Snapshot();
        final long sizeBefore = store.size();
        final long[] count = new long[2];
        final List<String> duplicates = new ArrayList<>();
        final List<String> yielded = new ArrayList<>();
        store.forEach((key, value) ->
        {
            count[0]++;
            final byte[] k = new byte[key.capacity()];
            key.getBytes(0, k);
            final byte[] v = new byte[value.capacity()];
            value.getBytes(0, v);
            final String text = Bytes.text(k);
            final String previous = snapshot.entries.put(text, Bytes.text(v));
            if (null != previous)
            {
                count[1]++;
                if (duplicates.size() < MAX_EXAMPLES)
                {
                    duplicates.add(Bytes.show(text));
                }
            }
            yielded.add(text);
        });
        final long sizeAfter = store.size();
        if (count[1] > 0)
        {
            snapshot.problems.add("forEach yielded " + count[1] + " duplicate keys, e.g. " + duplicates);
        }
        if (sizeBefore != count[0] || sizeAfter != count[0])
        {
            snapshot.problems.add("size()=" + sizeBefore + (sizeAfter != sizeBefore ? " then " + sizeAfter : "") +
                " but forEach yielded " + count[0] + " entries");
        }
        if (store.isEmpty() != (0 == count[0]))
        {
            snapshot.problems.add("isEmpty()=" + store.isEmpty() + " with " + count[0] + " entries");
        }
        int mismatches = 0;
        final List<String> examples = new ArrayList<>();
        final int step = yielded.size() <= FULL_LOOKUP_CHECK ? 1 : yielded.size() / SAMPLED_LOOKUP_CHECK;
        for (int i = 0; i < yielded.size(); i += step)
        {
            final String key = yielded.get(i);
            if (key.length() > store.maxKeyLength())
            {
                snapshot.beyondLimits++;
                continue;
            }
            final byte[] got = store.get(Bytes.bytes(key));
            final boolean contains = store.containsKey(Bytes.bytes(key));
            final String want = snapshot.entries.get(key);
            if (null == got || !Bytes.text(got).equals(want) || !contains)
            {
                mismatches++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("key " + Bytes.show(key) + ": forEach gave " + Bytes.show(want) + ", get " +
                        (null == got ? "null" : Bytes.show(Bytes.text(got))) + ", containsKey " + contains);
                }
            }
        }
        if (mismatches > 0)
        {
            snapshot.problems.add(mismatches + " entries of forEach disagree with get/containsKey, e.g. " + examples);
        }
        return snapshot;
    }

    static String compare(final Map<String, String> actual, final Map<String, String> expected)
    {
        if (actual.equals(expected))
        {
            return null;
        }
        final List<String> examples = new ArrayList<>();
        int missing = 0;
        int wrong = 0;
        int extra = 0;
        for (final Map.Entry<String, String> entry : new TreeMap<>(expected).entrySet())
        {
            final String value = actual.get(entry.getKey());
            if (null == value || !value.equals(entry.getValue()))
            {
                missing += null == value ? 1 : 0;
                wrong += null == value ? 0 : 1;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add((null == value ? "missing " : "wrong ") + Bytes.show(entry.getKey()) + "=" +
                        (null == value ? Bytes.show(entry.getValue()) : Bytes.show(value) + " instead of " +
                        Bytes.show(entry.getValue())));
                }
            }
        }
        for (final String key : new TreeSet<>(actual.keySet()))
        {
            if (!expected.containsKey(key))
            {
                extra++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add("extra " + Bytes.show(key) + "=" + Bytes.show(actual.get(key)));
                }
            }
        }
        return expected.size() + " expected, " + actual.size() + " found: " + missing + " missing, " + wrong +
            " wrong, " + extra + " extra, e.g. " + examples;
    }

    /**
     * @return null if every entry's value is one that was written for its key, else what was not.
     */
    static String unwritten(final Map<String, String> entries, final Map<String, Set<Long>> written)
    {
        int unwritten = 0;
        final List<String> examples = new ArrayList<>();
        for (final Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet())
        {
            final Set<Long> values = written.get(entry.getKey());
            if (null == values || !values.contains(Bytes.fingerprint(Bytes.bytes(entry.getValue()))))
            {
                unwritten++;
                if (examples.size() < MAX_EXAMPLES)
                {
                    examples.add((null == values ? "key never written " : "value never written for key ") +
                        Bytes.show(entry.getKey()) + "=" + Bytes.show(entry.getValue()));
                }
            }
        }
        return 0 == unwritten ? null : unwritten + " of " + entries.size() + " entries were never written, e.g. " +
            examples;
    }

    @Override
    OffHeapByteStore open(final OpenMode mode, final boolean verify)
    {
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().file(file, mode).verifyOnOpen(verify)
            .segments(2).chunkSize(ByteSeedStores.CHUNK_SIZE);
        if (holdsNoStore())
        {
            // a new store: limits that fit the chunk (a reopen must not set them: it would override the file's)
            builder.maxKeyLength(ByteSeedStores.MAX_KEY_LENGTH).maxValueLength(ByteSeedStores.MAX_VALUE_LENGTH);
        }
        return builder.build();
    }

    /** @return whether the file as it is now holds no store: empty, or a header with no root. */
    private boolean holdsNoStore()
    {
        try
        {
            final byte[] head = Files.size(file) >= FileLayout.HEADER_LENGTH ?
                java.util.Arrays.copyOf(Files.readAllBytes(file), FileLayout.HEADER_LENGTH) : new byte[0];
            return head.length < FileLayout.HEADER_LENGTH ||
                FileLayout.NO_ROOT == Bytes.getLong(head, FileLayout.ROOT_OFFSET_OFFSET);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * Before the open: a read-only open with verification (the check a backup makes), which must write nothing,
     * accept an undamaged clean seed, and either refuse a file or accept one whose store is consistent, exemption
     * or not: it has nothing to trust.
     * What it accepted, the open after it must hold too, and a repairing check must remove nothing from it.
     */
    @Override
    void beforeOpen(final boolean verify) throws IOException
    {
        if (0 == before.length || holdsNoStore())
        {
            return;
        }
        try (OffHeapByteStore checked = open(OpenMode.READ_ONLY, true))
        {
            flags.add("read-only-verified");
            final Snapshot snapshot = snapshot(checked);
            if (!snapshot.consistent())
            {
                problem(Outcome.INCONSISTENT, "a read-only open with verification accepted an inconsistent store: " +
                    String.join("; ", snapshot.problems));
            }
            readOnlyVerified = snapshot.entries;
        }
        catch (final CorruptStoreException | IllegalStateException ex)
        {
            flags.add("read-only-refused"); // damage, or a file that needs recovery
            if (Mutation.Damage.NONE == mutation.damage && Seed.Kind.CLEAN == mutation.seed.kind)
            {
                problem(Outcome.INCONSISTENT, "a read-only open with verification refused an undamaged, cleanly " +
                    "closed seed: " + FileCheck.stack(ex));
            }
        }
        catch (final Throwable ex)
        {
            raw("read-only open with verification", ex);
        }
        if (!java.util.Arrays.equals(before, Bytes.read(file)))
        {
            problem(Outcome.REFUSED_MODIFIED, "a read-only open with verification changed the file");
        }
    }

    @Override
    void opened(final boolean verify) throws IOException
    {
        flags.add("opened");
        final Optional<RecoveryReport> report = store.recoveryReport();
        if (null != readOnlyVerified && report.isPresent() && report.get().purged() > 0)
        {
            problem(Outcome.INCONSISTENT, "a read-only verification accepted the file, then the repairing open " +
                "removed entries: " + report.get());
        }
        if (report.isPresent())
        {
            flags.add(report.get().changedAnything() ? "report-changed" : "report-unchanged");
        }
        if (0 == before.length)
        {
            flags.add("new-store");
        }
        if (mutation.forged)
        {
            flags.add("forged");
        }
        injectUnreported();
        openChanges(report);
        seedPair();
        final Snapshot first = snapshotStep("forEach/size/get after open");
        if (null != readOnlyVerified && !readOnlyVerified.equals(first.entries))
        {
            problem(Outcome.INCONSISTENT, "the open holds other entries than the read-only verification accepted: " +
                compare(first.entries, readOnlyVerified));
        }
        if (first.beyondLimits > 0)
        {
            flags.add("entries-beyond-limits");
        }
        if (!first.consistent())
        {
            inconsistent("after open: " + String.join("; ", first.problems));
        }
        final boolean created = 0 == before.length || flags.contains("map-created");
        if (!created && !mutation.forged)
        {
            final String unwritten = unwritten(first.entries, mutation.seed.written);
            if (null != unwritten)
            {
                unexplained("after open, compared with every value the seed wrote: " + unwritten);
            }
        }
        final Map<String, String> wanted = created ? Map.of() : expected;
        if (null != wanted && !exempt)
        {
            final String difference = compare(first.entries, wanted);
            if (null != difference)
            {
                unexplained("after open, compared with the seed's entries (damage " + mutation.damage +
                    " cannot change them): " + difference);
            }
        }
        final Map<String, String> model = new HashMap<>(first.entries);
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

    /** Data that no check can explain: lost or never written. A failure, unless the file is exempt. */
    private void unexplained(final String text)
    {
        if (exemptible || attributable())
        {
            inconsistent(text);
        }
        else
        {
            problem(Outcome.LOST_DATA, text);
        }
    }

    /** A file whose hash seed and check word disagree must be refused, never repaired. */
    private void seedPair()
    {
        final ByteStoreLayout layout = (ByteStoreLayout)mutation.seed.layout;
        if (0 == layout.segments || before.length < FileLayout.HEADER_LENGTH ||
            layout.root != Bytes.getLong(before, FileLayout.ROOT_OFFSET_OFFSET))
        {
            return;
        }
        final long seed = Bytes.getLong(before, layout.root + ByteStoreLayout.HASH_SEED_OFFSET);
        final long check = Bytes.getLong(before, layout.root + ByteStoreLayout.HASH_SEED_CHECK_OFFSET);
        if (check != ~seed)
        {
            problem(Outcome.ACCEPTED_DAMAGED_SEED, "opened a file with hashSeed 0x" + Long.toHexString(seed) +
                ", hashSeedCheck 0x" + Long.toHexString(check) + ": a hash seed without its complement must be refused");
        }
    }

    private void reopen(final String phase, final boolean verify, final Map<String, String> model)
    {
        try
        {
            store = open(OpenMode.OPEN_EXISTING, verify);
        }
        catch (final CorruptStoreException ex)
        {
            problem(Outcome.INCONSISTENT, phase + ": refused a file this store closed: " + FileCheck.stack(ex));
            throw new Abort();
        }
        catch (final Throwable ex)
        {
            raw(phase, ex);
        }
        if (exempt)
        {
            if (!snapshotStep(phase).consistent())
            {
                flags.add("exempt-still-inconsistent-after-close");
            }
        }
        else
        {
            final Optional<RecoveryReport> report = store.recoveryReport();
            if (verify && report.isPresent() && (report.get().purged() > 0 ||
                report.get().replacementsAbandoned() + report.get().replacementsCleared() > 0))
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

    private void check(final String phase, final Map<String, String> model)
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
     * A clean file with slot or entry damage and other damage, opened without verification: is the inconsistency
     * the slots' and entries' (by design) and the rest harmless? Yes if the file with its slot words and arena
     * blocks put back as the seed has them opens consistent, with written values only, without verification too.
     */
    @Override
    boolean attributable()
    {
        if (null == slotsAlone)
        {
            slotsAlone = Arm.DEFAULT == arm && mutation.claimsCleanClose() &&
                0 != (mutation.regionBits & (ByteStoreLayout.SLOT | ByteStoreLayout.ENTRY)) &&
                withoutSlotDamageConsistent();
        }
        return slotsAlone;
    }

    private boolean withoutSlotDamageConsistent()
    {
        final ByteStoreLayout layout = (ByteStoreLayout)mutation.seed.layout;
        final byte[] seedBytes = mutation.seed.bytes;
        final byte[] variant = before.clone();
        for (final ByteStoreLayout.Table table : layout.referenced)
        {
            copy(seedBytes, variant, table.offset + ByteStoreLayout.TABLE_HEADER_LENGTH, table.end());
        }
        for (final ByteStoreLayout.Heap heap : layout.heaps)
        {
            for (final long[] arena : heap.arenas)
            {
                copy(seedBytes, variant, arena[0] + ByteStoreLayout.ARENA_HEADER_LENGTH, arena[0] + arena[1]);
            }
        }
        final Path other = file.resolveSibling(file.getFileName() + ".without-slot-damage");
        try
        {
            Files.write(other, variant);
            try (OffHeapByteStore opened = OffHeapByteStore.builder().file(other, OpenMode.OPEN_EXISTING).build())
            {
                final Snapshot snapshot = snapshot(opened);
                return snapshot.consistent() && (mutation.forged ||
                    null == unwritten(snapshot.entries, mutation.seed.written));
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

    private static void copy(final byte[] from, final byte[] to, final long start, final long end)
    {
        final int limit = (int)Math.min(end, Math.min(from.length, to.length));
        if (start < limit)
        {
            System.arraycopy(from, (int)start, to, (int)start, limit - (int)start);
        }
    }

    /**
     * Puts over existing keys, a conditional replace, getAndSet, append, putIfAbsent of a present key, removes
     * (whose tombstones stay), inserts of new keys (150 in one file of four: the tables are replaced), the empty key,
     * a key at the store's limit, empty and large values, a remove of an absent key; each result checked against the
     * model unless the store is exempt. Keys and values stay within the store's limits.
     */
    private void writes(final Map<String, String> model)
    {
        final SplittableRandom random = new SplittableRandom(mutation.index * 0x9E37_79B9_7F4A_7C15L + 12345);
        final int maxKey = store.maxKeyLength();
        final int maxValue = store.maxValueLength();
        final List<String> keys = new ArrayList<>();
        for (final String key : new TreeSet<>(model.keySet()))
        {
            if (key.length() <= maxKey)
            {
                keys.add(key);
            }
        }
        injectFailures();
        for (int i = 0; i < Math.min(4, keys.size()); i++)
        {
            final String key = keys.get(random.nextInt(keys.size()));
            final byte[] value = value(random, maxValue);
            expect("put", key, store.put(Bytes.bytes(key), value), model.containsKey(key));
            model.put(key, Bytes.text(value));
        }
        if (!keys.isEmpty())
        {
            final String key = keys.get(random.nextInt(keys.size()));
            final byte[] value = value(random, maxValue);
            final String current = model.get(key);
            final boolean replaced = store.replace(Bytes.bytes(key), null == current ? value : Bytes.bytes(current),
                value);
            expect("replace(k, current, v)", key, replaced, null != current);
            if (replaced)
            {
                model.put(key, Bytes.text(value));
            }
            final String other = keys.get(random.nextInt(keys.size()));
            final byte[] set = value(random, maxValue);
            final byte[] old = store.getAndSet(Bytes.bytes(other), set);
            expect("getAndSet", other, null == old ? null : Bytes.text(old), model.get(other));
            model.put(other, Bytes.text(set));
            final String appended = keys.get(random.nextInt(keys.size()));
            final byte[] suffix = "-appended".getBytes(StandardCharsets.UTF_8);
            final String held = model.get(appended);
            if (null != held && (long)held.length() + suffix.length <= maxValue)
            {
                expect("append", appended, store.append(Bytes.bytes(appended), suffix), held.length() + suffix.length);
                model.put(appended, held + Bytes.text(suffix));
            }
            final String existing = keys.get(random.nextInt(keys.size()));
            final byte[] ignored = value(random, maxValue);
            expect("putIfAbsent", existing, store.putIfAbsent(Bytes.bytes(existing), ignored),
                !model.containsKey(existing));
            if (!model.containsKey(existing))
            {
                model.put(existing, Bytes.text(ignored));
            }
        }
        for (int i = 0; i < Math.min(3, keys.size()); i++)
        {
            final String key = keys.get(random.nextInt(keys.size()));
            expect("remove", key, store.remove(Bytes.bytes(key)), null != model.remove(key));
        }
        final int inserts = random.nextInt(4) == 0 ? 150 : 8;
        for (int i = 0; i < inserts; i++)
        {
            final byte[] key = newKey(random, i, maxKey);
            final String text = Bytes.text(key);
            if (model.containsKey(text))
            {
                continue;
            }
            expect("get of a new key", text, null == store.get(key), true);
            final byte[] value = value(random, maxValue);
            if (i % 5 == 4)
            {
                expect("putIfAbsent of a new key", text, store.putIfAbsent(key, value), true);
            }
            else
            {
                expect("put of a new key", text, store.put(key, value), false);
            }
            model.put(text, Bytes.text(value));
        }
        final byte[] absent = ("absent-" + random.nextLong()).getBytes(StandardCharsets.UTF_8);
        if (absent.length <= maxKey && !model.containsKey(Bytes.text(absent)))
        {
            expect("remove of an absent key", Bytes.text(absent), store.remove(absent), false);
        }
        expect("size after writes", "", store.size(), (long)model.size());
    }

    private void expect(final String op, final String key, final Object actual, final Object wanted)
    {
        if (!exempt && !java.util.Objects.equals(actual, wanted))
        {
            inconsistent(op + "(" + Bytes.show(key) + ") returned " + show(actual) + ", the model says " +
                show(wanted));
        }
    }

    private static String show(final Object value)
    {
        return value instanceof String ? Bytes.show((String)value) : String.valueOf(value);
    }

    private static byte[] newKey(final SplittableRandom random, final int i, final int maxKey)
    {
        final byte[] key;
        switch (i)
        {
            case 0:
                key = new byte[0];
                break;
            case 1:
                key = "ключ-новый-日本".getBytes(StandardCharsets.UTF_8);
                break;
            case 2:
                key = new byte[maxKey];
                random.nextBytes(key);
                break;
            default:
                key = ("new-" + i + "-" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
                break;
        }
        return key.length <= maxKey ? key : java.util.Arrays.copyOf(key, maxKey);
    }

    private static byte[] value(final SplittableRandom random, final int maxValue)
    {
        final int roll = random.nextInt(20);
        final int length = roll < 2 ? 0 : roll < 18 ? random.nextInt(200) : roll < 19 ? random.nextInt(5000) :
            70_000;
        final byte[] value = new byte[Math.min(length, maxValue)];
        random.nextBytes(value);
        return value;
    }
}
