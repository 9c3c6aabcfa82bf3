package io.slotkv.stress.fuzz;

import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The seeds of a byte-store fuzz run: valid {@link OffHeapByteStore} files of different shapes (1, 2, 4 and 8
 * segments; no entries, a few, thousands; the empty key and empty values, non-ASCII and binary keys, values up to a
 * few KiB and some of 64 KiB and more; removes, whose tombstones stay in the table until it is replaced; tables grown
 * through several replacements; free blocks reused over sessions; 1 MiB chunks, and 64 KiB chunks so that a heap has
 * many arenas; a header with no store yet), each cleanly closed and "dirty" (the header state word set to open), plus
 * real crash files ({@link CrashWriter} {@code bytes}: halted mid-operation, mid-replacement, mid-close). Every
 * seed's writes are recorded in a model: the values written for each key ({@link Seed#written}; a crash writer logs
 * each value before its put), so an open may return any of them and nothing else. Every seed is checked before use
 * as {@link SeedStores} checks the long map's.
 */
final class ByteSeedStores
{
    static final long CHUNK_SIZE = 1 << 20;
    static final int MAX_KEY_LENGTH = 1024;
    static final int MAX_VALUE_LENGTH = 200_000;

    private final Path directory;
    private final String javaCommand;
    private final List<String> jvmFlags;
    private final String classPath;
    private final PrintStream log;
    final List<String> findings = new ArrayList<>();

    ByteSeedStores(final Path directory, final String javaCommand, final List<String> jvmFlags, final String classPath,
        final PrintStream log)
    {
        this.directory = directory;
        this.javaCommand = javaCommand;
        this.jvmFlags = jvmFlags;
        this.classPath = classPath;
        this.log = log;
    }

    /** @return the builder of the seeds (1 MiB chunks, keys up to 1 KiB, values up to 200,000 bytes). */
    static OffHeapByteStore.Builder builder(final int segments)
    {
        return OffHeapByteStore.builder().segments(segments).chunkSize(CHUNK_SIZE).maxKeyLength(MAX_KEY_LENGTH)
            .maxValueLength(MAX_VALUE_LENGTH);
    }

