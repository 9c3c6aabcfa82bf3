package io.slotkv.core.jvm;

import io.slotkv.core.ChildJvm;
import io.slotkv.core.memory.AnonymousMemorySpace;
import io.slotkv.core.memory.MappedFileSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void shouldNameTheMappingFlagsWhenOnlyTheOffHeapOneIsGiven() throws Exception
    {
        final Path file = Files.createTempFile("slotkv-flags", ".store");
        Files.delete(file);
        final ChildJvm child = ChildJvm.run(
            List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), UseMappedFile.class, file.toString());
        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"), child.output);
        assertTrue(child.output.contains("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED"), child.output);
        Files.deleteIfExists(file);
    }

    @Test
    void shouldWorkInAChildStartedWithTheLauncherFlags() throws Exception
    {
        final ChildJvm child = ChildJvm.run(JvmAccess.launcherFlags(), UseOffHeapMemory.class);
        assertEquals(0, child.exitCode, child.output);
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
