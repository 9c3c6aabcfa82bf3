package io.slotkv.map;

import io.slotkv.core.jvm.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What opening a store file, or building an anonymous map, does to the JVM beyond the map itself, as
 * docs/getting-started.md ("Side effects") states it: measured in a child JVM whose working directory (and its
 * parent) hold a {@code system.properties}, which Chronicle Core used to load into the System properties.
 */
class DependencySideEffectsTest
{
    /** The System properties JNA sets when it loads (its native stub, the library search path). */
    private static final Set<String> JNA_PROPERTIES = Set.of("jnidispatch.path", "jna.loaded", "jna.platform.library.path");

    @TempDir
    Path dir;

    @Test
    void shouldLoadNoSystemPropertiesFileAndStartOnlyTheDocumentedThreads() throws Exception
    {
        final String out = runProbe(List.of(), dir.resolve("probe.store").toString());
        assertTrue(out.contains("threads=[Cleaner-0(daemon), process reaper(daemon)]"), out);
        assertTrue(out.contains("changed=" + new TreeSet<>(JNA_PROPERTIES)), out);
        assertTrue(out.contains("marker=null"), out);
        assertTrue(out.contains("stdout=[]"), out);
        assertTrue(out.contains("stderr=[SLF4J(W): No SLF4J providers were found."), out);
    }

    @Test
    void shouldHaveOnlyJnasEffectsForAnAnonymousMap() throws Exception
    {
        // anonymous memory calls mmap through JNA only: Chronicle's posix (and with it jnr-ffi and SLF4J) never loads
        final String out = runProbe(List.of(), "anonymous");
        assertTrue(out.contains("threads=[Cleaner-0(daemon), process reaper(daemon)]"), out);
        assertTrue(out.contains("changed=" + new TreeSet<>(JNA_PROPERTIES)), out);
        assertTrue(out.contains("stdout=[]"), out);
        assertTrue(out.contains("stderr=[]"), out);
    }

    @Test
    void shouldBeSilentWithTheDocumentedSwitches() throws Exception
    {
        final String out = runProbe(List.of(
            "-Dslf4j.internal.verbosity=ERROR", "-Djna.platform.library.path=/usr/lib/x86_64-linux-gnu:/lib64:/lib"),
            dir.resolve("probe.store").toString());
        assertTrue(out.contains("threads=[Cleaner-0(daemon)]"), out);
        assertTrue(out.contains("stdout=[]"), out);
        assertTrue(out.contains("stderr=[]"), out);
        assertTrue(out.contains("marker=null"), out);
    }

    private String runProbe(final List<String> properties, final String store) throws Exception
    {
        final Path work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(dir.resolve("system.properties"), "slotkv.side.effect.marker=parent\n");
        Files.writeString(work.resolve("system.properties"), "slotkv.side.effect.marker=cwd\n");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmAccess.launcherFlags());
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Probe.class.getName());
        command.add(store);
        final Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    /**
     * Opens, writes and closes a store (or, given "anonymous", an anonymous map); prints new threads, changed
     * properties and what went to stdout/stderr.
     */
    public static final class Probe
    {
        public static void main(final String[] args) throws Exception
        {
            final PrintStream realOut = System.out;
            final PrintStream realErr = System.err;
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final Properties before = (Properties)System.getProperties().clone();
            final Set<String> threadsBefore = threads();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final OffHeapLongLongMap.Builder builder = OffHeapLongLongMap.builder();
            if (!"anonymous".equals(args[0]))
            {
                builder.file(Path.of(args[0]));
            }
            try (OffHeapLongLongMap map = builder.build())
            {
                map.put(1, 2);
            }
            finally
            {
                System.setOut(realOut);
                System.setErr(realErr);
            }
            final Set<String> started = threads();
            started.removeAll(threadsBefore);
            final Set<String> changed = new TreeSet<>();
            for (final String key : System.getProperties().stringPropertyNames())
            {
                if (!Objects.equals(before.getProperty(key), System.getProperty(key)))
                {
                    changed.add(key);
                }
            }
            System.out.println("threads=" + started);
            System.out.println("changed=" + changed);
            System.out.println("marker=" + System.getProperty("slotkv.side.effect.marker"));
            System.out.println("stdout=[" + out.toString(StandardCharsets.UTF_8) + "]");
            System.out.println("stderr=[" + err.toString(StandardCharsets.UTF_8) + "]");
        }

        private static Set<String> threads()
        {
            final Set<String> names = new TreeSet<>();
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                names.add(thread.getName() + (thread.isDaemon() ? "(daemon)" : ""));
            }
            return names;
        }
    }
}