    /**
     * @return a key: empty (rarely), short ASCII, non-ASCII UTF-8, binary (any byte, zeros too), or up to 1 KiB.
     */
    static byte[] key(final SplittableRandom random, final long n)
    {
        final int kind = random.nextInt(100);
        if (kind == 0)
        {
            return new byte[0];
        }
        if (kind < 50)
        {
            return ("k" + n + "-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
        }
        if (kind < 70)
        {
            return ("ключ-" + n + "-日本語-" + random.nextInt(100) + "-\u00e9\u00df").getBytes(StandardCharsets.UTF_8);
        }
        final byte[] key = new byte[kind < 97 ? 1 + random.nextInt(40) : 100 + random.nextInt(MAX_KEY_LENGTH - 100)];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)random.nextInt(256);
        }
        key[0] = (byte)n; // distinct enough; duplicates are fine (an update)
        return key;
    }

    /**
     * @return a value: empty (5%), up to 64 bytes, up to 3 KiB, or (1 in 150) 64 KiB to {@code max} bytes.
     */
    static byte[] value(final SplittableRandom random, final int max)
    {
        final int kind = random.nextInt(150);
        final int length = kind < 7 ? 0 : kind < 80 ? random.nextInt(65) : kind < 149 ? random.nextInt(3073) :
            65_536 + random.nextInt(Math.max(1, max - 65_536));
        final byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    /** What a seed's writes did: the entries it must hold, and every value written for each key. */
    static final class Model
    {
        final OffHeapByteStore store;
        final Map<String, String> entries = new TreeMap<>();
        final Map<String, Set<Long>> written = new TreeMap<>();

        Model(final OffHeapByteStore store)
        {
            this.store = store;
        }

        /** Puts so far: every fourth one stores its value with a deadline. */
        private long puts;

        void put(final byte[] key, final byte[] value)
        {
            written.computeIfAbsent(Bytes.text(key), k -> new TreeSet<>()).add(Bytes.fingerprint(value));
            entries.put(Bytes.text(key), Bytes.text(value));
            if (0 == puts++ % 4)
            {
                // far in the future (the year 2096): the entry has a deadline for the mutations to hit, and no
                // value expires while the fuzzer runs
                store.putUntil(key, value, 4_000_000_000_000L + puts);
            }
            else
            {
                store.put(key, value);
            }
        }

        void put(final String key, final String value)
        {
            put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }

        void remove(final byte[] key)
        {
            entries.remove(Bytes.text(key));
            store.remove(key);
        }
    }

    List<Seed> generate() throws Exception
    {
        Files.createDirectories(directory);
        final List<Seed> seeds = new ArrayList<>();
        clean(seeds, "b1-empty", "1 segment, no entries", builder(1), model ->
        {
        });
        clean(seeds, "b1-special", "1 segment: the empty key, empty values, non-ASCII and binary keys, a key of 1 KiB, " +
            "a value of every byte, values of 64 KiB and 150,000 bytes, updates", builder(1), model ->
        {
            model.put(new byte[0], new byte[0]);
            model.put("a", "");
            model.put("", "the empty key, again");
            model.put("ключ", "значение");
            model.put("日本語", "値 \u00e9\u00df\u2603");
            final byte[] all = new byte[256];
            for (int i = 0; i < all.length; i++)
            {
                all[i] = (byte)i;
            }
            model.put(all, all);
            model.put(new byte[]{0}, new byte[]{0, 0, 0});
            model.put(new byte[MAX_KEY_LENGTH], "a key of zeros".getBytes(StandardCharsets.UTF_8));
            final SplittableRandom random = new SplittableRandom(1);
            final byte[] big = new byte[65_536];
            random.nextBytes(big);
            model.put("big".getBytes(StandardCharsets.UTF_8), big);
            final byte[] bigger = new byte[150_000];
            random.nextBytes(bigger);
            model.put("bigger".getBytes(StandardCharsets.UTF_8), bigger);
            model.put("a", "updated");
            model.put("a", "updated again, longer than before: " + "x".repeat(300));
        });
        clean(seeds, "b2-removes", "2 segments, 300 keys, updated, every third removed (tombstones)", builder(2),
            model -> writes(model, 2, 300, 3, false));
        clean(seeds, "b4-values", "4 segments, 600 keys with values up to 3 KiB and a few of 64 KiB+, updates and " +
            "removes: several arenas per heap", builder(4), model -> writes(model, 4, 600, 5, true));
        clean(seeds, "b8-small-chunks", "8 segments, 64 KiB chunks (keys to 200 bytes, values to 2 KiB), 3000 keys, " +
            "700 removed: many arenas and tables", OffHeapByteStore.builder().segments(8).chunkSize(1 << 16)
            .maxKeyLength(200).maxValueLength(2048), model ->
            {
                final SplittableRandom random = new SplittableRandom(8);
                final List<byte[]> keys = new ArrayList<>();
                for (int i = 0; i < 3000; i++)
                {
                    final byte[] key = ("small-" + i + "-" + random.nextInt()).getBytes(StandardCharsets.UTF_8);
                    keys.add(key);
                    final byte[] value = new byte[random.nextInt(4) == 0 ? random.nextInt(2049) : random.nextInt(40)];
                    random.nextBytes(value);
                    model.put(key, value);
                }
                for (int i = 0; i < 700; i++)
                {
                    model.remove(keys.get(4 * i + 1));
                }
            });
        clean(seeds, "b1-grown", "1 segment, 256 KiB chunks, 1500 keys through several replacements, 400 removed",
            OffHeapByteStore.builder().segments(1).chunkSize(1 << 18).maxKeyLength(64).maxValueLength(4096), model ->
            {
                for (int i = 0; i < 1500; i++)
                {
                    model.put(("g" + i).getBytes(StandardCharsets.UTF_8), ("value " + i + " " + "v".repeat(i % 97))
                        .getBytes(StandardCharsets.UTF_8));
                }
                for (int i = 0; i < 1500; i += 4)
                {
                    model.remove(("g" + i).getBytes(StandardCharsets.UTF_8));
                }
                for (int i = 1; i < 200; i += 2)
                {
                    model.put(("g" + i).getBytes(StandardCharsets.UTF_8), new byte[i]);
                }
            });
        sessions(seeds);
        headerOnly(seeds);
        crashSeeds(seeds);
        return seeds;
    }

    /** Random keys and values of {@link #key}/{@link #value}, updates, and every {@code removeEvery}-th removed. */
    private static void writes(final Model model, final long seed, final int count, final int removeEvery,
        final boolean large)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] key = key(random, i);
            keys.add(key);
            model.put(key, value(random, large ? MAX_VALUE_LENGTH : 4096));
            if (i % 7 == 0)
            {
                model.put(keys.get(random.nextInt(keys.size())), value(random, 4096));
            }
        }
        for (int i = 0; i < count; i += removeEvery)
        {
            model.remove(keys.get(i));
        }
    }

    private void clean(final List<Seed> seeds, final String name, final String note,
        final OffHeapByteStore.Builder builder, final Consumer<Model> writes) throws IOException
    {
        final Path file = directory.resolve(name + ".tmp");
        Files.deleteIfExists(file);
        final Model model;
        try (OffHeapByteStore store = builder.file(file).build())
        {
            model = new Model(store);
            writes.accept(model);
        }
        addBoth(seeds, name, note, Files.readAllBytes(file), model);
        Files.delete(file);
    }

    private void sessions(final List<Seed> seeds) throws IOException
    {
        final Path file = directory.resolve("b2-sessions.tmp");
        Files.deleteIfExists(file);
        final Map<String, String> entries;
        final Map<String, Set<Long>> written;
        try (OffHeapByteStore store = builder(2).file(file).build())
        {
            final Model model = new Model(store);
            writes(model, 21, 200, 2, false);
            entries = model.entries;
            written = model.written;
        }
        for (int session = 0; session < 2; session++)
        {
            try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
            {
                final Model model = new Model(store);
                model.entries.putAll(entries);
                model.written.putAll(written);
                writes(model, 22 + session, 150, 3, false);
                entries.clear();
                entries.putAll(model.entries);
                written.putAll(model.written);
            }
        }
        final Model model = new Model(null);
        model.entries.putAll(entries);
        model.written.putAll(written);
        addBoth(seeds, "b2-sessions", "2 segments, three sessions of puts, updates and removes: free blocks reused " +
            "after a clean open", Files.readAllBytes(file), model);
        Files.delete(file);
    }

    private void headerOnly(final List<Seed> seeds) throws IOException
    {
        final Path file = directory.resolve("header-only.tmp");
        Files.deleteIfExists(file);
        MappedFileSpace.open(file, OpenMode.CREATE_OR_OPEN, CHUNK_SIZE).close();
        addBoth(seeds, "header-only", "a store header with no store yet (root -1)", Files.readAllBytes(file),
            new Model(null));
        Files.delete(file);
    }

    private void addBoth(final List<Seed> seeds, final String name, final String note, final byte[] bytes,
        final Model model) throws IOException
    {
        final Map<String, String> content = validate(name, bytes, true, model.written);
        if (null == content)
        {
            return;
        }
        final String difference = ByteStoreCheck.compare(content, model.entries);
        if (null != difference)
        {
            findings.add("seed " + name + ": a cleanly closed store does not hold what was written: " + difference);
            return;
        }
        seeds.add(new Seed(name, Seed.Kind.CLEAN, note, bytes, content, model.written));
        final byte[] dirty = bytes.clone();
        Bytes.putLong(dirty, FileLayout.STATE_OFFSET, 1);
        final Map<String, String> dirtyContent = validate(name + "-dirty", dirty, false, model.written);
        if (null != dirtyContent)
        {
            seeds.add(new Seed(name + "-dirty", Seed.Kind.DIRTY, note + "; state word set to open", dirty, dirtyContent,
                model.written));
        }
    }

    /**
     * @return the entries of the seed as an open with verification sees them, or null (and a finding) if the seed
     * is not a valid store or returns a value never written for its key: for a real crash file, a bug of recovery.
     */
    private Map<String, String> validate(final String name, final byte[] bytes, final boolean clean,
        final Map<String, Set<Long>> written) throws IOException
    {
        final Path file = directory.resolve(name + ".check");
        try
        {
            Files.write(file, bytes);
            final ByteStoreCheck.Snapshot verified;
            final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().file(file, OpenMode.OPEN_EXISTING)
                .verifyOnOpen(true);
            if (FileLayout.NO_ROOT == Bytes.getLong(bytes, FileLayout.ROOT_OFFSET_OFFSET))
            {
                builder.maxKeyLength(MAX_KEY_LENGTH).maxValueLength(MAX_VALUE_LENGTH); // a new store: limits that fit
            }
            try (OffHeapByteStore store = builder.build())
            {
                verified = ByteStoreCheck.snapshot(store);
                final Optional<RecoveryReport> report = store.recoveryReport();
                if (clean && report.isPresent() && report.get().purged() > 0)
                {
                    findings.add("seed " + name + ": verification of a cleanly closed, undamaged store purged " +
                        "entries: " + report.get());
                }
            }
            if (!verified.consistent())
            {
                findings.add("seed " + name + ": not self-consistent after an open with verification: " +
                    verified.problems);
                return null;
            }
            final String unwritten = ByteStoreCheck.unwritten(verified.entries, written);
            if (null != unwritten)
            {
                findings.add("seed " + name + ": an open with verification returned values never written: " + unwritten);
                return null;
            }
            if (clean)
            {
                Files.write(file, bytes);
                try (OffHeapByteStore store = builder.verifyOnOpen(false).build())
                {
                    final ByteStoreCheck.Snapshot trusted = ByteStoreCheck.snapshot(store);
                    final String difference = ByteStoreCheck.compare(trusted.entries, verified.entries);
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
     * Crash files from child JVMs ({@link CrashWriter} {@code bytes}) that halt mid-operation, mid-replacement or
     * mid-close, or are killed; a close that completed gives a clean file.
     */
    private void crashSeeds(final List<Seed> seeds) throws Exception
    {
        final Object[][] configs = {
            {1, "kill", 200, 1500L, 300L},
            {2, "kill", 400, 3000L, 1500L},
            {4, "resize", 300, 2500L, 2_000L},
            {2, "any", 300, 2000L, 0L},
            {1, "close", 800, 3000L, 0L},
            {8, "close", 3000, 6000L, 20_000L},
        };
        for (int i = 0; i < configs.length; i++)
        {
            final Seed seed = crashSeed(i, configs[i]);
            if (null != seed)
            {
                seeds.add(seed);
            }
        }
    }

    private Seed crashSeed(final int number, final Object[] config) throws Exception
    {
        final int segments = (Integer)config[0];
        final String mode = (String)config[1];
        final String name = "crash-" + mode + "-b" + segments + "-" + number;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final boolean last = attempt == 3;
            final Path file = directory.resolve(name + "-" + attempt + ".tmp");
            final Path writeLog = directory.resolve(name + "-" + attempt + ".log");
            Files.deleteIfExists(file);
            final long stall = "close".equals(mode) ? (Long)config[4] >> attempt :
                "kill".equals(mode) ? (Long)config[4] : (Long)config[4] + attempt * 1000L;
            final List<String> command = new ArrayList<>();
            command.add(javaCommand);
            command.addAll(jvmFlags);
            command.addAll(List.of("-Xmx128m", "-cp", classPath, CrashWriter.class.getName(), file.toString(),
                String.valueOf(segments), mode, String.valueOf(config[2]), String.valueOf((Long)config[3] + attempt * 97L),
                String.valueOf(stall), String.valueOf(number * 1000L + attempt), "bytes", writeLog.toString()));
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if ("kill".equals(mode))
            {
                final String line = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
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
            if (!Files.exists(file) || !Files.exists(writeLog))
            {
                continue;
            }
            final byte[] bytes = Files.readAllBytes(file);
            final Map<String, Set<Long>> written = new TreeMap<>();
            for (final String line : Files.readAllLines(writeLog, StandardCharsets.US_ASCII))
            {
                final String[] fields = line.split(" ");
                if (2 == fields.length)
                {
                    written.computeIfAbsent(Bytes.text(HexFormat.of().parseHex(fields[0])), k -> new TreeSet<>())
                        .add(Long.parseLong(fields[1]));
                }
            }
            Files.delete(file);
            Files.delete(writeLog);
            final boolean crashed = bytes.length >= FileLayout.HEADER_LENGTH &&
                1 == Bytes.getLong(bytes, FileLayout.STATE_OFFSET);
            final boolean wanted = crashed && (!"resize".equals(mode) || intents(bytes) > 0);
            if (!wanted && !last)
            {
                continue;
            }
            final Map<String, String> content = validate(name, bytes, !crashed, written);
            if (null == content)
            {
                return null;
            }
            final String note = segments + " segments, halted (" + mode + ", attempt " + attempt + "): " +
                (crashed ? bytes.length + " bytes, " + intents(bytes) + " segments with a next table recorded, " +
                written.size() + " keys written" : "after its close completed: a clean file");
            log.println("  crash seed " + name + ": " + note);
            return new Seed(name, crashed ? Seed.Kind.CRASH : Seed.Kind.CLEAN, note, bytes, content, written);
        }
        log.println("  crash seed " + name + ": no usable crash file");
        return null;
    }

    private static int intents(final byte[] bytes)
    {
        return new ByteStoreLayout(bytes).next.size();
    }
}
