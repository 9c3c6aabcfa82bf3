package io.slotkv.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a new JVM, for what one JVM cannot show about itself: startup
 * without flags, or a file lock held by another process.
 */
public final class ChildJvm
{
    public final int exitCode;
    public final String output;

    private ChildJvm(final int exitCode, final String output)
    {
        this.exitCode = exitCode;
        this.output = output;
    }

    public static ChildJvm run(final List<String> jvmFlags, final Class<?> main, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("child JVM did not finish: " + command + "\n" + output);
        }
        return new ChildJvm(process.exitValue(), output);
    }
}
