package io.slotkv.map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer on the module path: a module {@code app} that {@code requires io.slotkv.map}, compiled and run
 * against the packaged jars (the build writes the runtime class path of this module to
 * {@code target/module-path.txt} and passes the path of this module's jar), with the flags
 * docs/getting-started.md gives for the module path. Runs in the integration-test phase, after the jars exist.
 */
class ModulePathIT
{
    private static final boolean JDK_24_OR_LATER = Runtime.version().feature() >= 24;

    @TempDir
    static Path dir;

    private static String modulePath;
    private static Path app;

    @BeforeAll
    static void compileTheConsumer() throws IOException
    {
        final List<String> jars = new ArrayList<>();
        jars.add(System.getProperty("slotkv.map.jar"));
        jars.addAll(List.of(Files.readString(Path.of(System.getProperty("slotkv.module.path.file"))).trim()
            .split(File.pathSeparator)));
        for (final String jar : jars)
        {
            assertTrue(jar.endsWith(".jar") && Files.isRegularFile(Path.of(jar)), "not a packaged jar: " + jar);
        }
        modulePath = String.join(File.pathSeparator, jars);

        final Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { requires io.slotkv.map; }\n");
        Files.writeString(src.resolve("app/Main.java"), String.join("\n",
            "package app;",
            "public final class Main {",
            "    public static void main(final String[] args) {",
            "        try (io.slotkv.map.OffHeapLongLongMap map = io.slotkv.map.OffHeapLongLongMap.builder()",
            "                .file(java.nio.file.Path.of(args[0])).build()) {",
            "            map.put(42, 7);",
            "            System.out.println(\"value=\" + map.incrementAndGet(42));",
            "            for (long k = 100; k < 20_000; k++) map.put(k, k); // resizes: the JFR events' guard",
            "            System.out.println(\"resized=\" + (map.statistics().resizes() > 0));",
            "        }",
            "        try (io.slotkv.map.OffHeapLongLongMap named = io.slotkv.map.OffHeapLongLongMap.builder()",
            "                .registerMBean(true).build()) {",
            "            System.out.println(\"mbean=registered\");",
            "        } catch (IllegalStateException refused) {",
            "            System.out.println(\"mbean=\" + refused.getMessage());",
            "        }",
            "        System.out.println(\"modules=\" + io.slotkv.map.OffHeapLongLongMap.class.getModule().getName() +",
            "            \",\" + io.slotkv.core.jvm.JvmAccess.class.getModule().getName());",
            "    }",
            "}",
            ""));
        app = dir.resolve("app");
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final int rc = javac.run(null, null, null, "--module-path", modulePath, "-d", app.toString(),
            src.resolve("module-info.java").toString(), src.resolve("app/Main.java").toString());
        assertEquals(0, rc, "javac of the consumer module");
    }

    @Test
    void shouldOpenAStoreFromANamedModuleWithTheModulePathFlags() throws Exception
    {
        final List<String> flags = new ArrayList<>(List.of(
            "--add-exports=java.base/jdk.internal.misc=org.agrona",
            "--add-modules=org.slf4j,org.objectweb.asm,jdk.unsupported"));
        if (JDK_24_OR_LATER)
        {
            flags.add("--enable-native-access=org.jnrproject.jffi,com.sun.jna");
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        final Result result = run(flags);
        assertEquals(0, result.exitCode, result.output);
        assertTrue(result.output.contains("value=8"), result.output);
        assertTrue(result.output.contains("resized=true"), result.output);
        assertTrue(result.output.contains("mbean=registered"), result.output);
        assertTrue(result.output.contains("modules=io.slotkv.map,io.slotkv.core"), result.output);
        assertFalse(result.output.contains("WARNING"), "the JDK's warnings name a flag this test should pass:\n" +
            result.output);
    }

    @Test
    void shouldNameTheModuleTargetsWhenGivenTheClassPathFlags() throws Exception
    {
        final Result result = run(List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"));
        assertNotEquals(0, result.exitCode, result.output);
        assertTrue(result.output.contains("IllegalStateException: SlotKV needs JVM flags this JVM was started " +
            "without: --add-exports=java.base/jdk.internal.misc=org.agrona"), result.output);
        assertTrue(result.output.contains("--add-modules=org.slf4j,org.objectweb.asm,jdk.unsupported"),
            result.output);
    }

    @Test
    void shouldNameTheModulesTheAutomaticModulesCannotDeclare() throws Exception
    {
        final Result result = run(List.of("--add-exports=java.base/jdk.internal.misc=org.agrona"));
        assertNotEquals(0, result.exitCode, result.output);
        assertTrue(result.output.contains("IllegalStateException: SlotKV needs modules this JVM did not resolve: " +
            "org.slf4j,org.objectweb.asm,jdk.unsupported"), result.output);
        assertFalse(result.output.contains("PosixRuntimeException"), result.output);
    }

    private static Result run(final List<String> flags) throws Exception
    {
        final Path store = Files.createTempDirectory(dir, "store").resolve("app.store");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("--module-path");
        command.add(app + File.pathSeparator + modulePath);
        command.add("-m");
        command.add("app/app.Main");
        command.add(store.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("consumer JVM did not finish: " + command + "\n" + output);
        }
        return new Result(process.exitValue(), command + "\n" + output);
    }

    private static final class Result
    {
        final int exitCode;
        final String output;

        Result(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }
    }
}
