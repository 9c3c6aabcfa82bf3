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
import java.util.function.Function;

/**
 * Entry point of {@code benchmarks.jar}.
 * <ul>
 * <li>no arguments: the short SlotKV vs ConcurrentHashMap comparison ({@link QuickComparison});</li>
 * <li>{@code footprint <out.json> [entries] [IMPL ...]}: bytes per entry, one JVM per implementation;</li>
 * <li>{@code byte-footprint <out.json> [keys] [IMPL ...]}: bytes per entry of the byte stores, one JVM per
 * implementation ({@link ByteStoreFootprint});</li>
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
        else if ("byte-footprint".equals(args[0]))
        {
            byteFootprint(Arrays.copyOfRange(args, 1, args.length));
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
        final List<String> impls = new ArrayList<>(Arrays.asList(args).subList(Math.min(2, args.length), args.length));
        if (impls.isEmpty())
        {
            Arrays.stream(Implementation.values()).map(Implementation::name).forEach(impls::add);
        }
        impls.forEach(Implementation::valueOf); // fail on a bad name before any JVM starts
        eachInOwnJvm(Footprint.class, args.length > 0 ? args[0] : "footprint.json",
            args.length > 1 ? args[1] : "4194304", impls, impl -> Implementation.valueOf(impl).jvmArgs());
    }

    private static void byteFootprint(final String[] args) throws IOException, InterruptedException
    {
        final List<String> impls = new ArrayList<>(Arrays.asList(args).subList(Math.min(2, args.length), args.length));
        if (impls.isEmpty())
        {
            Arrays.stream(ByteStoreImplementation.values()).map(ByteStoreImplementation::name).forEach(impls::add);
        }
        impls.forEach(ByteStoreImplementation::valueOf); // fail on a bad name before any JVM starts
        eachInOwnJvm(ByteStoreFootprint.class, args.length > 0 ? args[0] : "byte-footprint.json",
            args.length > 1 ? args[1] : "1000000", impls, impl -> List.of());
    }

    /**
     * Run {@code main} once per implementation, each in a fresh JVM with the fork flags, {@code -Xms4g -Xmx4g} and
     * the implementation's own flags, as {@code main IMPL entries}; print each one's last output line (a JSON object)
     * and write them all as a JSON array to {@code out}.
     */
    private static void eachInOwnJvm(final Class<?> main, final String out, final String entries,
        final List<String> impls, final Function<String, List<String>> implJvmArgs)
        throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classPath = System.getProperty("java.class.path");
        final List<String> lines = new ArrayList<>();
        for (final String impl : impls)
        {
            final List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(forkJvmArgs());
            command.addAll(implJvmArgs.apply(impl));
            command.addAll(List.of("-Xms4g", "-Xmx4g", "-cp", classPath, main.getName(), impl, entries));
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final String output = new String(process.getInputStream().readAllBytes()).trim();
            if (0 != process.waitFor())
            {
                throw new IllegalStateException(main.getSimpleName() + " of " + impl + " failed: " + output);
            }
            final String json = output.substring(output.lastIndexOf('\n') + 1);
            System.out.println(json);
            lines.add(json);
        }
        Files.writeString(Path.of(out), "[\n" + String.join(",\n", lines) + "\n]\n");
    }
}
