package io.slotkv.stress.torture;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One child JVM running {@link TortureWriter}, and its kill: a reader thread follows the child's stdout (copied to
 * {@code child.out}; stderr goes to {@code child.err}) and kills an {@link KillPlan.Kind#AIMED aimed} plan's child
 * at an announced resize; {@link #awaitKill} kills at the plan's deadline otherwise. The kill is SIGKILL
 * ({@link Process#destroyForcibly()} on Linux): the child runs no shutdown hook, no finalizer, closes nothing.
 */
final class ChildRun
{
    /** A child that has not opened its map by then is killed and reported. */
    static final long OPEN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The exit status of a process killed by SIGKILL, as Java reports it. */
    static final int KILLED_STATUS = 128 + 9;

    /** Pause between two reads of a Next Table Offset: short next to a copy pass, light on a 2-core machine. */
    static final long POLL_NANOS = 50_000;

    /** Longest wait for an announced replacement to record its intent in the file. */
    static final long INTENT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Process process;
    private final Path store;
    private final KillPlan plan;
    private final ResizeClock clock;
    private final long spawnNanos;
    private final Thread reader;
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile long openingNanos;
    private volatile long openNanos;
    private volatile boolean openingDirty;
    private volatile String error;
    private volatile String killReason = "none";
    private volatile long killNanos;
    private volatile int resizes;
    private volatile int rekeys;
    private volatile boolean aimedRekey;
    private volatile boolean childRecovered;
    private volatile int aimedSegment = -1;
    private volatile int aimedCapacity;

    private ChildRun(
        final Process process, final Path store, final KillPlan plan, final ResizeClock clock, final Path out)
    {
        this.process = process;
        this.store = store;
        this.plan = plan;
        this.clock = clock;
        this.spawnNanos = System.nanoTime();
        this.reader = new Thread(() -> follow(out), "torture-child-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ChildRun start(
        final List<String> command, final Path store, final Path runDir, final KillPlan plan, final ResizeClock clock)
    {
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(runDir.resolve("child.err").toFile())
                .start();
            return new ChildRun(process, store, plan, clock, runDir.resolve("child.out"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start child " + command, ex);
        }
    }

    /**
     * Wait for the kill (by the plan's timer, or by the reader at a resize) or for the child to exit by itself,
     * then for the process to be gone and its output read.
     */
    void awaitKill() throws InterruptedException
    {
        while (process.isAlive())
        {
            final long now = System.nanoTime();
            long deadline = plan.deadline(spawnNanos, openingNanos, openNanos);
            if (Long.MAX_VALUE == deadline)
            {
                deadline = Math.min(spawnNanos + OPEN_TIMEOUT_NANOS, now + TimeUnit.MILLISECONDS.toNanos(2));
                if (now >= spawnNanos + OPEN_TIMEOUT_NANOS)
                {
                    kill("child did not open its map in " + TimeUnit.NANOSECONDS.toSeconds(OPEN_TIMEOUT_NANOS) + " s");
                    error = "did not open its map within " + TimeUnit.NANOSECONDS.toSeconds(OPEN_TIMEOUT_NANOS) + " s";
                    break;
                }
            }
            else if (now >= deadline)
            {
                kill("timer");
                break;
            }
            process.waitFor(Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
        }
        process.waitFor();
        reader.join();
    }

    private void kill(final String reason)
    {
        if (killed.compareAndSet(false, true))
        {
            killNanos = System.nanoTime();
            killReason = reason;
            process.destroyForcibly();
        }
    }

    private void follow(final Path out)
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
            BufferedWriter copy = Files.newBufferedWriter(out))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                final long now = System.nanoTime();
                if (line.startsWith("RESIZE "))
                {
                    aim(line, now);
                }
                else if (line.startsWith("REKEYED "))
                {
                    rekeys += line.split(" ")[3].equals("true") ? 1 : 0;
                }
                else if (line.startsWith("RESIZED "))
                {
                    resizes++;
                    final String[] fields = line.split(" ");
                    clock.observeResize(Integer.parseInt(fields[2]), Long.parseLong(fields[4]));
                }
                else if (line.startsWith("OPENING"))
                {
                    openingNanos = now;
                    openingDirty = line.startsWith("OPENING dirty");
                }
                else if (line.startsWith("OPEN "))
                {
                    openNanos = now;
                }
                else if (line.startsWith("RECOVERY "))
                {
                    childRecovered = true;
                }
                else if (line.startsWith("ERROR") || line.startsWith("TIMEOUT"))
                {
                    error = line;
                }
                copy.write(line);
                copy.newLine();
            }
        }
        catch (final IOException ex)
        {
            if (!killed.get()) // destroyForcibly closes the streams: after a kill this is the end of the output
            {
                error = "reading the child's output: " + ex;
            }
        }
    }

    /**
     * A "RESIZE segment capacity used [rekey]" line: the child's next call replaces that table (a re-keying put
     * replaces it twice: into a private copy, then into the table of the new value key). Kill inside it if the plan
     * aims at it (a re-key: mostly in its second, re-keying, copy pass); else, if it is large enough to aim at and
     * an insert's, time its copy pass to learn how long the next ones take.
     */
    private void aim(final String line, final long now)
    {
        final String[] fields = line.split(" ");
        final int segment = Integer.parseInt(fields[1]);
        final int capacity = Integer.parseInt(fields[2]);
        final boolean rekey = fields.length > 4 && "rekey".equals(fields[4]);
        if (killed.get() || capacity < KillTorture.MIN_AIM_CAPACITY)
        {
            return;
        }
        if (!plan.aimed() || 0 == openNanos || now < openNanos + plan.armNanos || capacity < plan.minCapacity)
        {
            if (!rekey)
            {
                timeCopy(segment, capacity, now);
            }
            return;
        }
        aimedSegment = segment;
        aimedCapacity = capacity;
        aimedRekey = rekey;
        final long delay;
        final String when;
        if (KillPlan.Kind.AIMED_AT_COPY == plan.kind)
        {
            boolean seen = awaitIntent(segment, now, true);
            if (rekey && seen)
            {
                // the first intent is the copy pass into the private table; the re-keying pass records its own
                seen = awaitIntent(segment, System.nanoTime(), false) && awaitIntent(segment, System.nanoTime(), true);
            }
            when = seen ? "its " + (rekey ? "second (re-keying) " : "") + "intent in the file" :
                "its announcement (intent not seen)";
            delay = (long)(plan.aimFraction * clock.copyNanos(capacity));
        }
        else
        {
            when = "its announcement";
            delay = (long)(plan.aimFraction * clock.resizeNanos(capacity) * (rekey ? 2 : 1));
        }
        LockSupport.parkNanos(delay);
        kill("aimed at the " + (rekey ? "re-keying" : "resize") + " of segment " + segment + " (" + capacity +
            " slots), " + delay / 1000 + " us after " + when);
    }

    /**
     * Measure the copy pass of an announced replacement: how long the segment's Next Table Offset stays set.
     */
    private void timeCopy(final int segment, final int capacity, final long since)
    {
        if (awaitIntent(segment, since, true))
        {
            final long set = System.nanoTime();
            if (awaitIntent(segment, set, false))
            {
                clock.observeCopy(capacity, System.nanoTime() - set);
            }
        }
    }

    /**
     * Poll the segment's Next Table Offset in the file until it is set (the replacement recorded its intent),
     * or cleared again (it finished).
     *
     * @return true if it reached that state within {@link #INTENT_WAIT_NANOS} while the child was alive.
     */
    private boolean awaitIntent(final int segment, final long since, final boolean set)
    {
        try (StoreFile.NextTableWatch watch = new StoreFile.NextTableWatch(store, segment))
        {
            while (System.nanoTime() - since < INTENT_WAIT_NANOS && process.isAlive() && !killed.get())
            {
                if (watch.replacing() == set)
                {
                    return true;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
            return false;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    boolean killed()
    {
        return killed.get();
    }

    boolean aimedKill()
    {
        return killReason.startsWith("aimed");
    }

    String killReason()
    {
        return killReason;
    }

    /** @return true if the child printed OPEN before it died. */
    boolean opened()
    {
        return 0 != openNanos && (!killed.get() || openNanos < killNanos);
    }

    /** @return the segment whose announced resize an aimed kill was aimed at, or -1. */
    int aimedSegment()
    {
        return aimedSegment;
    }

    /** @return the capacity of the table whose replacement an aimed kill was aimed at. */
    int aimedCapacity()
    {
        return aimedCapacity;
    }

    /** @return true if the aimed kill was aimed at a re-keying put's replacements. */
    boolean aimedRekey()
    {
        return aimedRekey;
    }

    /** @return re-keying puts the child reported done that replaced their table. */
    int rekeys()
    {
        return rekeys;
    }

    boolean openingDirty()
    {
        return openingDirty;
    }

    boolean childRecovered()
    {
        return childRecovered;
    }

    int resizes()
    {
        return resizes;
    }

    int exitStatus()
    {
        return process.exitValue();
    }

    /** @return true if the child was killed and died of the SIGKILL (not of something of its own just before). */
    boolean diedOfKill()
    {
        return killed.get() && KILLED_STATUS == process.exitValue();
    }

    /** @return the child's ERROR or TIMEOUT line, or another reason it failed, or null. */
    String error()
    {
        return error;
    }

    /** @return milliseconds from start to the kill (or exit). */
    long lifeMillis()
    {
        return TimeUnit.NANOSECONDS.toMillis((killed.get() ? killNanos : System.nanoTime()) - spawnNanos);
    }

    /**
     * How long a table replacement takes, per slot of the old table: the whole call that replaces it (from the
     * child's RESIZED lines), and its copy pass (Next Table Offset set in the file, timed by {@link #timeCopy}).
     * Each is a quantile ({@link #QUANTILE}) of the last {@value #WINDOW} replacements of at least
     * {@link KillTorture#MIN_AIM_CAPACITY} slots: robust to the outliers of a loaded machine (a writer descheduled
     * in the middle of a copy), and on the short side, so that aimed kills rarely come after the end. The driver
     * keeps one clock per writer count: a second writer that waits for the segment's lock slows the copy down.
     */
    static final class ResizeClock
    {
        static final int WINDOW = 31;
        static final double QUANTILE = 0.3;

        private final double[] resize = new double[WINDOW];
        private final double[] copy = new double[WINDOW];
        private int resizes;
        private int copies;

        synchronized void observeResize(final int capacity, final long micros)
        {
            if (capacity >= KillTorture.MIN_AIM_CAPACITY)
            {
                resize[resizes++ % WINDOW] = micros * 1000.0 / capacity;
            }
        }

        synchronized void observeCopy(final int capacity, final long nanos)
        {
            copy[copies++ % WINDOW] = (double)nanos / capacity;
        }

        synchronized long resizeNanos(final int capacity)
        {
            return (long)(quantile(resize, resizes, 200) * capacity);
        }

        synchronized long copyNanos(final int capacity)
        {
            return (long)(quantile(copy, copies, 100) * capacity);
        }

        private static double quantile(final double[] window, final int count, final double none)
        {
            if (0 == count)
            {
                return none;
            }
            final double[] sorted = Arrays.copyOf(window, Math.min(count, WINDOW));
            Arrays.sort(sorted);
            return sorted[(int)(QUANTILE * sorted.length)];
        }

        @Override
        public synchronized String toString()
        {
            return String.format("resize %.0f ns/slot over the last %d, copy pass %.0f ns/slot over the last %d",
                quantile(resize, resizes, 200), Math.min(resizes, WINDOW), quantile(copy, copies, 100),
                Math.min(copies, WINDOW));
        }
    }
}
