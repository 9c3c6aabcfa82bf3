package io.slotkv.stress.fuzz;

import io.slotkv.core.jvm.JvmAccess;
import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapLongLongMap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Corruption fuzzer for store files: makes valid seed stores ({@link SeedStores}), derives FILES mutated files from
 * them ({@link Mutator}, reproducible by master seed and index) and judges every one in two arms ({@link Arm}), each
 * in its own child JVM ({@link FuzzWorker}, {@link FileCheck}): the verify arm opens with
 * {@code verifyOnOpen(true)}, the default arm with the defaults. The parent restarts a child that crashed (the
 * file it was on is a crash, with its hs_err file), hung (the child reports it and halts) or ran out of memory,
 * from the next file; keeps every failing file under the evidence directory with its description and a replay
 * command; and prints a summary. Exit status 0 only if no file failed in either arm.
 * <p>
 * Usage: {@code StoreFuzzer [FILES [SEED]] [--arms verify,default] [--timeout-ms 10000] [--xmx 256m]
 * [--evidence DIR] [--save-dir DIR] [--seeds DIR] [--self-test raw,hang,crash,oom,modify,lock,unreported,verify-off]
 * [--command TEXT] [--keep] [--store long|bytes]}: {@code --store} chooses the kind of store file the run fuzzes
 * ({@link StoreKind}: {@code OffHeapLongLongMap} files, the default, or {@code OffHeapByteStore} files, with seeds
 * of {@link ByteSeedStores}, mutations of {@link ByteMutator} and the oracle {@link ByteStoreCheck}). See
 * {@code stress/fuzz.sh}.
 */
public final class StoreFuzzer
{
    private static final int EVIDENCE_PER_KIND_AND_FAMILY = 3;
    private static final int EVIDENCE_PER_ARM = 150;
    private static final int EXEMPT_EXAMPLES = 6;
    private static final String EOF = new String("EOF");

    private final long files;
    private final long masterSeed;
    private final List<Arm> arms = new ArrayList<>();
    private StoreKind store = StoreKind.LONG_MAP;
    private long timeoutMillis = 10_000;
    private String xmx = "256m";
    private Path evidenceBase = Paths.get("/tmp/fuzz-evidence");
    private Path saveDir;
    private Path seedsDir;
    private String selfTests = "";
    private String command = "";
    private String label = "";
    private boolean keep;

    private final String javaCommand = ProcessHandle.current().info().command().orElse("java");
    private final String classPath = System.getProperty("java.class.path");
    private Path runDir;
    private Path evidenceDir;
    private List<Seed> seeds;
    private Mutator mutator;
    private final List<String> findings = new ArrayList<>();
    private final List<String> zeroLength = new ArrayList<>();

    /** Held, or the logger (and its level) could be collected. */
    private static final Logger SLOTKV_LOGGER = Logger.getLogger("io.slotkv");

    private StoreFuzzer(final long files, final long masterSeed)
    {
        this.files = files;
        this.masterSeed = masterSeed;
    }

