package io.slotkv.stress.fuzz;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The child JVM of a fuzz run: judges mutated files {@code [from, to)} of one arm, one at a time, each in a worker
 * thread under a time limit, and reports each on its standard output (the parent, {@link StoreFuzzer}, reads it):
 * <pre>
 *   BEGIN   index
 *   RESULT  index outcome flags seed family damage regions description detail     (tab-separated, one line)
 *   DONE
 * </pre>
 * A file over the time limit is reported as a hang, with the worker's stack, and the JVM halts (the stuck thread
 * cannot be stopped and may hold the file): the parent starts a new child at the next file. So does an
 * OutOfMemoryError. A JVM crash shows as a BEGIN without its RESULT.
 * <p>
 * Arguments: {@code SEED_DIR WORK_DIR ARM MASTER_SEED FROM TO TIMEOUT_MILLIS [SELF_TESTS]}.
 */
public final class FuzzWorker
{
    static final int EXIT_HANG = 3;
    static final int EXIT_OOM = 4;
    static final int EXIT_HARNESS = 2;
    private static final int FILES_PER_GC = 200;

    /** Held, or the logger (and its level) could be collected. */
    private static final Logger SLOTKV_LOGGER = Logger.getLogger("io.slotkv");

    private FuzzWorker()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        SLOTKV_LOGGER.setLevel(Level.OFF); // every recovery logs its report: the parent counts them instead
        final Path seedDir = Paths.get(args[0]);
        final Path workDir = Paths.get(args[1]);
        final Arm arm = Arm.of(args[2]);
        final long masterSeed = Long.parseLong(args[3]);
        final long from = Long.parseLong(args[4]);
        final long to = Long.parseLong(args[5]);
        final long timeoutMillis = Long.parseLong(args[6]);
        final Set<String> selfTests = args.length > 7 && !args[7].isEmpty() ?
            new HashSet<>(Arrays.asList(args[7].split(","))) : Set.of();
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

        final List<Seed> seeds = Seed.loadAll(seedDir);
        final Mutator mutator = new Mutator(seeds);
        final FileCheck check = new FileCheck(arm, selfTests);
        final Thread[] worker = new Thread[1];
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "fuzz-check-" + arm.label);
            thread.setDaemon(true);
            worker[0] = thread;
            return thread;
        });
        for (long index = from; index < to; index++)
        {
            out.println("BEGIN\t" + index);
            final Mutation mutation;
            try
            {
                mutation = mutator.mutate(masterSeed, index);
            }
            catch (final RuntimeException ex)
            {
                out.println("ERROR\t" + index + "\t" + Bytes.oneLine("harness (mutator): " + FileCheck.stack(ex)));
                continue;
            }
            final Path file = workDir.resolve(arm.label + "-" + index + ".slotkv");
            final Future<FileCheck.Result> future = executor.submit(() -> check.run(file, mutation));
            FileCheck.Result result;
            try
            {
                result = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException ex)
            {
                final StringBuilder stack = new StringBuilder("no verdict after " + timeoutMillis + " ms; the " +
                    "check thread is at:");
                for (final StackTraceElement frame : worker[0].getStackTrace())
                {
                    stack.append("\n\tat ").append(frame);
                }
                report(out, mutation, new FileCheck.Result(Outcome.HANG, Set.of(), stack.toString()));
                out.flush();
                Runtime.getRuntime().halt(EXIT_HANG);
                return;
            }
            catch (final ExecutionException ex)
            {
                final Throwable cause = ex.getCause();
                if (cause instanceof OutOfMemoryError)
                {
                    result = new FileCheck.Result(Outcome.OOM, Set.of(), FileCheck.stack(cause));
                }
                else
                {
                    out.println("ERROR\t" + index + "\t" + Bytes.oneLine("harness: " + FileCheck.stack(cause)));
                    out.flush();
                    Runtime.getRuntime().halt(EXIT_HARNESS);
                    return;
                }
            }
            report(out, mutation, result);
            Files.deleteIfExists(file);
            if (Outcome.OOM == result.outcome)
            {
                out.flush();
                Runtime.getRuntime().halt(EXIT_OOM); // a fresh heap for the next file
            }
            if ((index - from) % FILES_PER_GC == FILES_PER_GC - 1)
            {
                System.gc(); // closed stores are unmapped by cleaners: keep the process's mappings few
            }
        }
        out.println("DONE");
        out.flush();
        executor.shutdownNow();
    }

    private static void report(final PrintStream out, final Mutation mutation, final FileCheck.Result result)
    {
        out.println("RESULT\t" + mutation.index + '\t' + result.outcome.name() + '\t' +
            String.join(",", result.flags) + '\t' + mutation.seed.name + '\t' + mutation.family + '\t' +
            mutation.damage + '\t' + mutation.regions() + '\t' +
            Bytes.oneLine(mutation.description) + '\t' + Bytes.oneLine(result.detail));
    }
}
