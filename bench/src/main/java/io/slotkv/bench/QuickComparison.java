package io.slotkv.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;

/**
 * The main job: a short SlotKV vs ConcurrentHashMap run on defaults (1 thread, 1 fork, short iterations,
 * {@value #SIZE} keys, zipfian) printing one side-by-side table with the ratio per workload, each number with JMH's
 * error (on a short run it can reach the size of the ratio itself). It is a smoke-sized
 * comparison; {@code bench/run-full.sh} is the measurement.
 */
final class QuickComparison
{
    static final int SIZE = 1_000_000;

    private static final String[][] WORKLOADS = {
        {"get", "get (YCSB-C)"},
        {"getPut50", "50/50 get/put (YCSB-A)"},
        {"getIncrement50", "50/50 get/increment"},
        {"fill", "insert 0 -> N (grow)"},
    };

    private QuickComparison()
    {
    }

    static void run() throws RunnerException
    {
        final Options options = new OptionsBuilder()
            .include(MapBenchmark.class.getName() + "\\.(get|getPut50|getIncrement50)$")
            .include(GrowBenchmark.class.getName() + "\\.fill$")
            .param("impl", Implementation.SLOTKV.name(), Implementation.CHM.name())
            .param("size", Integer.toString(SIZE))
            .param("distribution", KeyDistribution.ZIPFIAN.name())
            .threads(1)
            .forks(1)
            .warmupIterations(2)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(3)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .jvmArgsAppend(BenchmarksMain.forkJvmArgs().toArray(new String[0]))
            .shouldFailOnError(true)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println(table(results));
    }

    static String table(final Collection<RunResult> results)
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "SlotKV vs ConcurrentHashMap: %,d keys, zipfian 0.99, 1 thread, 1 fork," +
            " 2x1s warmup + 3x1s measurement (grow: 2 + 3 fills); JDK %s%n", SIZE, Runtime.version()));
        out.append(String.format(Locale.ROOT, "%-24s %17s %17s %15s %12s %12s%n",
            "workload", "SlotKV Mops/s", "CHM Mops/s", "ratio", "SlotKV B/op", "CHM B/op"));
        for (final String[] workload : WORKLOADS)
        {
            final RunResult slotkv = find(results, workload[0], Implementation.SLOTKV);
            final RunResult chm = find(results, workload[0], Implementation.CHM);
            if (null == slotkv || null == chm)
            {
                out.append(String.format(Locale.ROOT, "%-24s %s%n", workload[1], "(missing: a benchmark failed)"));
                continue;
            }
            out.append(row(workload[1], opsPerMicro(slotkv), opsPerMicroError(slotkv), opsPerMicro(chm),
                opsPerMicroError(chm), bytesPerOp(slotkv), bytesPerOp(chm)));
        }
        out.append("Mops/s = operations per microsecond, ± JMH's 99.9% confidence error; B/op from -prof gc ")
            .append("(gc.alloc.rate.norm);").append(System.lineSeparator())
            .append("ratio = SlotKV / ConcurrentHashMap throughput, ± the two relative errors combined in quadrature. ")
            .append("A short run: read the ratios as ranges.");
        return out.toString();
    }

    /**
     * One line of the table.
     *
     * @param label  of the workload.
     * @param a      SlotKV throughput, ops/us.
     * @param aError JMH's error of {@code a} (NaN if JMH gave none).
     * @param b      ConcurrentHashMap throughput, ops/us.
     * @param bError JMH's error of {@code b}.
     * @param aBytes SlotKV bytes allocated per operation.
     * @param bBytes ConcurrentHashMap bytes allocated per operation.
     * @return the line, with its line separator.
     */
    static String row(
        final String label,
        final double a,
        final double aError,
        final double b,
        final double bError,
        final double aBytes,
        final double bBytes)
    {
        final double ratio = a / b;
        return String.format(Locale.ROOT, "%-24s %8.2f ± %6.2f %8.2f ± %6.2f %6.2fx ± %5.2f %12.1f %12.1f%n",
            label, a, aError, b, bError, ratio, ratioError(a, aError, b, bError), aBytes, bBytes);
    }

    /**
     * @return the error of {@code a / b}: the ratio times the relative errors of {@code a} and {@code b} added in
     * quadrature (first-order propagation); NaN if either error is.
     */
    static double ratioError(final double a, final double aError, final double b, final double bError)
    {
        final double relA = aError / a;
        final double relB = bError / b;
        return (a / b) * Math.sqrt(relA * relA + relB * relB);
    }

    private static RunResult find(final Collection<RunResult> results, final String method, final Implementation impl)
    {
        for (final RunResult result : results)
        {
            final String benchmark = result.getParams().getBenchmark();
            if (benchmark.endsWith("." + method) && impl.name().equals(result.getParams().getParam("impl")))
            {
                return result;
            }
        }
        return null;
    }

    /** Throughput in ops/us; a grow run's single-shot score (ms per fill) becomes inserts/us. */
    private static double opsPerMicro(final RunResult result)
    {
        final Result<?> primary = result.getPrimaryResult();
        if (result.getParams().getBenchmark().endsWith(".fill"))
        {
            return SIZE / (primary.getScore() * 1000.0);
        }
        return primary.getScore();
    }

    /** JMH's error of {@link #opsPerMicro}: for a grow run the relative error of its time per fill. */
    private static double opsPerMicroError(final RunResult result)
    {
        final Result<?> primary = result.getPrimaryResult();
        if (result.getParams().getBenchmark().endsWith(".fill"))
        {
            return opsPerMicro(result) * primary.getScoreError() / primary.getScore();
        }
        return primary.getScoreError();
    }

    private static double bytesPerOp(final RunResult result)
    {
        for (final String label : result.getSecondaryResults().keySet())
        {
            if (label.endsWith("gc.alloc.rate.norm"))
            {
                final double bytes = result.getSecondaryResults().get(label).getScore();
                return result.getParams().getBenchmark().endsWith(".fill") ? bytes / SIZE : bytes;
            }
        }
        return Double.NaN;
    }
}
