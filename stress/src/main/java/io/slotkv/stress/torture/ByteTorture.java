package io.slotkv.stress.torture;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.RecoveryReport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Kill -9 torture of byte-store files: shows that no acknowledged write of an {@link OffHeapByteStore} file is
 * lost, and no value appears that was never written (torn, another key's, another version's), when its process is
 * killed at any instant: while tables grow (a third of the runs start from an empty store, and most kills of those
 * land in the growth), in a close, in a clean open or in a recovery.
 * <p>
 * Each run starts a {@link ByteTortureChild} on the store file and kills it with SIGKILL at a random instant,
 * usually after it opened the store, sometimes counted from its start (so the kill can land in the child's own
 * recovery of the previous run's crash). The driver then copies the killed file, opens the copy (which recovers
 * it), and compares every key with the {@link ByteTortureLog}: the value must be the acknowledged version's, or
 * the started one's if that operation was running; iteration must yield only keys of the log, each once, with
 * their values, as many as {@code size()}. It then records the version it found in the log and starts the next
 * child on the original, still crashed, file: recovery is deterministic, so the child's recovery reaches the same
 * versions.
 * <p>
 * Usage: {@code ByteTorture KILLS SEED WORK_DIR JAVA [--summary=FILE] [--inject=RUN]}. {@code --inject} removes
 * one acknowledged key from the recovered copy of run RUN before the comparison: that run must fail, showing the
 * comparison catches a loss. Exit status 0 only if every run passed. Run it with {@code stress/torture-bytes.sh}.
 */
public final class ByteTorture
{
    private static final int WRITERS = 2;
    private static final int KEYS_PER_WRITER = 15_000;
    private static final int FRESH_PERCENT = 30;
    private static final int FROM_SPAWN_PERCENT = 20;
    private static final int AIMED_PERCENT = 40;
    private static final int SEGMENTS = ByteTortureChild.SEGMENTS;
    private static final long OPEN_TIMEOUT_SECONDS = 60;

    private final SplittableRandom random;
    private final Path work;
    private final String java;
    private final int inject;
    private final PrintStream out = System.out;

    private int fresh;
    private int killedBeforeOpen;
    private int childRecoveries;
    private int insideReplacement;
    private int aimed;
    private int aimedHit;
    private long keysChecked;
    private long deadlinesChecked;
    private long pendingApplied;
    private long pendingNotApplied;
    private long entriesRecovered;
    private long violations;

    private ByteTorture(final long seed, final Path work, final String java, final int inject)
    {
        this.random = new SplittableRandom(seed);
        this.work = work;
        this.java = java;
        this.inject = inject;
    }