    public static void main(final String[] args) throws Exception
    {
        SLOTKV_LOGGER.setLevel(Level.OFF); // seeds are opened with verification: reports are noise
        final List<String> positional = new ArrayList<>();
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].startsWith("--"))
            {
                final String name = args[i].substring(2);
                options.put(name, "keep".equals(name) ? "true" : args[++i]);
            }
            else
            {
                positional.add(args[i]);
            }
        }
        final StoreFuzzer fuzzer = new StoreFuzzer(
            positional.size() > 0 ? Long.parseLong(positional.get(0)) : 1000,
            positional.size() > 1 ? Long.parseLong(positional.get(1)) : 1);
        for (final String arm : options.getOrDefault("arms", "verify,default").split(","))
        {
            fuzzer.arms.add(Arm.of(arm));
        }
        fuzzer.store = StoreKind.of(options.getOrDefault("store", "long"));
        fuzzer.timeoutMillis = Long.parseLong(options.getOrDefault("timeout-ms", "10000"));
        fuzzer.xmx = options.getOrDefault("xmx", "256m");
        fuzzer.evidenceBase = Paths.get(options.getOrDefault("evidence", "/tmp/fuzz-evidence"));
        fuzzer.saveDir = options.containsKey("save-dir") ? Paths.get(options.get("save-dir")) : null;
        fuzzer.seedsDir = options.containsKey("seeds") ? Paths.get(options.get("seeds")) : null;
        fuzzer.selfTests = options.getOrDefault("self-test", "");
        fuzzer.command = options.getOrDefault("command", "StoreFuzzer " + String.join(" ", args));
        fuzzer.label = options.getOrDefault("label", "");
        fuzzer.keep = options.containsKey("keep");
        System.exit(fuzzer.run());
    }

    private int run() throws Exception
    {
        final long start = System.nanoTime();
        final Path shm = Paths.get("/dev/shm");
        runDir = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm :
            Paths.get(System.getProperty("java.io.tmpdir")), "slotkv-fuzz-");
        System.out.println("work directory " + runDir + "; " + files + " files per arm, master seed " + masterSeed +
            (selfTests.isEmpty() ? "" : ", SELF-TEST " + selfTests));
        final Path seedDir;
        if (null == seedsDir)
        {
            seedDir = runDir.resolve("seeds");
            System.out.println("making " + store.description + " seed stores (clean, dirty, and crash files from " +
                "halted child JVMs) ...");
            if (StoreKind.LONG_MAP == store)
            {
                final SeedStores stores = new SeedStores(seedDir, javaCommand, JvmAccess.launcherFlags(), classPath,
                    System.out);
                seeds = stores.generate();
                findings.addAll(stores.findings);
            }
            else
            {
                final ByteSeedStores stores = new ByteSeedStores(seedDir, javaCommand, JvmAccess.launcherFlags(),
                    classPath, System.out);
                seeds = stores.generate();
                findings.addAll(stores.findings);
            }
            Seed.saveManifest(seedDir, seeds);
            for (final Seed seed : seeds)
            {
                seed.save(seedDir);
            }
        }
        else
        {
            seedDir = seedsDir;
            seeds = Seed.loadAll(seedDir);
            store = seeds.isEmpty() ? store : seeds.get(0).store;
        }
        mutator = new Mutator(seeds);
        final double seedSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d seeds in %.1f s%n", seeds.size(), seedSeconds);
        if (StoreKind.LONG_MAP == store)
        {
            zeroLengthPolicy(); // the byte store's zero-length files are among its mutated files (zero-filled)
        }
        evidenceDir = evidenceBase.resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(
            ZonedDateTime.now(ZoneOffset.UTC)) + "-jdk" + Runtime.version().feature() + "-seed" + masterSeed + "-" +
            files + (StoreKind.LONG_MAP == store ? "" : "-" + store.label) + (selfTests.isEmpty() ? "" : "-selftest"));

        final List<ArmRun> runs = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (final Arm arm : arms)
        {
            final ArmRun armRun = new ArmRun(arm, seedDir);
            runs.add(armRun);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    armRun.run();
                }
                catch (final Exception ex)
                {
                    armRun.harness.add("arm stopped: " + FileCheck.stack(ex));
                }
            }, "arm-" + arm.label);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final String summary = summary(runs, seedSeconds, seconds);
        System.out.print(summary);
        if (null != saveDir)
        {
            Files.createDirectories(saveDir);
            final Path out = saveDir.resolve("fuzz-" + LocalDate.now(ZoneOffset.UTC) + "-jdk" +
                Runtime.version().feature() + "-" + files + (StoreKind.LONG_MAP == store ? "" : "-" + store.label) +
                (selfTests.isEmpty() ? "" : "-selftest") + ".txt");
            Files.write(out, summary.getBytes(StandardCharsets.UTF_8));
            System.out.println("summary saved to " + out);
        }
        if (Files.isDirectory(evidenceDir))
        {
            copySeeds(seedDir, evidenceDir.resolve("seeds"));
        }
        if (!keep)
        {
            deleteTree(runDir);
        }
        return failures(runs) > 0 ? 1 : 0;
    }

    private long failures(final List<ArmRun> runs)
    {
        long failures = findings.size();
        for (final String line : zeroLength)
        {
            failures += line.startsWith("FAIL") ? 1 : 0;
        }
        for (final ArmRun run : runs)
        {
            failures += run.failures() + run.harness.size();
        }
        return failures;
    }

    /**
     * The policy for a zero-length file: OPEN_EXISTING refuses it (CorruptStoreException, file left empty);
     * CREATE_OR_OPEN makes it a new store, which then reopens with OPEN_EXISTING.
     */
    private void zeroLengthPolicy() throws IOException
    {
        final Path file = runDir.resolve("zero-length.slotkv");
        Files.write(file, new byte[0]);
        try
        {
            OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING).build().close();
            zeroLength.add("FAIL: OPEN_EXISTING opened a zero-length file");
        }
        catch (final CorruptStoreException ex)
        {
            zeroLength.add((0 == Files.size(file) ? "ok: " : "FAIL (file changed): ") +
                "OPEN_EXISTING refused it with CorruptStoreException: " + ex.getMessage().replace(file.toString(), "F"));
        }
        catch (final RuntimeException ex)
        {
            zeroLength.add("FAIL: OPEN_EXISTING threw " + ex);
        }
        try
        {
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file, OpenMode.CREATE_OR_OPEN)
                .chunkSize(FileCheck.CHUNK_SIZE).segments(2).build())
            {
                if (0 != map.size())
                {
                    zeroLength.add("FAIL: CREATE_OR_OPEN of a zero-length file is not empty: size " + map.size());
                }
                map.put(7, 8);
            }
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file, OpenMode.OPEN_EXISTING).build())
            {
                zeroLength.add((8 == map.get(7) && 1 == map.size() ? "ok: " : "FAIL: ") + "CREATE_OR_OPEN made it a " +
                    "new store (" + Files.size(file) + " bytes after one put), which reopens with OPEN_EXISTING: " +
                    "get(7)=" + map.get(7));
            }
        }
        catch (final RuntimeException ex)
        {
            zeroLength.add("FAIL: CREATE_OR_OPEN of a zero-length file threw " + FileCheck.stack(ex));
        }
        Files.deleteIfExists(file);
        for (final String line : zeroLength)
        {
            System.out.println("zero-length file: " + line);
        }
    }

    /**
     * One verdict, as the worker reported it.
     */
    static final class Record
    {
        final long index;
        final Outcome outcome;
        final String flags;
        final String seed;
        final String family;
        final String damage;
        final String regions;
        final String description;
        final String detail;

        Record(final String[] fields)
        {
            index = Long.parseLong(fields[1]);
            outcome = Outcome.valueOf(fields[2]);
            flags = fields[3];
            seed = fields[4];
            family = fields[5];
            damage = fields[6];
            regions = fields[7];
            description = Bytes.multiLine(fields[8]);
            detail = Bytes.multiLine(fields[9]);
        }

        Record(final long index, final Outcome outcome, final Mutation mutation, final String detail)
        {
            this.index = index;
            this.outcome = outcome;
            this.flags = "";
            this.seed = mutation.seed.name;
            this.family = mutation.family;
            this.damage = mutation.damage.name();
            this.regions = mutation.regions();
            this.description = mutation.description;
            this.detail = detail;
        }

        boolean has(final String flag)
        {
            return Arrays.asList(flags.split(",")).contains(flag);
        }
    }

    /**
     * One arm: child JVMs over the files, restarted after a crash, hang or OutOfMemoryError.
     */
    private final class ArmRun
    {
        final Arm arm;
        final Path seedDir;
        final EnumMap<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        final Map<String, Long> flags = new TreeMap<>();
        final Map<String, Long> openedFlags = new TreeMap<>();
        final Map<String, long[]> families = new TreeMap<>();
        final Map<String, Long> refusals = new TreeMap<>();
        final List<Record> failed = new ArrayList<>();
        final List<Record> exempt = new ArrayList<>();
        final List<String> harness = new ArrayList<>();
        final Map<String, Integer> evidencePerKey = new TreeMap<>();
        int evidence;
        long judged;
        int children;
        double seconds;

        ArmRun(final Arm arm, final Path seedDir)
        {
            this.arm = arm;
            this.seedDir = seedDir;
        }

        long failures()
        {
            long failures = 0;
            for (final Map.Entry<Outcome, Long> entry : counts.entrySet())
            {
                failures += entry.getKey().failure ? entry.getValue() : 0;
            }
            return failures;
        }

        long count(final Outcome outcome)
        {
            return counts.getOrDefault(outcome, 0L);
        }

        void run() throws Exception
        {
            final long start = System.nanoTime();
            final Path work = runDir.resolve("work-" + arm.label);
            Files.createDirectories(work);
            long next = 0;
            int restartsWithoutProgress = 0;
            long nextProgress = Math.max(1, files / 10);
            while (next < files)
            {
                final long from = next;
                children++;
                final List<String> commandLine = new ArrayList<>();
                commandLine.add(javaCommand);
                commandLine.addAll(JvmAccess.launcherFlags());
                commandLine.addAll(List.of("-Xmx" + xmx, "-XX:+UseSerialGC",
                    "-XX:ErrorFile=" + runDir.resolve("hs_err_pid%p.log"), "-cp", classPath,
                    FuzzWorker.class.getName(), seedDir.toString(), work.toString(), arm.label,
                    String.valueOf(masterSeed), String.valueOf(from), String.valueOf(files),
                    String.valueOf(timeoutMillis), selfTests));
                final Path stderr = runDir.resolve(arm.label + "-child-" + children + ".stderr");
                final Process process = new ProcessBuilder(commandLine).directory(work.toFile())
                    .redirectError(stderr.toFile()).start();
                final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                final Thread reader = new Thread(() ->
                {
                    try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                    {
                        String line;
                        while (null != (line = in.readLine()))
                        {
                            lines.add(line);
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // the child is gone
                    }
                    lines.add(EOF);
                }, "reader-" + arm.label);
                reader.setDaemon(true);
                reader.start();
                long inFlight = -1;
                boolean done = false;
                boolean killed = false;
                Outcome lastOutcome = null;
                while (true)
                {
                    final String line = lines.poll(timeoutMillis + 60_000, TimeUnit.MILLISECONDS);
                    if (null == line)
                    {
                        process.destroyForcibly();
                        killed = true;
                        if (inFlight >= 0)
                        {
                            record(new Record(inFlight, Outcome.HANG, mutator.mutate(masterSeed, inFlight),
                                "the child gave no verdict for " + (timeoutMillis + 60_000) / 1000 + " s (its own " +
                                "time limit did not fire either): killed by the parent"));
                            next = inFlight + 1;
                        }
                        else
                        {
                            harness.add("child silent between files after file " + (next - 1) + ": killed");
                        }
                        break;
                    }
                    if (EOF == line)
                    {
                        break;
                    }
                    final String[] fields = line.split("\t", -1);
                    if ("BEGIN".equals(fields[0]))
                    {
                        inFlight = Long.parseLong(fields[1]);
                    }
                    else if ("RESULT".equals(fields[0]) && fields.length >= 10)
                    {
                        final Record record = new Record(fields);
                        record(record);
                        lastOutcome = record.outcome;
                        next = record.index + 1;
                        inFlight = -1;
                        if (judged >= nextProgress)
                        {
                            System.out.printf("  %s: %d/%d files, %d failures%n", arm.label, judged, files, failures());
                            nextProgress += Math.max(1, files / 10);
                        }
                    }
                    else if ("ERROR".equals(fields[0]))
                    {
                        harness.add("file " + fields[1] + ": " + Bytes.multiLine(fields[2]));
                        next = Long.parseLong(fields[1]) + 1;
                        inFlight = -1;
                    }
                    else if ("DONE".equals(fields[0]))
                    {
                        done = true;
                    }
                }
                process.waitFor(30, TimeUnit.SECONDS);
                final int exit = process.isAlive() ? -1 : process.exitValue();
                if (!done && !killed && inFlight >= 0)
                {
                    crashed(inFlight, exit, process.pid(), stderr);
                    next = inFlight + 1;
                }
                else if (!done && !killed && next < files && !(Outcome.HANG == lastOutcome && FuzzWorker.EXIT_HANG == exit) &&
                    !(Outcome.OOM == lastOutcome && FuzzWorker.EXIT_OOM == exit) && FuzzWorker.EXIT_HARNESS != exit)
                {
                    harness.add("child exited with status " + exit + " between files, after file " + (next - 1) +
                        "; stderr: " + tail(stderr));
                }
                restartsWithoutProgress = next == from ? restartsWithoutProgress + 1 : 0;
                if (restartsWithoutProgress >= 3)
                {
                    harness.add("no progress at file " + next + " after 3 child JVMs: arm stopped; stderr: " +
                        tail(stderr));
                    break;
                }
            }
            seconds = (System.nanoTime() - start) / 1e9;
        }

        private void crashed(final long index, final int exit, final long pid, final Path stderr) throws IOException
        {
            final Path hsErr = runDir.resolve("hs_err_pid" + pid + ".log");
            final String err = tail(stderr);
            final boolean oom = err.contains("OutOfMemoryError");
            String detail = "the child JVM (pid " + pid + ") died on this file with exit status " + exit + "; stderr: " +
                err;
            if (Files.exists(hsErr))
            {
                final List<String> head = Files.readAllLines(hsErr, StandardCharsets.ISO_8859_1);
                detail += "\nhs_err file: " + hsErr.getFileName() + "\n" +
                    String.join("\n", head.subList(0, Math.min(head.size(), 40)));
            }
            final Record record = new Record(index, oom ? Outcome.OOM : Outcome.CRASH, mutator.mutate(masterSeed, index),
                detail);
            record(record);
            if (Files.exists(hsErr) && Files.isDirectory(evidenceDir))
            {
                Files.copy(hsErr, evidenceDir.resolve(arm.label + "-" + record.outcome.name().toLowerCase() + "-" +
                    index + ".hs_err.log"));
            }
        }

        private void record(final Record record) throws IOException
        {
            judged++;
            counts.merge(record.outcome, 1L, Long::sum);
            for (final String flag : record.flags.split(","))
            {
                if (!flag.isEmpty())
                {
                    flags.merge(flag, 1L, Long::sum);
                    if (Outcome.OPENED == record.outcome)
                    {
                        openedFlags.merge(flag, 1L, Long::sum);
                    }
                }
            }
            families.computeIfAbsent(record.family, f -> new long[Outcome.values().length])[record.outcome.ordinal()]++;
            if (Outcome.REFUSED == record.outcome)
            {
                refusals.merge(template(record.detail), 1L, Long::sum);
            }
            if (record.outcome.failure)
            {
                failed.add(record);
                keepEvidence(record);
            }
            else if (Outcome.EXEMPT == record.outcome && exempt.size() < EXEMPT_EXAMPLES)
            {
                exempt.add(record);
            }
        }

        private void keepEvidence(final Record record) throws IOException
        {
            final String key = record.outcome + "/" + record.family;
            final int kept = evidencePerKey.getOrDefault(key, 0);
            if (kept >= EVIDENCE_PER_KIND_AND_FAMILY || evidence >= EVIDENCE_PER_ARM)
            {
                return;
            }
            evidencePerKey.put(key, kept + 1);
            evidence++;
            Files.createDirectories(evidenceDir);
            final Mutation mutation = mutator.mutate(masterSeed, record.index);
            final String name = arm.label + "-" + record.outcome.name().toLowerCase().replace('_', '-') + "-" +
                record.index;
            Files.write(evidenceDir.resolve(name + ".slotkv"), mutation.bytes);
            final String text = "arm: " + arm.label + "\noutcome: " + record.outcome + " (" + record.outcome.label +
                ")\nmaster seed: " + masterSeed + ", index: " + record.index + "\nseed: " + mutation.seed.name + " (" +
                mutation.seed.kind + "): " + mutation.seed.note + "\nfamily: " + mutation.family + ", damage: " +
                mutation.damage + " (" + mutation.regions() + ")\nmutation: " +
                mutation.description + "\nfile: " + name + ".slotkv, " + mutation.bytes.length + " bytes, sha256 " +
                Bytes.sha256(mutation.bytes) + " (first 8 bytes)\nreplay: java $FLAGS -cp stress/target/jcstress.jar " +
                Replay.class.getName() + " " + evidenceDir.resolve("seeds") + " " + masterSeed + " " + record.index +
                " " + arm.label + "\nflags: " + record.flags + "\ndetail:\n" + record.detail + "\n";
            Files.write(evidenceDir.resolve(name + ".txt"), text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * @return what kind of failure a record is, without the numbers: the exception and its message, the frame a hang
     * was stuck in, the refusal that modified the file, or the apparent cause of an inconsistency.
     */
    private static String signature(final Record record)
    {
        final String detail = record.detail;
        String root = "";
        for (final String flag : record.flags.split(","))
        {
            root = flag.startsWith("root-") ? flag.substring(5) : root;
        }
        final String state = record.has("claims-clean") ? "clean" : "dirty";
        switch (record.outcome)
        {
            case HANG:
                final java.util.regex.Matcher frame = java.util.regex.Pattern.compile("at (?:\\S+//)?([\\w.$]+)\\(")
                    .matcher(detail);
                return "HANG in " + (frame.find() ? frame.group(1) : "?");
            case RAW_EXCEPTION:
            case OOM:
                for (final String line : detail.split("\n"))
                {
                    if (line.startsWith(record.outcome.name() + ": "))
                    {
                        return record.outcome + " " + template(line.substring(record.outcome.name().length() + 2)) +
                            " [" + state + " file, " + record.damage + "]";
                    }
                }
                return record.outcome.name();
            case REFUSED_MODIFIED:
                final int refusal = detail.indexOf("the refusal: ");
                return "REFUSED_MODIFIED by " + (refusal < 0 ? "?" : template(detail.substring(refusal + 13)));
            case INCONSISTENT:
                return "INCONSISTENT " + state + " file, " + record.damage + ", cause " + (root.isEmpty() ?
                    "seen after writes" : root);
            default:
                return record.outcome + " " + state + " file, " + record.damage + (root.isEmpty() ? "" : ", " + root);
        }
    }

    /**
     * @return a SHA-256 (first 8 bytes) over the SlotKV core and map classes on the class path, and where they are:
     * which build of the code under test a summary is about.
     */
    private String codeFingerprint()
    {
        final Path jar = Paths.get(classPath.split(java.io.File.pathSeparator)[0]);
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile()))
        {
            final java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            final List<String> names = new ArrayList<>();
            zip.stream().map(java.util.zip.ZipEntry::getName)
                .filter(n -> n.startsWith("io/slotkv/core/") || n.startsWith("io/slotkv/map/")).forEach(names::add);
            names.sort(null);
            for (final String name : names)
            {
                digest.update(name.getBytes(StandardCharsets.UTF_8));
                digest.update(zip.getInputStream(zip.getEntry(name)).readAllBytes());
            }
            final byte[] hash = digest.digest();
            final StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++)
            {
                hex.append(String.format("%02x", hash[i]));
            }
            return "io/slotkv/{core,map} classes sha256 " + hex + " (" + names.size() + " entries) in " +
                jar + " built " + Files.getLastModifiedTime(jar);
        }
        catch (final IOException | java.security.NoSuchAlgorithmException | RuntimeException ex)
        {
            return "unknown (" + ex + ")";
        }
    }

    private static String template(final String message)
    {
        String text = message.split("\n")[0];
        text = text.replaceAll("file=\\S+", "file=F").replaceAll("MappedFileSpace\\{[^}]*}", "{space}")
            .replaceAll("0x[0-9a-fA-F]+", "0xH").replaceAll("-?\\d+", "N");
        return text.length() > 150 ? text.substring(0, 150) + "..." : text;
    }

    private static String tail(final Path file)
    {
        try
        {
            final List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
            lines.removeIf(line -> line.startsWith("SLF4J"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no stderr: " + ex.getMessage() + ")";
        }
    }

    private String summary(final List<ArmRun> runs, final double seedSeconds, final double seconds)
    {
        final StringBuilder s = new StringBuilder();
        final String rule = "-".repeat(100) + "\n";
        s.append(rule).append("SlotKV store-file corruption fuzzer: ").append(store.description).append(" files")
            .append(selfTests.isEmpty() ? "" :
            "  ***** SELF-TEST: failures injected (" + selfTests + ") *****").append('\n');
        s.append(String.format("date:              %s%n", ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        s.append(String.format("jdk:               %s (%s %s), %s%n", System.getProperty("java.runtime.version"),
            System.getProperty("java.vm.name"), System.getProperty("java.vm.version"), javaCommand));
        s.append(String.format("machine:           %d cpus, %s %s%n", Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name"), System.getProperty("os.version")));
        s.append(String.format("command:           %s%n", command));
        s.append(String.format("code under test:   %s%n", codeFingerprint()));
        if (!label.isEmpty())
        {
            s.append(String.format("source tree:       %s%n", label));
        }
        s.append(String.format("master seed:       %d; files per arm: %d; per-file limit %d ms; child JVMs -Xmx%s%n",
            masterSeed, files, timeoutMillis, xmx));
        s.append("checks:            refused: only CorruptStoreException, file byte-for-byte unchanged, the seed written over\n" +
            "                   the same inode opens (no lock left). Opened: size() = entries of forEach, no key twice, get and\n" +
            "                   containsKey agree; every change the open made is covered by a report that says so; writes\n" +
            "                   (a resize in 1 of 4) match a HashMap model; close, reopen in the arm's mode, third open verifying\n" +
            "                   repairs nothing. Never: another exception, a hang, a crash, an OutOfMemoryError.\n");
        if (StoreKind.BYTE_STORE == store)
        {
            s.append("                   Byte store: every value an open returns was written for its key in the seed (unless the\n" +
                "                   mutation forged an entry with a matching CRC32C); the seed's entries exactly where the damage\n" +
                "                   cannot change them (clean check, counts, saved allocator state, limits, reserved, unreferenced).\n" +
                "                   Before the open, a read-only open with verification: writes nothing; a file it accepts\n" +
                "                   is consistent (exempt or not), the open holds the same entries and its repair removes none.\n");
        }
        long clean = 0;
        long dirty = 0;
        long crash = 0;
        for (final Seed seed : seeds)
        {
            clean += Seed.Kind.CLEAN == seed.kind ? 1 : 0;
            dirty += Seed.Kind.DIRTY == seed.kind ? 1 : 0;
            crash += Seed.Kind.CRASH == seed.kind ? 1 : 0;
        }
        s.append(String.format("seeds:             %d (%d cleanly closed, %d dirty, %d real crash files), made in %.1f s%n",
            seeds.size(), clean, dirty, crash, seedSeconds));
        for (final String line : zeroLength)
        {
            s.append("zero-length file:  ").append(line).append('\n');
        }
        for (final String finding : findings)
        {
            s.append("SEED FAILURE:      ").append(finding).append('\n');
        }
        s.append('\n');
        s.append(String.format("%-58s", "arm"));
        for (final ArmRun run : runs)
        {
            s.append(String.format("%12s", run.arm.label));
        }
        s.append('\n');
        row(s, runs, "files judged", run -> run.judged);
        row(s, runs, "refused with CorruptStoreException (file unchanged)", run -> run.count(Outcome.REFUSED));
        row(s, runs, "opened consistent (writes + reopen checked)", run -> run.count(Outcome.OPENED));
        row(s, runs, "  of which recovered with a report (report says changed)", run -> flagCount(run, "report-changed",
            Outcome.OPENED));
        row(s, runs, "  of which the file was changed at open (all reported)", run -> flagCount(run, "changed-at-open",
            Outcome.OPENED));
        row(s, runs, "  of which a new store (zero-length file)", run -> flagCount(run, "new-store", Outcome.OPENED));
        row(s, runs, "clean file, slot damage, not verified: inconsistent", run -> run.count(Outcome.EXEMPT));
        if (StoreKind.BYTE_STORE == store)
        {
            row(s, runs, "byte store: entries forged with a matching CRC32C, opened", run -> flagCount(run, "forged",
                Outcome.OPENED));
            row(s, runs, "byte store: entries beyond damaged limits (get refuses)", run -> flagCount(run,
                "entries-beyond-limits", Outcome.OPENED));
        }
        else
        {
            formatThreeRows(s, runs);
        }
        row(s, runs, "FAILURES", ArmRun::failures);
        for (final Outcome outcome : Outcome.values())
        {
            if (outcome.failure)
            {
                row(s, runs, "  " + outcome.label, run -> run.count(outcome));
            }
        }
        row(s, runs, "harness errors", run -> run.harness.size());
        row(s, runs, "child JVMs started", run -> run.children);
        s.append(String.format("%-58s", "seconds"));
        for (final ArmRun run : runs)
        {
            s.append(String.format("%12.1f", run.seconds));
        }
        s.append(String.format("%n%-58s%12.1f%n", "total seconds (seeds + both arms in parallel)", seconds));
        final long failures = failures(runs);
        s.append(String.format("verdict:           %s%n", 0 == failures ? "PASS (0 failures)" : "FAIL (" + failures +
            " failures)"));
        if (Files.isDirectory(evidenceDir))
        {
            s.append("evidence:          ").append(evidenceDir).append('\n');
        }
        for (final ArmRun run : runs)
        {
            s.append('\n').append("== arm ").append(run.arm.label).append(": by mutation family ==\n");
            s.append(String.format("  %-20s %7s %8s %8s %8s %8s%n", "family", "files", "refused", "opened", "exempt",
                "failed"));
            for (final Map.Entry<String, long[]> entry : run.families.entrySet())
            {
                final long[] c = entry.getValue();
                long total = 0;
                long failed = 0;
                for (final Outcome outcome : Outcome.values())
                {
                    total += c[outcome.ordinal()];
                    failed += outcome.failure ? c[outcome.ordinal()] : 0;
                }
                s.append(String.format("  %-20s %7d %8d %8d %8d %8d%n", entry.getKey(), total,
                    c[Outcome.REFUSED.ordinal()], c[Outcome.OPENED.ordinal()], c[Outcome.EXEMPT.ordinal()], failed));
            }
            s.append("  flags: ").append(run.flags).append('\n');
            s.append("  refusal messages (normalised, most frequent first):\n");
            run.refusals.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(25)
                .forEach(e -> s.append(String.format("  %7d  %s%n", e.getValue(), e.getKey())));
            if (!run.exempt.isEmpty())
            {
                s.append("  examples of clean-file slot damage seen without verification (by design):\n");
                for (final Record record : run.exempt)
                {
                    s.append("    #").append(record.index).append(' ').append(record.seed).append(' ')
                        .append(record.family).append(": ").append(shorten(record.description, 160)).append("\n      ")
                        .append(shorten(record.detail.replace('\n', ' '), 300)).append('\n');
                }
            }
            for (final String error : run.harness)
            {
                s.append("  HARNESS: ").append(shorten(error, 600)).append('\n');
            }
            if (!run.failed.isEmpty())
            {
                s.append("  distinct failure signatures (count, first file):\n");
                final Map<String, long[]> signatures = new TreeMap<>();
                for (final Record record : run.failed)
                {
                    final long[] seen = signatures.computeIfAbsent(signature(record), k -> new long[]{0, record.index});
                    seen[0]++;
                    seen[1] = Math.min(seen[1], record.index);
                }
                signatures.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .forEach(e -> s.append(String.format("    %6d  #%-6d %s%n", e.getValue()[0], e.getValue()[1],
                    e.getKey())));
                s.append("  failures by kind, header state and damage of the mutated file:\n");
                final Map<String, Long> byDamage = new TreeMap<>();
                for (final Record record : run.failed)
                {
                    byDamage.merge(String.format("%-18s %-6s %s", record.outcome, record.has("claims-clean") ?
                        "clean" : "dirty", record.damage), 1L, Long::sum);
                }
                byDamage.forEach((key, count) -> s.append(String.format("    %-50s %6d%n", key, count)));
                s.append("  failures by kind and family:\n");
                final Map<String, List<Record>> groups = new TreeMap<>();
                for (final Record record : run.failed)
                {
                    groups.computeIfAbsent(record.outcome.ordinal() + " " + record.outcome + " / " + record.family,
                        k -> new ArrayList<>()).add(record);
                }
                for (final Map.Entry<String, List<Record>> group : groups.entrySet())
                {
                    s.append(String.format("    %-50s %6d%n", group.getKey().substring(group.getKey().indexOf(' ') + 1),
                        group.getValue().size()));
                    group.getValue().sort(Comparator.comparingLong(r -> r.index));
                    for (final Record record : group.getValue().subList(0, Math.min(2, group.getValue().size())))
                    {
                        s.append("      #").append(record.index).append(' ').append(record.seed).append(" [")
                            .append(record.damage).append("] ").append(shorten(record.description, 220))
                            .append("\n        ").append(shorten(record.detail.replace("\n\tat ", " at ")
                            .replace('\n', ' '), 700)).append('\n');
                    }
                }
            }
        }
        s.append('\n').append("seeds:\n");
        for (final Seed seed : seeds)
        {
            s.append(String.format("  %-28s %-6s %8d bytes, %5d entries: %s%n", seed.name, seed.kind, seed.bytes.length,
                seed.size(), seed.note));
        }
        s.append(rule);
        return s.toString();
    }

    private static void formatThreeRows(final StringBuilder s, final List<ArmRun> runs)
    {
        row(s, runs, "format 3: value key damaged, opened consistent", run -> flagCount(run,
            "value-key-damaged-opened", Outcome.OPENED));
        row(s, runs, "  of which values read XORed by the damage (as predicted)", run -> flagCount(run,
            "value-key-damage-shifted-values", Outcome.OPENED));
        row(s, runs, "  of which a clean file: the open reported its clean check", run -> flagCount(run,
            "value-key-damage-detected-by-clean-check", Outcome.OPENED));
        row(s, runs, "format 3: missing value damaged, opened with the file's", run -> flagCount(run,
            "missing-value-damaged-opened", Outcome.OPENED));
        row(s, runs, "format 3: open asking for another missing value refused", run ->
            run.flags.getOrDefault("missing-value-conflict-refused", 0L) +
            run.flags.getOrDefault("missing-value-conflict-corrupt", 0L));
        row(s, runs, "  of which the message did not name both values", run ->
            run.flags.getOrDefault("missing-value-conflict-vague-message", 0L));
    }

    private static long flagCount(final ArmRun run, final String flag, final Outcome outcome)
    {
        return Outcome.OPENED == outcome ? run.openedFlags.getOrDefault(flag, 0L) : 0;
    }

    @FunctionalInterface
    private interface Column
    {
        long of(ArmRun run);
    }

    private static void row(final StringBuilder s, final List<ArmRun> runs, final String label, final Column column)
    {
        s.append(String.format("%-58s", label));
        for (final ArmRun run : runs)
        {
            s.append(String.format("%12d", column.of(run)));
        }
        s.append('\n');
    }

    private static String shorten(final String text, final int length)
    {
        return text.length() > length ? text.substring(0, length) + " ..." : text;
    }

    private static void copySeeds(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
