package io.slotkv.core.jvm;

import io.slotkv.core.ChildJvm;
import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.MappedFileSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JvmAccessTest
{
    @Test
    void shouldReadTheFlagsTheBuildFilledIn()
    {
        assertTrue(JvmAccess.requiredFlags().contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"),
            JvmAccess.requiredFlags().toString());
        for (final String flag : JvmAccess.requiredFlags())
        {
            assertTrue(flag.matches("--add-(exports|opens)=java\\.base/[a-z.]+=ALL-UNNAMED"), flag);
        }
        assertEquals("-XX:+IgnoreUnrecognizedVMOptions", JvmAccess.newJdkFlags().get(0));
    }

    @Test
    void shouldFindNothingMissingInAJvmStartedByTheBuild()
    {
        assertEquals(List.of(), JvmAccess.missing(JvmAccess.requiredFlags()));
    }

    @Test
    void shouldNameTheExactFlagsWhenStartedWithoutThem() throws Exception
    {
        final ChildJvm child = ChildJvm.run(List.of(), UseOffHeapMemory.class);
        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("IllegalStateException: SlotKV needs JVM flags"), child.output);
        assertTrue(child.output.contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), child.output);
        assertTrue(!child.output.contains("IllegalAccessError"), child.output);
    }

    @Test
    void shouldMapAStoreFileWithTheRequiredFlagsAlone() throws Exception
    {
        final Path file = tempStorePath();
        final List<String> flags = new ArrayList<>(JvmAccess.requiredFlags());
        flags.add("-XX:+IgnoreUnrecognizedVMOptions");
        flags.add("--illegal-native-access=warn"); // JDK 24+: warnings, never a refusal, without the new flags
        final ChildJvm child = ChildJvm.run(flags, UseMappedFile.class, file.toString());
        assertEquals(0, child.exitCode, child.output);
        Files.deleteIfExists(file);
    }

    @Test
    void shouldMapAStoreFileWithoutAnyJdkWarningWhenStartedWithTheLauncherFlags() throws Exception
    {
        final Path file = tempStorePath();
        final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), UseMappedFile.class, file.toString());
        assertEquals(0, child.exitCode, child.output);
        assertFalse(child.output.contains("WARNING"), child.output);
        Files.deleteIfExists(file);
    }

    @Test
    void shouldRefuseStoreFilesInOneMessageWhenUnsafeMemoryAccessIsDenied() throws Exception
    {
        assumeTrue(Runtime.version().feature() >= 24, "--sun-misc-unsafe-memory-access is a JDK 23+ option");
        final Path file = tempStorePath();
        final List<String> flags = new ArrayList<>(JvmAccess.requiredFlags());
        flags.add("--enable-native-access=ALL-UNNAMED");
        flags.add("--sun-misc-unsafe-memory-access=deny");
        final ChildJvm child = ChildJvm.run(flags, UseMappedFile.class, file.toString());
        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("IllegalStateException: SlotKV cannot map memory in a JVM started with " +
            "--sun-misc-unsafe-memory-access=deny"), child.output);
        assertFalse(child.output.contains("ExceptionInInitializerError"), child.output);
        assertFalse(child.output.contains("PosixRuntimeException"), child.output);
        assertFalse(Files.exists(file), "a refused open creates nothing");
    }

    @Test
    void shouldRefuseAnonymousMemoryInOneMessageWhenUnsafeMemoryAccessIsDenied() throws Exception
    {
        assumeTrue(Runtime.version().feature() >= 24, "--sun-misc-unsafe-memory-access is a JDK 23+ option");
        final List<String> flags = new ArrayList<>(JvmAccess.requiredFlags());
        flags.add("--enable-native-access=ALL-UNNAMED");
        flags.add("--sun-misc-unsafe-memory-access=deny");
        final ChildJvm child = ChildJvm.run(flags, UseOffHeapMemory.class);
        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("IllegalStateException: SlotKV cannot map memory in a JVM started with " +
            "--sun-misc-unsafe-memory-access=deny"), child.output);
        assertFalse(child.output.contains("PosixRuntimeException"), child.output);
    }

    @Test
    void shouldNameTheNativeAccessFlagWhenIllegalNativeAccessIsDenied() throws Exception
    {
        assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access is a JDK 24+ option");
        final Path file = tempStorePath();
        final List<String> flags = new ArrayList<>(JvmAccess.requiredFlags());
        flags.add("--sun-misc-unsafe-memory-access=allow");
        flags.add("--illegal-native-access=deny");
        final ChildJvm child = ChildJvm.run(flags, UseMappedFile.class, file.toString());
        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("IllegalStateException: SlotKV cannot map memory in a JVM started with " +
            "--illegal-native-access=deny"), child.output);
        assertTrue(child.output.contains("add --enable-native-access=ALL-UNNAMED"), child.output);
        assertFalse(Files.exists(file), "a refused open creates nothing");
    }

    @Test
    void shouldRefuseOnlyWhatADenySettingForbids()
    {
        assertNull(JvmAccess.nativeMemoryRefusal(17, null, null, List.of()));
        assertNull(JvmAccess.nativeMemoryRefusal(25, null, null, List.of("ALL-UNNAMED")), "warn: the JDK's warnings");
        assertNull(JvmAccess.nativeMemoryRefusal(25, "allow", "deny", List.of()), "native access granted");
        assertNull(JvmAccess.nativeMemoryRefusal(25, "warn", "warn", List.of("ALL-UNNAMED")));
        assertTrue(JvmAccess.nativeMemoryRefusal(25, "deny", null, List.of())
            .contains("--sun-misc-unsafe-memory-access=allow"));
        final String nativeRefusal = JvmAccess.nativeMemoryRefusal(
            25, "allow", "deny", List.of("org.jnrproject.jffi", "com.sun.jna"));
        assertTrue(nativeRefusal.contains("--enable-native-access=org.jnrproject.jffi,com.sun.jna"), nativeRefusal);
    }

    @Test
    void shouldNameAllUnnamedTargetsOnTheClassPath()
    {
        for (final String flag : JvmAccess.requiredFlagsForThisJvm())
        {
            assertTrue(flag.endsWith("=ALL-UNNAMED") || flag.startsWith("--sun-misc-unsafe-memory-access"), flag);
        }
        assertEquals(Runtime.version().feature() >= 24,
            JvmAccess.requiredFlagsForThisJvm().contains("--sun-misc-unsafe-memory-access=allow"));
    }

    @Test
    void shouldWorkInAChildStartedWithTheLauncherFlags() throws Exception
    {
        final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), UseOffHeapMemory.class);
        assertEquals(0, child.exitCode, child.output);
    }

    private static Path tempStorePath() throws Exception
    {
        final Path file = Files.createTempFile("slotkv-flags", ".store");
        Files.delete(file);
        return file;
    }

    public static final class UseOffHeapMemory
    {
        public static void main(final String[] args)
        {
            new AnonymousMemorySpace().allocate(64).putLong(0, 1);
        }
    }

    public static final class UseMappedFile
    {
        public static void main(final String[] args)
        {
            MappedFileSpace.open(Path.of(args[0])).close();
        }
    }
}