    public static void main(final String[] args) throws Exception
    {
        final int kills = Integer.parseInt(args[0]);
        final long seed = Long.parseLong(args[1]);
        final Path work = Path.of(args[2]);
        final String java = args[3];
        String summary = null;
        int inject = -1;
        for (int i = 4; i < args.length; i++)
        {
            if (args[i].startsWith("--summary="))
            {
                summary = args[i].substring("--summary=".length());
            }
            else if (args[i].startsWith("--inject="))
            {
                inject = Integer.parseInt(args[i].substring("--inject=".length()));
            }
            else
            {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // a recovery report per reopen is the expected case here, not news
        Logger.getLogger(OffHeapByteStore.class.getName()).setLevel(Level.WARNING);
        final ByteTorture torture = new ByteTorture(seed, work, java, inject);
        final long start = System.nanoTime();
        for (int run = 1; run <= kills; run++)
        {
            torture.run(run);
            if (0 == run % 50 && run < kills)
            {
                System.out.println("  ... " + run + " kills, " + torture.insideReplacement + " inside a replacement, " +
                    torture.violations + " violations, " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) +
                    " s");
            }
        }
        final String text = torture.summary(kills, seed, System.nanoTime() - start);
        System.out.println(text);
        if (null != summary)
        {
            Files.writeString(Path.of(summary), text + System.lineSeparator());
        }
        System.exit(0 == torture.violations ? 0 : 1);
    }

    private void run(final int run) throws Exception
    {
        final Path store = work.resolve("bytes.store");
        final Path logFile = work.resolve("bytes.log");
        if (1 == run || random.nextInt(100) < FRESH_PERCENT)
        {
            fresh++;
            Files.deleteIfExists(store);
            Files.deleteIfExists(logFile);
        }
        final long childSeed = random.nextLong();
        final List<String> command = new ArrayList<>();
        command.add(java);
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-Xmx") && !argument.startsWith("-Xms") && !argument.startsWith("-agentlib"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
            ByteTortureChild.class.getName(), store.toString(), logFile.toString(), String.valueOf(WRITERS),
            String.valueOf(KEYS_PER_WRITER), String.valueOf(childSeed)));
        final Path err = work.resolve("child.err");
        final Process child = new ProcessBuilder(command).redirectError(err.toFile()).start();
        final long spawned = System.nanoTime();
        final boolean fromSpawn = random.nextInt(100) < FROM_SPAWN_PERCENT;
        final long delayMillis = fromSpawn ? random.nextInt(1_500) : random.nextInt(Files.exists(logFile) ? 700 : 300);
        final AtomicLong openedAt = new AtomicLong();
        final List<String> lines = new ArrayList<>();
        final Thread reader = new Thread(() -> follow(child, openedAt, lines), "byte-torture-reader");
        reader.setDaemon(true);
        reader.start();
        if (fromSpawn)
        {
            child.waitFor(delayMillis, TimeUnit.MILLISECONDS);
        }
        else
        {
            final long deadline = spawned + TimeUnit.SECONDS.toNanos(OPEN_TIMEOUT_SECONDS);
            while (0 == openedAt.get() && child.isAlive() && System.nanoTime() < deadline)
            {
                child.waitFor(1, TimeUnit.MILLISECONDS);
            }
            if (random.nextInt(100) < AIMED_PERCENT && child.isAlive())
            {
                aimed++;
                aimedHit += awaitReplacement(store, child, 2 * delayMillis + 200) ? 1 : 0;
            }
            else
            {
                child.waitFor(delayMillis, TimeUnit.MILLISECONDS);
            }
        }
        if (!child.isAlive())
        {
            fail(run, "the child exited by itself with status " + child.exitValue() + ": " + lines + ", stderr: " +
                tail(err));
            return;
        }
        child.destroyForcibly();
        child.waitFor();
        reader.join();
        if (0 == openedAt.get())
        {
            killedBeforeOpen++;
        }
        for (final String line : lines)
        {
            if (line.startsWith("VIOLATION"))
            {
                fail(run, line);
            }
            if (line.equals("open recovered"))
            {
                childRecoveries++;
            }
        }
        if (!Files.exists(logFile) || !Files.exists(store) || 0 == Files.size(store))
        {
            return; // killed before it created anything: the next run starts fresh
        }
        verify(run, store, logFile);
    }

    /**
     * Poll the directory's Next Table words of the killed-to-be file (the page cache is shared, so a read sees the
     * child's stores at once) until a replacement records its intent, then return at once: the kill lands inside
     * its copy pass, or in a close's fence.
     *
     * @return true if a replacement was seen within {@code maxMillis}.
     */
    private static boolean awaitReplacement(final Path store, final Process child, final long maxMillis)
        throws IOException
    {
        final StoreFile.NextTableWatch[] watches = new StoreFile.NextTableWatch[SEGMENTS];
        try
        {
            for (int i = 0; i < SEGMENTS; i++)
            {
                watches[i] = new StoreFile.NextTableWatch(store, i);
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
            while (System.nanoTime() < deadline && child.isAlive())
            {
                for (final StoreFile.NextTableWatch watch : watches)
                {
                    if (watch.replacing())
                    {
                        return true;
                    }
                }
            }
            return false;
        }
        finally
        {
            for (final StoreFile.NextTableWatch watch : watches)
            {
                if (null != watch)
                {
                    watch.close();
                }
            }
        }
    }

    private void follow(final Process child, final AtomicLong openedAt, final List<String> lines)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("open"))
                {
                    openedAt.set(System.nanoTime());
                }
                synchronized (lines)
                {
                    lines.add(line);
                }
            }
        }
        catch (final IOException ignore)
        {
            // the kill closed the stream
        }
    }

    private void verify(final int run, final Path store, final Path logFile) throws IOException
    {
        final Path copy = work.resolve("verify.store");
        Files.copy(store, copy, StandardCopyOption.REPLACE_EXISTING);
        try (ByteTortureLog log = new ByteTortureLog(logFile, WRITERS, KEYS_PER_WRITER);
            OffHeapByteStore recovered = ByteTortureChild.open(copy))
        {
            final RecoveryReport report = recovered.recoveryReport().orElse(null);
            if (null != report)
            {
                entriesRecovered += report.entries();
                if (report.replacementsAbandoned() + report.replacementsCleared() > 0)
                {
                    insideReplacement++;
                }
                if (report.purged() > 0)
                {
                    fail(run, "recovery purged entries of an undamaged file: " + report);
                }
            }
            if (run == inject)
            {
                injectLoss(log, recovered);
            }
            final long[] found = new long[log.records()];
            long present = 0;
            for (int record = 0; record < log.records(); record++)
            {
                final long acknowledged = log.acknowledged(record);
                final long started = log.started(record);
                final byte[] value = recovered.get(ByteTortureLog.key(record));
                keysChecked++;
                final long version = match(record, value, acknowledged, started);
                if (version < 0)
                {
                    fail(run, "record " + record + " (key " + new String(ByteTortureLog.key(record),
                        StandardCharsets.UTF_8) + "): acknowledged version " + acknowledged + ", started " + started +
                        ", found " + (null == value ? "no value" : value.length + " bytes " +
                        Arrays.toString(Arrays.copyOf(value, Math.min(16, value.length)))) + ": " +
                        (null == value ? "an acknowledged write was lost" : "a value never written (or an older one)"));
                    found[record] = started;
                    continue;
                }
                if (started != acknowledged)
                {
                    if (version == started)
                    {
                        pendingApplied++;
                    }
                    else
                    {
                        pendingNotApplied++;
                    }
                }
                if (null != value)
                {
                    checkDeadline(run, recovered, record, version);
                }
                found[record] = version;
                present += null == value ? 0 : 1;
            }
            checkIteration(run, recovered, present);
            for (int record = 0; record < log.records(); record++)
            {
                log.settle(record, found[record]);
            }
        }
        Files.delete(copy);
    }

    /**
     * Check that the recovered value of {@code version} carries the deadline that version was written with (or
     * none): a deadline is crash-atomic with its value.
     */
    private void checkDeadline(final int run, final OffHeapByteStore recovered, final int record, final long version)
    {
        final long expected = ByteTortureLog.deadline(record, version);
        final long before = System.currentTimeMillis();
        final long ttl = recovered.pttl(ByteTortureLog.key(record));
        final long after = System.currentTimeMillis();
        deadlinesChecked += 0 == expected ? 0 : 1;
        // pttl is the deadline less the clock at some instant between before and after
        if (!(0 == expected ? OffHeapByteStore.TTL_NONE == ttl : ttl > 0 && before + ttl <= expected &&
            expected <= after + ttl))
        {
            fail(run, "record " + record + ": version " + version + " should have " + (0 == expected ?
                "no deadline" : "deadline " + expected) + ", found pttl " + ttl + " at " + before + ".." + after);
        }
    }

    /**
     * @return the version of the log the value is, or -1 if it is neither the acknowledged nor the started one.
     */
    private static long match(final int record, final byte[] value, final long acknowledged, final long started)
    {
        for (final long version : new long[]{acknowledged, started})
        {
            final boolean removed = ByteTortureLog.isRemove(version);
            if (null == value ? removed : !removed && Arrays.equals(value, ByteTortureLog.value(record, version)))
            {
                return version;
            }
        }
        return -1;
    }

    private void checkIteration(final int run, final OffHeapByteStore store, final long present)
    {
        final long[] count = {0};
        store.forEach((key, value) ->
        {
            count[0]++;
            final byte[] k = new byte[key.capacity()];
            key.getBytes(0, k);
            final byte[] v = new byte[value.capacity()];
            value.getBytes(0, v);
            final byte[] got = store.get(k);
            if (!Arrays.equals(got, v))
            {
                fail(run, "iteration gave key " + new String(k, StandardCharsets.UTF_8) + " a value get does not");
            }
        });
        if (count[0] != present || store.size() != present)
        {
            fail(run, "iteration yielded " + count[0] + " entries, size() is " + store.size() + ", the log's keys " +
                "hold " + present + ": a key not in the log, or one twice");
        }
    }

    private void injectLoss(final ByteTortureLog log, final OffHeapByteStore store)
    {
        for (int record = 0; record < log.records(); record++)
        {
            final long acknowledged = log.acknowledged(record);
            if (acknowledged == log.started(record) && !ByteTortureLog.isRemove(acknowledged))
            {
                store.remove(ByteTortureLog.key(record));
                out.println("run " + inject + ": injected the loss of acknowledged record " + record);
                return;
            }
        }
    }

    private void fail(final int run, final String what)
    {
        violations++;
        if (violations <= 20)
        {
            out.println("VIOLATION run " + run + ": " + what);
        }
    }

    private static String tail(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private String summary(final int kills, final long seed, final long nanos)
    {
        return String.join(System.lineSeparator(),
            "byte-store kill -9 torture: " + kills + " kills, seed " + seed + ", " + Runtime.version() + ", " +
                TimeUnit.NANOSECONDS.toSeconds(nanos) + " s",
            "  runs from an empty store:                 " + fresh,
            "  kills inside a table replacement:         " + insideReplacement + " (the killed file named a next table)",
            "  aimed kills:                              " + aimed + " (" + aimedHit + " right after a replacement " +
                "recorded its intent)",
            "  kills before the child opened the store:  " + killedBeforeOpen + " (JVM start, or its own recovery)",
            "  child runs that recovered a crashed file: " + childRecoveries,
            "  keys compared:                            " + keysChecked,
            "  deadlines compared (of those keys):       " + deadlinesChecked,
            "  entries recovered (sum over reopens):     " + entriesRecovered,
            "  operations running at a kill:             " + (pendingApplied + pendingNotApplied) + " (applied " +
                pendingApplied + ", not applied " + pendingNotApplied + "; either is allowed)",
            "  violations (lost, never written, iteration, child): " + violations,
            0 == violations ? "PASSED" : "FAILED");
    }
}
