package io.slotkv.bench;

import io.slotkv.core.jvm.JvmAccess;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Entry point of {@code benchmarks.jar}.
 * <ul>
 * <li>no arguments: the short SlotKV vs ConcurrentHashMap comparison ({@link QuickComparison});</li>
 * <li>{@code footprint <out.json> [entries] [IMPL ...]}: bytes per entry, one JVM per implementation;</li>
 * <li>{@code growth-read-latency [impl] [size] [rounds] [out]}: get latency while the map grows
 * ({@link GrowthReadLatency});</li>
 * <li>{@code report <docs/bench dir> <benchmarks.md>}: tables and charts from the JSON results;</li>
 * <li>anything else: JMH's own command line ({@code -l}, {@code -h}, a regex, {@code -p}, {@code -prof}, ...),
 * with the JVM flags SlotKV, Agrona and Chronicle need appended to every forked JVM.</li>
 * </ul>
 */
public final class BenchmarksMain
{
    private BenchmarksMain()
    {
    }

    /**
     * What Chronicle Map needs beyond SlotKV's flags (runtime compiler, reflection, analytics off): the bench pom's
     * {@code bench.chronicle.flags}, filtered into {@code competitor-flags.properties}.
     */
    static final List<String> CHRONICLE_MAP_FLAGS = competitorFlags("chronicle");

    /**
     * @return the arguments appended to every forked benchmark JVM: the module flags from the parent pom (via
     * {@link JvmAccess#launcherFlags()}) and Chronicle Map's extra flags. Nothing else: the benchmarks run with the
     * defaults a user gets (Agrona's bounds checks on).
     */
    public static List<String> forkJvmArgs()
    {
        final List<String> args = new ArrayList<>(JvmAccess.launcherFlags());
        args.addAll(CHRONICLE_MAP_FLAGS);
        return args;
    }

    private static List<String> competitorFlags(final String name)
    {
        final Properties properties = new Properties();
        try (InputStream in = BenchmarksMain.class.getResourceAsStream("competitor-flags.properties"))
        {
            if (null == in)
            {
                throw new IllegalStateException("competitor-flags.properties missing from benchmarks.jar");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String flags = properties.getProperty(name, "");
        if (flags.isBlank() || flags.contains("${"))
        {
            throw new IllegalStateException("competitor flags were not filled in by the build: " + name + "=" + flags);
        }
        return List.of(flags.trim().split("\\s+"));
    }

    public static void main(final String[] args) throws Exception
    {
        if (0 == args.length)
        {
            QuickComparison.run();
        }
        else if ("footprint".equals(args[0]))
        {
            footprint(Arrays.copyOfRange(args, 1, args.length));
        }
        else if ("growth-read-latency".equals(args[0]))
        {
            GrowthReadLatency.main(Arrays.copyOfRange(args, 1, args.length));
        }
        else if ("report".equals(args[0]))
        {
            BenchmarkReport.main(Arrays.copyOfRange(args, 1, args.length));
        }
        else
        {
            jmh(args);
        }
    }

    private static void jmh(final String[] args) throws RunnerException, IOException
    {
        final CommandLineOptions cmd;
        try
        {
            cmd = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line: " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers() ||
            cmd.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        final List<String> append = new ArrayList<>(forkJvmArgs());
        if (cmd.getJvmArgsAppend().hasValue())
        {
            append.addAll(cmd.getJvmArgsAppend().get());
        }
        final Options options = new OptionsBuilder()
            .parent(cmd)
            .jvmArgsAppend(append.toArray(new String[0]))
            .build();
        new Runner(options).run();
    }

    private static void footprint(final String[] args) throws IOException, InterruptedException
    {
        final Path out = Path.of(args.length > 0 ? args[0] : "footprint.json");
        final String entries = args.length > 1 ? args[1] : "4194304";
        final List<Implementation> impls = new ArrayList<>();
        for (int i = 2; i < args.length; i++)
        {
            impls.add(Implementation.valueOf(args[i]));
        }
        if (impls.isEmpty())
        {
            impls.addAll(Arrays.asList(Implementation.values()));
        }
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classPath = System.getProperty("java.class.path");
        final List<String> lines = new ArrayList<>();
        for (final Implementation impl : impls)
        {
            final List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(forkJvmArgs());
            command.addAll(impl.jvmArgs());
            command.addAll(List.of("-Xms4g", "-Xmx4g", "-cp", classPath, Footprint.class.getName(),
                impl.name(), entries));
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final String output = new String(process.getInputStream().readAllBytes()).trim();
            if (0 != process.waitFor())
            {
                throw new IllegalStateException("footprint of " + impl + " failed: " + output);
            }
            final String json = output.substring(output.lastIndexOf('\n') + 1);
            System.out.println(json);
            lines.add(json);
        }
        Files.writeString(out, "[\n" + String.join(",\n", lines) + "\n]\n");
    }
}
