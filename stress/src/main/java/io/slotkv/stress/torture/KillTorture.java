package io.slotkv.stress.torture;

import io.slotkv.core.jvm.JvmAccess;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Kill -9 torture: proves that no acknowledged write of an {@link OffHeapLongLongMap} store file is lost when its
 * process is killed at any instant, in particular in the middle of a segment's table replacement.
 * <p>
 * Each run starts a child JVM ({@link TortureWriter}) on a store file (a fresh one, or the previous run's after
 * the driver verified and closed it, or the previous run's <em>still crashed</em>, which the child then recovers
 * itself and may be killed while doing so) and kills it with SIGKILL at a random instant or aimed at a resize the
 * child announces ({@link KillPlan}). The driver then reads the raw file (was a replacement under way, was the
 * header marked open), replays the child's operation logs into the {@link Model}, and usually reopens the store
 * in its own JVM and compares every key ever written with the model, checks that no key is present that was
 * never written, that {@code size()} equals the forEach count, and that the map takes new writes
 * ({@link #probe}); then closes it cleanly. Sometimes it leaves the crashed file to the next child instead (at
 * most {@value #MAX_UNVERIFIED} runs in a row), so recovery runs on top of a recovery, and the next child's
 * acknowledged results are checked against the model too.
 * <p>
 * Any violation is printed with the seed, the run, the key, the expected and the actual value; the store (as it
 * was before the reopen, and after), the logs and the child's output are kept under
 * {@code <work dir>/failure-run-N} and copied to {@value #EVIDENCE}; the exit status is 1.
 * <p>
 * Usage: {@code KillTorture KILLS SEED WORK_DIR [JAVA] [--inject=file:RUN|model:RUN] [--precopy=true|false]
 * [--summary=FILE] [--evidence=DIR] [--aimed-percent=75] [--live-limit=2000000] [--records=4194304]}.
 * {@code --inject} damages one run on purpose (clears one acknowledged key's value word in the raw file before the
 * reopen, or makes the model expect a wrong value) to show that the comparison catches a loss: that run must
 * fail. {@code --precopy=false} skips the copy of the killed store kept for evidence. Run it with
 * {@code stress/torture.sh}.
 */
public final class KillTorture
{
    /** Where evidence of a failure is copied (besides the work directory), unless {@code --evidence=DIR}. */
    static final String EVIDENCE = "/tmp/torture-evidence";

    /** Runs in a row whose crashed file is left to the next child before the driver verifies it. */
    static final int MAX_UNVERIFIED = 3;

    /** Table replacements smaller than this take too little time to aim a kill at (slots). */
    static final int MIN_AIM_CAPACITY = 1 << 15;

    private static final int[] SEGMENT_CHOICES = { 1, 1, 2, 4 };
    private static final long MIB = 1 << 20;

    /** Recovery logs a warning per changed store: keep the driver's output to its own lines. */
    private static final Logger MAP_LOGGER = Logger.getLogger("io.slotkv");

    private final int kills;
    private final long seed;
    private final Path workDir;
    private final String java;
    private final Map<String, String> options;
    private final SplittableRandom random;
    private final Model model = new Model();
    private final TortureStats stats = new TortureStats();
    private final ChildRun.ResizeClock[] clocks = new ChildRun.ResizeClock[TortureKeys.MAX_WRITERS + 1];
    private final List<Path> unverified = new ArrayList<>();
    private final Violations found = new Violations();
    private final boolean precopy;
    private final long liveLimit;
    private final int aimedPercent;
    private final String injectKind;
    private final int injectRun;
    private boolean injected;
    private long recoveryNanos = 20_000_000;
    private Path store;
    private int storeNumber;
    private int segments;
    private long chunkSize;

    private KillTorture(final int kills, final long seed, final Path workDir, final String java,
        final Map<String, String> options)
    {
        this.kills = kills;
        this.seed = seed;
        this.workDir = workDir;
        this.java = java;
        this.options = options;
        this.random = new SplittableRandom(seed);
        for (int t = 1; t < clocks.length; t++)
        {
            clocks[t] = new ChildRun.ResizeClock();
        }
        this.precopy = Boolean.parseBoolean(options.getOrDefault("precopy", "true"));
        this.liveLimit = Long.parseLong(options.getOrDefault("live-limit", "2000000"));
        this.aimedPercent = Integer.parseInt(options.getOrDefault("aimed-percent", "75"));
        final String inject = options.get("inject");
        this.injectKind = null == inject ? null : inject.substring(0, inject.indexOf(':'));
        this.injectRun = null == inject ? Integer.MAX_VALUE :
            Integer.parseInt(inject.substring(inject.indexOf(':') + 1));
    }

    public static void main(final String[] args) throws Exception
    {
        final List<String> positional = new ArrayList<>();
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            if (arg.startsWith("--") && arg.contains("="))
            {
                options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            else
            {
                positional.add(arg);
            }
        }
        if (positional.size() < 3)
        {
            System.err.println("usage: KillTorture KILLS SEED WORK_DIR [JAVA] [--inject=file:RUN|model:RUN] " +
                "[--precopy=true|false] [--summary=FILE] [--evidence=DIR] [--aimed-percent=75] " +
                "[--live-limit=2000000] [--records=4194304]");
            System.exit(2);
        }
        MAP_LOGGER.setLevel(Level.SEVERE);
        // a driver stopped by a signal takes its child with it (the child halts by itself after a minute anyway)
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        final String java = positional.size() > 3 ? positional.get(3) :
            ProcessHandle.current().info().command().orElse("java");
        final KillTorture torture = new KillTorture(Integer.parseInt(positional.get(0)),
            Long.parseLong(positional.get(1)), Paths.get(positional.get(2)), java, options);
        System.exit(torture.run());
    }

    private int run() throws IOException, InterruptedException
    {
        Files.createDirectories(workDir);
        final long start = System.nanoTime();
        final Map<String, String> shown = new TreeMap<>(options);
        shown.remove("build");
        shown.remove("summary");
        final String header = "date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) +
            System.lineSeparator() + "jdk: " + System.getProperty("java.vm.name") + " " +
            System.getProperty("java.runtime.version") + " (driver); child java: " + java +
            System.lineSeparator() + "seed: " + seed + ", kills asked: " + kills + ", work dir: " + workDir +
            ", options: " + shown + ", cores: " + Runtime.getRuntime().availableProcessors() +
            (options.containsKey("build") ? System.lineSeparator() + "build: " + options.get("build") : "");
        System.out.println(header);
        for (int run = 1; run <= kills; run++)
        {
            runOnce(run);
        }
        if (!unverified.isEmpty())
        {
            verify(kills, StoreFile.read(store));
        }
        discardStore();
        final long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        stats.resizeClock = "1 writer: " + clocks[1] + "; 2 writers: " + clocks[2];
        stats.print(System.out, header, seconds);
        final String summaryFile = options.get("summary");
        if (null != summaryFile)
        {
            try (PrintStream out = new PrintStream(Files.newOutputStream(Paths.get(summaryFile)), true,
                StandardCharsets.UTF_8))
            {
                stats.print(out, header, seconds);
            }
        }
        return stats.violations.isEmpty() ? 0 : 1;
    }

    private void runOnce(final int run) throws IOException, InterruptedException
    {
        final String mode;
        if (!unverified.isEmpty())
        {
            mode = "crashed";
            stats.continuedDirty++;
        }
        else if (null == store || model.liveUpperBound() > liveLimit || random.nextInt(100) < 40)
        {
            newStore();
            mode = "fresh";
        }
        else
        {
            mode = "closed";
            stats.continuedClean++;
        }
        final int threads = 1 + random.nextInt(2);
        final KillPlan plan = KillPlan.random(random, aimedPercent, !unverified.isEmpty(), recoveryNanos);
        final Path runDir = workDir.resolve(String.format("run-%05d", run));
        Files.createDirectories(runDir);

        final ChildRun child = ChildRun.start(childCommand(runDir, threads, random.nextLong()), store, runDir, plan,
            clocks[threads]);
        child.awaitKill();
        final StoreFile.Snapshot snapshot = StoreFile.read(store);
        final boolean insideResize = snapshot.segmentsReplacing() > 0;
        if (child.killed())
        {
            stats.kills++;
            stats.aimedKills += child.aimedKill() ? 1 : 0;
            if (child.aimedKill())
            {
                aimedPhase(child, snapshot);
            }
            stats.timerKills += child.aimedKill() ? 0 : 1;
            stats.killsBeforeOpen += child.opened() ? 0 : 1;
            stats.killsDuringChildRecovery += !child.opened() && child.openingDirty() ? 1 : 0;
            stats.killsInsideResize += insideResize ? 1 : 0;
            stats.killsCommittedNotCleared += snapshot.segmentsCommittedNotCleared() > 0 ? 1 : 0;
            stats.killsInsideRekey += snapshot.segmentsRekeying() > 0 ? 1 : 0;
            stats.killsMarkedOpen += snapshot.markedOpen() ? 1 : 0;
            stats.killsWithoutMap += StoreFile.NO_ROOT == snapshot.rootOffset ? 1 : 0;
        }
        stats.resizesAnnounced += child.resizes();
        stats.rekeysDone += child.rekeys();
        stats.childRecoveries += child.childRecovered() ? 1 : 0;
        stats.largestStoreBytes = Math.max(stats.largestStoreBytes, snapshot.size);
        if (!child.diedOfKill() || null != child.error())
        {
            final boolean open = null != child.error() && child.error().startsWith("ERROR open");
            found.add(open ? Violations.Kind.REOPEN_FAILED : Violations.Kind.CHILD_ERROR, "run " + run + " (seed " +
                seed + "): the child " +
                (child.diedOfKill() ? "failed" : "exited by itself with status " + child.exitStatus()) + ": " +
                child.error() + "; see " + runDir.resolve("child.err"));
        }

        final long acknowledgedBefore = model.acknowledged;
        final long pendingBefore = model.pending;
        for (int t = 0; t < threads; t++)
        {
            final Path log = OpLog.file(runDir, t);
            if (Files.exists(log))
            {
                model.replay(log, found);
            }
        }
        stats.acknowledged += model.acknowledged - acknowledgedBefore;
        stats.pending += model.pending - pendingBefore;
        unverified.add(runDir);

        final StringBuilder line = new StringBuilder()
            .append("run ").append(run).append('/').append(kills)
            .append(": ").append(mode).append(" S=").append(segments).append(" T=").append(threads)
            .append(' ').append(plan)
            .append(" -> killed after ").append(child.lifeMillis()).append(" ms (").append(child.killReason())
            .append(child.opened() ? "" : child.openingDirty() ? ", during its recovery" : ", before its map was open")
            .append("); file: ")
            .append(insideResize ? "REPLACEMENT UNDER WAY in " + snapshot.segmentsReplacing() + " segment(s)" +
                (snapshot.segmentsRekeying() > 0 ? " (RE-KEYING in " + snapshot.segmentsRekeying() + ")" : "") :
                snapshot.markedOpen() ? "open" : "closed")
            .append("; replayed ").append(model.acknowledged - acknowledgedBefore).append(" ops");
        final boolean verifyNow = run == kills || unverified.size() >= MAX_UNVERIFIED || !found.isEmpty() ||
            run >= injectRun && !injected || random.nextInt(100) >= 25;
        if (verifyNow)
        {
            line.append("; ").append(verify(run, snapshot));
        }
        else
        {
            line.append("; left crashed for the next child");
        }
        System.out.println(line);
    }

    /**
     * Where in the announced replacement an aimed kill landed, from the killed file: its segment's Next Table set
     * (copying), its table still the announced one (allocating the new table or freezing the empty slots; a
     * recovery that thaws slots shows the latter), or already a newer one (the replacement had finished).
     */
    private void aimedPhase(final ChildRun child, final StoreFile.Snapshot snapshot)
    {
        final int segment = child.aimedSegment();
        if (segment < 0 || segment >= snapshot.segmentCount)
        {
            return;
        }
        if (child.aimedRekey())
        {
            // the capacity stays: "early" and "late" cannot be told apart from the file
            stats.aimedKillsAtRekey++;
            stats.aimedKillsInsideRekey += 0 != snapshot.nextOffsets[segment] &&
                snapshot.nextOffsets[segment] != snapshot.tableOffsets[segment] &&
                snapshot.nextValueKeys[segment] != snapshot.valueKeys[segment] ? 1 : 0;
            return;
        }
        if (0 != snapshot.nextOffsets[segment])
        {
            stats.aimedKillsInsideResize++;
        }
        else if (snapshot.capacities[segment] == child.aimedCapacity())
        {
            stats.aimedKillsEarly++;
        }
        else
        {
            stats.aimedKillsLate++;
        }
    }

    /**
     * Reopen the store in this JVM, compare it with the model, probe it with new writes and close it.
     *
     * @return one phrase for the progress line.
     */
    private String verify(final int run, final StoreFile.Snapshot snapshot) throws IOException
    {
        stats.verifications++;
        final Path before = workDir.resolve("store.pre-reopen");
        if (precopy && Files.exists(store)) // a child killed before it created the store leaves none
        {
            Files.copy(store, before, StandardCopyOption.REPLACE_EXISTING);
        }
        final boolean inject = !injected && run >= injectRun && StoreFile.NO_ROOT != snapshot.rootOffset;
        if (inject)
        {
            inject(snapshot);
        }
        final StringBuilder result = new StringBuilder();
        RecoveryReport report = null;
        OffHeapLongLongMap map = null;
        try
        {
            map = OffHeapLongLongMap.builder().file(store).build();
        }
        catch (final RuntimeException | Error ex)
        {
            stats.reopenFailures++;
            found.add(Violations.Kind.REOPEN_FAILED, "run " + run + " (seed " + seed + "): " + ex);
        }
        if (null != map)
        {
            try
            {
                report = map.recoveryReport().orElse(null);
                if (null != report)
                {
                    recoveryNanos = (recoveryNanos + report.nanos()) / 2;
                }
                checkReport(snapshot, report, result);
                final Model.Verification verification = model.verify(map, found);
                stats.keysChecked += verification.keysChecked;
                stats.ambiguousChecked += verification.ambiguousChecked;
                stats.liveChecked += verification.expectedLive;
                stats.largestMap = Math.max(stats.largestMap, verification.size);
                result.append("verified ").append(verification.keysChecked).append(" keys (")
                    .append(verification.size).append(" present)");
                probe(map, verification, run);
            }
            catch (final RuntimeException ex)
            {
                found.add(Violations.Kind.REOPEN_FAILED, "run " + run + " (seed " + seed + "): the reopened map " +
                    "threw: " + ex);
            }
            finally
            {
                try
                {
                    map.close();
                }
                catch (final RuntimeException ex)
                {
                    found.add(Violations.Kind.REOPEN_FAILED, "run " + run + ": close of the reopened map: " + ex);
                }
            }
        }
        stats.pendingApplied = model.pendingApplied;
        stats.pendingNotApplied = model.pendingNotApplied;
        if (found.isEmpty())
        {
            for (final Path dir : unverified)
            {
                deleteTree(dir);
            }
            Files.deleteIfExists(before);
            result.append(", ok");
        }
        else
        {
            result.append(", FAILED: ").append(found);
            keepEvidence(run, snapshot, report, before, inject);
            stats.violations.addAll(found);
            found.clear();
            discardStore();
        }
        unverified.clear();
        return (null == report ? "no recovery" : "recovery " + (report.changedAnything() ? "changed" : "unchanged") +
            (report.replacementsCompleted() > 0 ? " (completed " + report.replacementsCompleted() + ")" : "") +
            (report.replacementsCleared() > 0 ? " (cleared " + report.replacementsCleared() + ")" : "") +
            (report.slotsThawed() > 0 ? " (thawed " + report.slotsThawed() + ")" : "")) + "; " + result;
    }

    /**
     * The report must account for the interrupted replacements the killed file shows.
     */
    private void checkReport(final StoreFile.Snapshot snapshot, final RecoveryReport report, final StringBuilder result)
    {
        if (null != report)
        {
            stats.recovery(report);
        }
        final int committed = snapshot.segmentsCommittedNotCleared();
        final int interrupted = snapshot.segmentsReplacing() - committed;
        final boolean consistent = null == report ? !snapshot.markedOpen() :
            report.replacementsCompleted() == interrupted && report.replacementsCleared() == committed;
        if (!consistent)
        {
            stats.reportMismatches++;
            result.append("NOTE: the file showed ").append(interrupted).append(" interrupted and ").append(committed)
                .append(" committed replacements, the report ").append(report).append("; ");
        }
    }

    /**
     * Show the new map takes writes: new keys of the driver's range (half removed again), an update of a key the
     * model knows, checked as they go and added to the model for the next verification.
     */
    private void probe(final OffHeapLongLongMap map, final Model.Verification verification, final int run)
    {
        final long base = model.nextIndex(TortureKeys.DRIVER_THREAD);
        for (int i = 0; i < 8; i++)
        {
            final long key = TortureKeys.key(TortureKeys.DRIVER_THREAD, base + i);
            final long value = random.nextLong(-TortureWriter.VALUE_BOUND, TortureWriter.VALUE_BOUND);
            expect(TortureOps.MISSING, map.put(key, value), "put of new key " + key, run);
            expect(value, map.get(key), "get of new key " + key, run);
            if (1 == (i & 1))
            {
                expect(value, map.remove(key), "remove of new key " + key, run);
                expect(TortureOps.MISSING, map.get(key), "get of removed key " + key, run);
                model.write(key, TortureOps.REMOVED);
            }
            else
            {
                model.write(key, value);
            }
        }
        final long sample = verification.sampleKey;
        if (0 != sample)
        {
            final long value = random.nextLong(-TortureWriter.VALUE_BOUND, TortureWriter.VALUE_BOUND);
            expect(model.word(sample), map.put(sample, value), "update of key " + sample, run);
            expect(value, map.getAndAdd(sample, 7), "getAndAdd of key " + sample, run);
            model.write(sample, value + 7);
        }
    }

    private void expect(final long expected, final long actual, final String what, final int run)
    {
        if (expected != actual)
        {
            found.add(Violations.Kind.WRITE_PROBE, "run " + run + " (seed " + seed + "): " + what + " returned " +
                actual + ", expected " + expected);
        }
    }

    /**
     * Self-test: damage this run on purpose, so the verification must report exactly one lost write.
     */
    private void inject(final StoreFile.Snapshot snapshot)
    {
        injected = true;
        final long key = model.someKeyWithValue(random.nextInt(1000));
        if (0 == key)
        {
            System.out.println("INJECT: no key with a value to damage yet; nothing injected");
            injected = false;
            return;
        }
        final long expected = model.word(key);
        if ("model".equals(injectKind))
        {
            model.corrupt(key, expected + 1);
            System.out.println("INJECT: the model now expects key " + key + " = " + (expected + 1) +
                " (the store holds " + expected + ")");
        }
        else
        {
            final long offset = StoreFile.clearValue(store, snapshot, key);
            System.out.println("INJECT: cleared the value word of key " + key + " (acknowledged value " + expected +
                ") at file offset " + offset + " before the reopen");
        }
    }

    private void keepEvidence(final int run, final StoreFile.Snapshot snapshot, final RecoveryReport report,
        final Path before, final boolean inject) throws IOException
    {
        final Path dir = workDir.resolve("failure-run-" + run);
        Files.createDirectories(dir);
        if (Files.exists(before))
        {
            Files.move(before, dir.resolve("store.pre-reopen"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.exists(store))
        {
            Files.copy(store, dir.resolve("store.after-reopen"), StandardCopyOption.REPLACE_EXISTING);
        }
        for (final Path runDir : unverified)
        {
            Files.move(runDir, dir.resolve(runDir.getFileName()));
        }
        final List<String> text = new ArrayList<>();
        text.add("seed " + seed + ", run " + run + " of " + kills + (inject ? " (DAMAGE INJECTED ON PURPOSE: " +
            injectKind + ")" : ""));
        text.add("store " + store + " (segments " + segments + ", chunk " + chunkSize + ")");
        text.add("runs replayed since the last verification: " + unverified);
        text.add("file after the last kill, before the reopen: " + snapshot);
        text.add("recovery report: " + report);
        text.add("violations: " + found);
        text.addAll(found.examples());
        Files.write(dir.resolve("failure.txt"), text);
        System.out.println("FAILURE at run " + run + " (seed " + seed + "): " + found);
        found.examples().forEach(example -> System.out.println("  " + example));
        if (!inject)
        {
            final Path evidence = Paths.get(options.getOrDefault("evidence", EVIDENCE),
                workDir.getFileName() + "-seed" + seed + "-run" + run);
            copyTree(dir, evidence);
            System.out.println("  evidence: " + dir + " and " + evidence);
        }
        else
        {
            System.out.println("  evidence: " + dir);
        }
    }

    private List<String> childCommand(final Path runDir, final int threads, final long childSeed)
    {
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JvmAccess.launcherFlags());
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.add("-Xms64m");
        command.add("-Xmx1g");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TortureWriter.class.getName());
        command.add("store=" + store);
        command.add("logs=" + runDir);
        command.add("segments=" + segments);
        command.add("threads=" + threads);
        command.add("seed=" + childSeed);
        command.add("chunk=" + chunkSize);
        command.add("records=" + options.getOrDefault("records", Integer.toString(1 << 22)));
        command.add("maxMillis=60000");
        final StringBuilder next = new StringBuilder();
        for (int t = 0; t < TortureKeys.MAX_WRITERS; t++)
        {
            next.append(t > 0 ? "," : "").append(model.nextIndex(t));
        }
        command.add("next=" + next);
        return command;
    }

    private void newStore() throws IOException
    {
        discardStore();
        storeNumber++;
        store = workDir.resolve("store-" + storeNumber + ".slotkv");
        segments = SEGMENT_CHOICES[random.nextInt(SEGMENT_CHOICES.length)];
        chunkSize = random.nextInt(100) < 30 ? 256 * MIB : 1024 * MIB;
        stats.freshStores++;
    }

    private void discardStore() throws IOException
    {
        model.clear();
        if (null != store)
        {
            System.gc(); // closed maps unmap their chunks once collected: free the memory before the file goes
            Files.deleteIfExists(store);
            store = null;
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.delete(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    /**
     * Copy an operation log up to its last record: the rest of the preallocated (sparse) file is zeros, which a
     * plain copy would write out in full.
     */
    private static void copyLog(final Path from, final Path to) throws IOException
    {
        final long records = OpLog.read(from, new OpLog.Visitor()
        {
            @Override
            public void done(final int op, final long key, final long operand, final long result)
            {
            }

            @Override
            public void pending(final int op, final long key, final long operand)
            {
            }
        });
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
            FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
        {
            final long length = records * OpLog.RECORD_LENGTH;
            long copied = 0;
            while (copied < length)
            {
                copied += in.transferTo(copied, length - copied, out);
            }
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else if (path.getFileName().toString().endsWith(".log"))
                {
                    copyLog(path, target);
                }
                else
                {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
