package io.slotkv.stress;

import io.slotkv.core.jvm.JvmAccess;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Main class of {@code stress/target/jcstress.jar}: jcstress's own command line, plus two things jcstress 0.16
 * does not do by itself.
 * <ol>
 *   <li>Every forked test JVM gets the flags SlotKV needs ({@link JvmAccess#launcherFlags()}, passed as
 *       {@code -jvmArgsPrepend}), so {@code java -jar stress/target/jcstress.jar -m sanity} needs no flags typed on
 *       JDK 17 or JDK 25. The host JVM gets its flags from the jar manifest.</li>
 *   <li>The exit status is the verdict. jcstress 0.16 exits 0 even when a test saw a FORBIDDEN outcome or failed
 *       with an error; this launcher reads the result file back and exits 1 if any test failed, errored, timed out,
 *       crashed its VM, or produced no result at all, and 0 only if every selected test passed. A listing
 *       ({@code -l}) that finds no test exits 1 too: it means the annotation processor did not run.</li>
 * </ol>
 */
public final class StressMain
{
    private static final String PREPEND = "-jvmArgsPrepend";

    private StressMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String[] argv = withSlotKvFlags(args);
        System.out.println("SlotKV jcstress suite (jcstress 0.16); forked JVMs start with: " + forkFlags());
        System.out.println();

        final Options options = new Options(argv);
        if (!options.parse())
        {
            System.exit(Arrays.asList(args).contains("-h") ? 0 : 1);
        }
        final JCStress jcstress = new JCStress(options);
        if (options.shouldList())
        {
            final SortedSet<String> tests = jcstress.getTests();
            tests.forEach(System.out::println);
            if (tests.isEmpty())
            {
                System.err.println("No jcstress tests match: the jar was built without the jcstress annotation " +
                    "processor, or the -t filter matches nothing.");
                System.exit(1);
            }
            System.exit(0);
        }
        final SortedSet<String> selected = options.shouldParse() ? new TreeSet<>() : jcstress.getTests();
        if (options.shouldParse())
        {
            jcstress.parseResults();
        }
        else
        {
            if (selected.isEmpty())
            {
                System.err.println("No jcstress tests match the selection: nothing to run.");
                System.exit(1);
            }
            jcstress.run();
        }
        System.exit(verdict(options.getResultFile(), selected));
    }

    /**
     * The flags every forked JVM gets: SlotKV's module flags, and no Chronicle analytics.
     */
    static String forkFlags()
    {
        final List<String> flags = new ArrayList<>(JvmAccess.launcherFlags());
        flags.add("-Dchronicle.analytics.disable=true");
        return String.join(" ", flags);
    }

    /**
     * @return {@code args} with SlotKV's flags in front of any {@code -jvmArgsPrepend} the user gave, or a new one.
     */
    static String[] withSlotKvFlags(final String[] args)
    {
        final List<String> result = new ArrayList<>(Arrays.asList(args));
        final int prepend = result.indexOf(PREPEND);
        if (prepend >= 0 && prepend + 1 < result.size())
        {
            result.set(prepend + 1, forkFlags() + " " + result.get(prepend + 1));
        }
        else
        {
            result.add(PREPEND);
            result.add(forkFlags());
        }
        return result.toArray(new String[0]);
    }

    /**
     * Read the results jcstress wrote, grade them the way its report does, and print samples per test (summed over
     * the JVM configurations jcstress ran it in) and the results that failed.
     *
     * @return 0 if every result passed and every selected test has one, else 1.
     */
    static int verdict(final String resultFile, final SortedSet<String> selected) throws Exception
    {
        final InProcessCollector results = new InProcessCollector();
        final DiskReadCollector reader = new DiskReadCollector(resultFile, results);
        try
        {
            reader.dump();
        }
        finally
        {
            reader.close();
        }

        final List<String> failures = new ArrayList<>();
        final SortedSet<String> seen = new TreeSet<>();
        final Map<String, long[]> perTest = new TreeMap<>(); // name -> {samples, results, failed results}
        long samples = 0;
        for (final TestResult result : results.getTestResults())
        {
            seen.add(result.getName());
            samples += result.getTotalCount();
            final long[] counts = perTest.computeIfAbsent(result.getName(), name -> new long[3]);
            counts[0] += result.getTotalCount();
            counts[1]++;
            final boolean failed = Status.NORMAL != result.status() || !result.grading().isPassed;
            counts[2] += failed ? 1 : 0;
            if (Status.NORMAL != result.status())
            {
                failures.add(result.getName() + ": " + result.status() + " " + result.getMessages());
            }
            else if (!result.grading().isPassed)
            {
                failures.add(result.getName() + ": FAILED " + result.grading().failureMessages);
            }
        }
        for (final String test : selected)
        {
            if (!seen.contains(test))
            {
                failures.add(test + ": no result");
            }
        }
        if (seen.isEmpty())
        {
            failures.add("no results in " + resultFile);
        }

        System.out.println();
        System.out.printf("%-70s %14s %8s %7s%n", "TEST", "SAMPLES", "RESULTS", "FAILED");
        perTest.forEach((name, counts) ->
            System.out.printf("%-70s %,14d %8d %7d%n", name, counts[0], counts[1], counts[2]));
        System.out.println();
        System.out.printf("SlotKV verdict: %d tests, %d results, %,d samples, %d failed%n",
            seen.size(), results.getTestResults().size(), samples, failures.size());
        for (final String failure : failures)
        {
            System.out.println("  FAILED " + failure);
        }
        System.out.println(failures.isEmpty() ? "PASSED" : "FAILED (see the report above and results/index.html)");
        return failures.isEmpty() ? 0 : 1;
    }
}
