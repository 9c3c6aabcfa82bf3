package io.slotkv.stress.fuzz;

import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The seeds of a fuzz run: valid store files of different shapes (1, 2, 4 and 8 segments; no entries, a few, thousands;
 * key 0, negative keys, {@code Long.MIN_VALUE} and {@code Long.MAX_VALUE}; removes; tables grown through several
 * replacements; free space reused over several sessions; a header with no map yet), with 64 KiB chunks (one with 4 MiB
 * chunks and a 2.5 MB table, so that a damaged table can be large), each
 * cleanly closed and "dirty" (the header state word set to open, as a crash leaves it), plus real crash files
 * ({@link CrashWriter}: halted mid-operation, mid-replacement, mid-close). Every seed is checked before use: an open
 * with verification must be self-consistent, and for clean seeds an open without it must see the same entries.
 * <p>
 * Format 3: values reserved before it are stored ({@code Long.MIN_VALUE + 1} through the primitive API, the missing
 * value {@code Long.MIN_VALUE} through {@link OffHeapLongLongMap#asConcurrentMap()}); one seed has its own missing
 * value (42), one re-keyed its tables (values chosen to encode to ABSENT or FROZEN with a table's value key, read
 * from the file), and each crash file that was halted inside an ordinary replacement also gives a re-keying one: the
 * next table given another value key and its copied values re-encoded, as a re-keying replacement stopped at the same
 * slot leaves it; its recovery must find the crash file's entries.
 */
final class SeedStores
{
    private static final int CRASH_ATTEMPTS = 5;

    private final Path directory;
    private final String javaCommand;
    private final List<String> jvmFlags;
    private final String classPath;
    private final PrintStream log;
    final List<String> findings = new ArrayList<>();

    SeedStores(
        final Path directory,
        final String javaCommand,
        final List<String> jvmFlags,
        final String classPath,
        final PrintStream log)
    {
        this.directory = directory;
        this.javaCommand = javaCommand;
        this.jvmFlags = jvmFlags;
        this.classPath = classPath;
        this.log = log;
    }

    List<Seed> generate() throws Exception
    {
        Files.createDirectories(directory);
        final List<Seed> seeds = new ArrayList<>();
        clean(seeds, "s1-empty", "1 segment, no entries", 1, map ->
        {
        });
        clean(seeds, "s1-special", "1 segment, keys 0, 1, -1, MIN, MAX, 2, 3, 4, 42 with extreme values, incl. " +
            "MIN + 1 and (through the ConcurrentMap view) MIN, the missing value", 1, map ->
        {
            map.put(0, 7);
            map.put(1, -1);
            map.put(-1, 1);
            map.put(Long.MIN_VALUE, Long.MAX_VALUE);
            map.put(Long.MAX_VALUE, Long.MIN_VALUE + 1);
            map.put(42, 0);
            map.put(2, Long.MAX_VALUE - 1);
            map.put(3, Long.MIN_VALUE + 2);
            map.asConcurrentMap().put(4L, Long.MIN_VALUE);
        });
        cleanWith(seeds, "s2-missing42", "2 segments, missing value 42: MIN and MIN + 1 stored through the primitive " +
            "API, 42 through the view, key 0 holds MIN", OffHeapLongLongMap.builder().segments(2).missingValue(42),
            FileCheck.CHUNK_SIZE, map ->
            {
                map.put(0, Long.MIN_VALUE);
                for (int i = 1; i <= 40; i++)
                {
                    map.put(i * 104_729L, i % 3 == 0 ? Long.MIN_VALUE : i % 3 == 1 ? Long.MIN_VALUE + 1 : -i);
                }
                map.asConcurrentMap().put(-7L, 42L);
            });
        clean(seeds, "s2-removes", "2 segments, 60 keys inserted, every third removed", 2, map ->
        {
            for (int i = 0; i < 60; i++)
            {
                map.put(i * 7919L - 100_000, i);
            }
            for (int i = 0; i < 60; i += 3)
            {
                map.remove(i * 7919L - 100_000);
            }
        });
        clean(seeds, "s8-few", "8 segments, 12 keys incl. 0, -1, MIN, MAX", 8, map ->
        {
            final long[] keys = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, 2, 3, 100, -100, 1L << 40, -(1L << 40), 77};
            for (final long key : keys)
            {
                map.put(key, value(key * 3));
            }
        });
        clean(seeds, "s8-thousands", "8 segments, 4000 random keys and the special ones, 700 removed, grown", 8, map ->
        {
            final SplittableRandom random = new SplittableRandom(8);
            final List<Long> keys = new ArrayList<>(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
            for (int i = 0; i < 4000; i++)
            {
                keys.add(random.nextLong());
            }
            for (final long key : keys)
            {
                map.put(key, value(key ^ 0x5555));
            }
            for (int i = 0; i < 700; i++)
            {
                map.remove(keys.get(4 + 5 * i));
            }
        });
        clean(seeds, "s1-grown", "1 segment, keys 1..1800 (small keys look like capacities), 200 removed, 100 " +
            "negative added: grown 16 -> ... slots", 1, map ->
        {
            for (int i = 1; i <= 1800; i++)
            {
                map.put(i, -i);
            }
            for (int i = 1; i <= 400; i += 2)
            {
                map.remove(i);
            }
            for (int i = 1; i <= 100; i++)
            {
                map.put(-i * 1000L, i);
            }
        });
        sessions(seeds);
        rekeyed(seeds);
        clean(seeds, "s1-negative", "1 segment, 300 negative keys with negative values", 1, map ->
        {
            for (int i = 1; i <= 300; i++)
            {
                map.put(-i * 31L, -i);
            }
        });
        cleanWith(seeds, "s4-presized", "4 segments, initialCapacity 1000, 900 keys (no resize)",
            OffHeapLongLongMap.builder().segments(4).initialCapacity(1000), FileCheck.CHUNK_SIZE, map ->
            {
                for (int i = 0; i < 900; i++)
                {
                    map.put(i * 1_000_003L, i);
                }
            });
        cleanWith(seeds, "s1-wide", "1 segment, 4 MiB chunks, initialCapacity 110000 (a 2.5 MB table), 200 keys",
            OffHeapLongLongMap.builder().segments(1).initialCapacity(110_000), FileCheck.CHUNK_SIZE << 6, map ->
            {
                for (int i = 0; i < 200; i++)
                {
                    map.put(i * 7_777_777L + 3, i);
                }
            });
        headerOnly(seeds);
        crashSeeds(seeds);
        rekeyingCrashSeeds(seeds);
        return seeds;
    }

    /** @return {@code candidate}, unless it is the default missing value, which the primitive API refuses. */
    private static long value(final long candidate)
    {
        return OffHeapLongLongMap.DEFAULT_MISSING_VALUE == candidate ? candidate + 1 : candidate;
    }

    private void clean(
        final List<Seed> seeds,
        final String name,
        final String note,
        final int segments,
        final Consumer<OffHeapLongLongMap> writes) throws IOException
    {
        cleanWith(seeds, name, note, OffHeapLongLongMap.builder().segments(segments), FileCheck.CHUNK_SIZE, writes);
    }

    private void cleanWith(
        final List<Seed> seeds,
        final String name,
        final String note,
        final OffHeapLongLongMap.Builder builder,
        final long chunkSize,
        final Consumer<OffHeapLongLongMap> writes) throws IOException
    {
        final Path file = directory.resolve(name + ".tmp");
        Files.deleteIfExists(file);
        try (OffHeapLongLongMap map = builder.file(file).chunkSize(chunkSize).build())
        {
            writes.accept(map);
        }
        addBoth(seeds, name, note, Files.readAllBytes(file));
        Files.delete(file);
    }

    private void sessions(final List<Seed> seeds) throws IOException
    {
        final Path file = directory.resolve("s2-sessions.tmp");
        Files.deleteIfExists(file);
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(2).chunkSize(FileCheck.CHUNK_SIZE)
            .file(file).build())
        {
            for (int i = 0; i < 400; i++)
            {
                map.put(i * 613L + 1, i);
            }
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            for (int i = 400; i < 700; i++)
            {
                map.put(i * 613L + 1, i);
            }
            for (int i = 0; i < 200; i++)
            {
                map.remove(i * 613L + 1);
            }
        }
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).build())
        {
            for (int i = 0; i < 50; i++)
            {
                map.put(-i - 1, i);
            }
        }
        addBoth(seeds, "s2-sessions", "2 segments, three sessions (400 puts; 300 puts and 200 removes; 50 puts): " +
            "free space reused", Files.readAllBytes(file));
        Files.delete(file);
    }

    /**
     * A store whose tables were re-keyed in its session: puts of the values that encode to ABSENT or FROZEN with the
     * value key of the key's table, read from the open file (the mapping is shared), key 0 among them.
     */
    private void rekeyed(final List<Seed> seeds) throws IOException
    {
        final Path file = directory.resolve("s2-rekeyed.tmp");
        Files.deleteIfExists(file);
        final long[] keys = {0, 5, -5, 77, 1L << 50, -(1L << 50), 3, 4};
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(2).chunkSize(FileCheck.CHUNK_SIZE)
            .file(file).build())
        {
            for (int i = 0; i < 300; i++)
            {
                map.put(i * 7_919L + 11, -i);
            }
            for (int round = 0; round < keys.length; round++)
            {
                final long key = keys[round];
                final StoreLayout layout = new StoreLayout(Files.readAllBytes(file));
                final int segment = 0 == key ? 0 : StoreLayout.segmentOf(layout.hash(key), layout.segments);
                map.put(key, value(layout.current[segment].valueKey ^ (round & 1)));
            }
            for (int i = 0; i < 300; i += 4)
            {
                map.remove(i * 7_919L + 11);
            }
        }
        addBoth(seeds, "s2-rekeyed", "2 segments, 300 keys, then 8 puts of a value that encodes to ABSENT or FROZEN " +
            "with its table's value key (each re-keys the segment), 75 removes", Files.readAllBytes(file));
        Files.delete(file);
    }

    private void headerOnly(final List<Seed> seeds) throws IOException
    {
        final Path file = directory.resolve("header-only.tmp");
        Files.deleteIfExists(file);
        MappedFileSpace.open(file, OpenMode.CREATE_OR_OPEN, FileCheck.CHUNK_SIZE).close();
        addBoth(seeds, "header-only", "a store header with no map yet (root -1)", Files.readAllBytes(file));
        Files.delete(file);
    }

    private void addBoth(final List<Seed> seeds, final String name, final String note, final byte[] bytes)
        throws IOException
    {
        final Map<Long, Long> content = validate(name, bytes, true);
        if (null == content)
        {
            return;
        }
        seeds.add(new Seed(name, Seed.Kind.CLEAN, note, bytes, content));
        final byte[] dirty = bytes.clone();
        Bytes.putLong(dirty, StoreLayout.STATE_OFFSET, 1);
        final Map<Long, Long> dirtyContent = validate(name + "-dirty", dirty, false);
        if (null != dirtyContent)
        {
            seeds.add(new Seed(name + "-dirty", Seed.Kind.DIRTY, note + "; state word set to open", dirty,
                dirtyContent));
        }
    }

    /**
     * @return the entries of the seed as an open with verification sees them, or null (and a finding) if the seed
     * is not a valid store: for a real crash file that is a bug of recovery.
     */
    private Map<Long, Long> validate(final String name, final byte[] bytes, final boolean clean) throws IOException
    {
        final Path file = directory.resolve(name + ".check");
        try
        {
            Files.write(file, bytes);
            final FileCheck.Snapshot verified;
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING)
                .verifyOnOpen(true).build())
            {
                verified = FileCheck.snapshot(map);
                final Optional<RecoveryReport> report = map.recoveryReport();
                if (clean && report.isPresent() && report.get().changedAnything())
                {
                    findings.add("seed " + name + ": verification of a cleanly closed, undamaged store repaired " +
                        "something: " + report.get());
                }
            }
            if (!verified.consistent())
            {
                findings.add("seed " + name + ": not self-consistent after an open with verification: " +
                    verified.problems);
                return null;
            }
            if (clean)
            {
                Files.write(file, bytes);
                try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING).build())
                {
                    final FileCheck.Snapshot trusted = FileCheck.snapshot(map);
                    final String difference = FileCheck.compare(trusted.entries, verified.entries);
                    if (!trusted.consistent() || null != difference)
                    {
                        findings.add("seed " + name + ": an open without verification differs: " + trusted.problems +
                            " " + difference);
                        return null;
                    }
                }
            }
            return verified.entries;
        }
        catch (final RuntimeException ex)
        {
            findings.add("seed " + name + ": open failed: " + FileCheck.stack(ex));
            Files.write(directory.resolve(name + ".invalid"), bytes);
            return null;
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Crash files from child JVMs that halt mid-operation; tries until there are a few of each kind (a replacement
     * in progress, its commit, a close) or the attempts are used up.
     */
    private void crashSeeds(final List<Seed> seeds) throws Exception
    {
        final Object[][] configs = {
            {1, "kill", 300, 3000L, 300L},
            {1, "kill", 300, 6000L, 1500L},
            {2, "kill", 600, 8000L, 800L},
            {8, "kill", 1500, 12_000L, 2000L},
            {1, "resize", 300, 6000L, 3_000L},
            {2, "any", 500, 7000L, 0L},
            {1, "close", 2000, 8000L, 0L},
            {8, "close", 12_000, 20_000L, 50_000L},
        };
        final ExecutorService pool = Executors.newFixedThreadPool(1); // the halting thread needs a core of its own
        try
        {
            final List<Future<Seed>> futures = new ArrayList<>();
            for (int i = 0; i < configs.length; i++)
            {
                final Object[] config = configs[i];
                final int number = i;
                futures.add(pool.submit(() -> crashSeed(number, config)));
            }
            for (final Future<Seed> future : futures)
            {
                final Seed seed = future.get(5, TimeUnit.MINUTES);
                if (null != seed)
                {
                    seeds.add(seed);
                }
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private Seed crashSeed(final int number, final Object[] config) throws Exception
    {
        final int segments = (Integer)config[0];
        final String mode = (String)config[1];
        final String name = "crash-" + mode + "-s" + segments + "-" + number;
        for (int attempt = 0; attempt < CRASH_ATTEMPTS; attempt++)
        {
            final boolean last = attempt == CRASH_ATTEMPTS - 1;
            final Path file = directory.resolve(name + "-" + attempt + ".tmp");
            Files.deleteIfExists(file);
            // a close that finished before the halt leaves a clean file: halt sooner next time
            final long stall = "close".equals(mode) ? (Long)config[4] >> attempt :
                "kill".equals(mode) ? (Long)config[4] : (Long)config[4] + attempt * 1000L;
            final List<String> command = new ArrayList<>();
            command.add(javaCommand);
            command.addAll(jvmFlags);
            command.add("-Xmx128m");
            command.add("-cp");
            command.add(classPath);
            command.add(CrashWriter.class.getName());
            command.add(file.toString());
            command.add(String.valueOf(segments));
            command.add(mode);
            command.add(String.valueOf(config[2]));
            command.add(String.valueOf((Long)config[3] + attempt * 997L));
            command.add(String.valueOf(stall));
            command.add(String.valueOf(number * 1000L + attempt));
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if ("kill".equals(mode))
            {
                // STALL is here the longest wait, in microseconds, between READY and the SIGKILL
                final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                final String line = out.readLine();
                if ("READY".equals(line))
                {
                    final long until = System.nanoTime() +
                        1000 * new SplittableRandom(number * 31L + attempt).nextLong(1 + (Long)config[4]);
                    while (System.nanoTime() < until)
                    {
                        Thread.onSpinWait();
                    }
                }
                process.destroyForcibly();
            }
            else
            {
                process.getInputStream().close();
            }
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                continue;
            }
            if (!Files.exists(file))
            {
                continue;
            }
            final byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            final boolean crashed = bytes.length >= StoreLayout.HEADER_LENGTH &&
                1 == Bytes.getLong(bytes, StoreLayout.STATE_OFFSET);
            final boolean wanted = crashed && (!"resize".equals(mode) && !"kill".equals(mode) || intents(bytes) > 0);
            if (!wanted && !last)
            {
                continue;
            }
            final Map<Long, Long> content = validate(name, bytes, !crashed);
            if (null == content)
            {
                return null;
            }
            final String note = segments + " segments, halted (" + mode + ", attempt " + attempt + "): " +
                (crashed ? crashState(bytes) : "after its close completed: a clean file");
            log.println("  crash seed " + name + ": " + note);
            return new Seed(name, crashed ? Seed.Kind.CRASH : Seed.Kind.CLEAN, note, bytes, content);
        }
        log.println("  crash seed " + name + ": no usable crash file");
        return null;
    }

    /**
     * For each crash seed halted inside an ordinary replacement (both tables of one value key): the same file as a
     * re-keying replacement stopped at the same slot leaves it. Its recovery must re-encode the rest and find the
     * same entries.
     */
    private void rekeyingCrashSeeds(final List<Seed> seeds) throws IOException
    {
        final List<Seed> derived = new ArrayList<>();
        for (final Seed base : seeds)
        {
            if (Seed.Kind.CRASH != base.kind || intents(base.bytes) == 0)
            {
                continue;
            }
            final byte[] bytes = base.bytes.clone();
            final StoreLayout layout = (StoreLayout)base.layout;
            final SplittableRandom random = new SplittableRandom(base.name.hashCode());
            int rekeyed = 0;
            for (int i = 0; i < layout.segments; i++)
            {
                final StoreLayout.Table old = layout.current[i];
                final StoreLayout.Table next = layout.next[i];
                if (null == next || next.valueKey != old.valueKey)
                {
                    continue;
                }
                long key;
                do
                {
                    key = random.nextLong();
                }
                while (!encodesAll(bytes, old, key) || !encodesAll(bytes, next, key));
                final long delta = key ^ old.valueKey;
                Bytes.putLong(bytes, next.offset + StoreLayout.VALUE_KEY_OFFSET, key);
                recode(bytes, next.offset + StoreLayout.ZERO_KEY_VALUE_OFFSET, delta);
                for (int index = 0; index < next.capacity; index++)
                {
                    recode(bytes, next.slot(index) + StoreLayout.VALUE_OFFSET, delta);
                }
                rekeyed++;
            }
            if (0 == rekeyed)
            {
                continue;
            }
            final String name = base.name.replaceFirst("^crash-", "crash-rekeying-");
            final Map<Long, Long> content = validate(name, bytes, false);
            if (null == content)
            {
                continue;
            }
            final String difference = FileCheck.compare(content, base.content);
            if (null != difference)
            {
                findings.add("seed " + name + ": recovery of an interrupted re-keying replacement found other entries " +
                    "than the same crash file with one value key: " + difference);
                continue;
            }
            final String note = base.note + "; made a re-keying replacement: " + rekeyed + " next table(s) given " +
                "another value key, their copied values re-encoded";
            log.println("  crash seed " + name + ": " + note);
            derived.add(new Seed(name, Seed.Kind.CRASH, note, bytes, content));
        }
        seeds.addAll(derived);
    }

    /** @return true if every value word of {@code table} (and key 0's) can be re-encoded with {@code key}. */
    private static boolean encodesAll(final byte[] bytes, final StoreLayout.Table table, final long key)
    {
        final long delta = key ^ table.valueKey;
        if (reserved(Bytes.getLong(bytes, table.offset + StoreLayout.ZERO_KEY_VALUE_OFFSET), delta))
        {
            return false;
        }
        for (int index = 0; index < table.capacity; index++)
        {
            if (reserved(Bytes.getLong(bytes, table.slot(index) + StoreLayout.VALUE_OFFSET), delta))
            {
                return false;
            }
        }
        return true;
    }

    /** @return true if {@code word} is a value that re-encodes with {@code delta} to ABSENT or FROZEN. */
    private static boolean reserved(final long word, final long delta)
    {
        return StoreLayout.ABSENT != word && StoreLayout.FROZEN != word && 0 == ((word ^ delta) >>> 1);
    }

    private static void recode(final byte[] bytes, final long offset, final long delta)
    {
        final long word = Bytes.getLong(bytes, offset);
        if (StoreLayout.ABSENT != word && StoreLayout.FROZEN != word)
        {
            Bytes.putLong(bytes, offset, word ^ delta);
        }
    }

    static int intents(final byte[] bytes)
    {
        final StoreLayout layout = new StoreLayout(bytes);
        int intents = 0;
        for (int i = 0; i < layout.segments; i++)
        {
            final long table = Bytes.getLong(bytes, layout.entryOffset(i) + StoreLayout.TABLE_OFFSET_OFFSET);
            final long next = Bytes.getLong(bytes, layout.entryOffset(i) + StoreLayout.NEXT_TABLE_OFFSET_OFFSET);
            intents += 0 != next && next != table ? 1 : 0;
        }
        return intents;
    }

    /**
     * @return what a crash file shows: replacement intents, frozen slots, removed keys.
     */
    static String crashState(final byte[] bytes)
    {
        final StoreLayout layout = new StoreLayout(bytes);
        int intents = 0;
        int rekeying = 0;
        int committed = 0;
        long frozen = 0;
        long removed = 0;
        for (int i = 0; i < layout.segments; i++)
        {
            final long table = Bytes.getLong(bytes, layout.entryOffset(i) + StoreLayout.TABLE_OFFSET_OFFSET);
            final long next = Bytes.getLong(bytes, layout.entryOffset(i) + StoreLayout.NEXT_TABLE_OFFSET_OFFSET);
            if (0 != next)
            {
                if (next == table)
                {
                    committed++;
                }
                else
                {
                    intents++;
                    rekeying += null != layout.next[i] && layout.next[i].valueKey != layout.current[i].valueKey ? 1 : 0;
                }
            }
            final StoreLayout.Table current = layout.current[i];
            for (int index = 0; index < current.capacity; index++)
            {
                final long key = Bytes.getLong(bytes, current.slot(index) + StoreLayout.KEY_OFFSET);
                final long word = Bytes.getLong(bytes, current.slot(index) + StoreLayout.VALUE_OFFSET);
                frozen += StoreLayout.FROZEN == word ? 1 : 0;
                removed += 0 != key && StoreLayout.ABSENT == word ? 1 : 0;
            }
        }
        return bytes.length + " bytes, " + (intents > 0 ? intents + " segments with the next table recorded" +
            (rekeying > 0 ? " (" + rekeying + " of another value key: re-keying)" : "") : "no next table recorded") + (committed > 0 ? ", " + committed + " committed (next = table)" : "") +
            ", " + frozen + " frozen slots and " + removed + " removed keys in current tables";
    }
}
