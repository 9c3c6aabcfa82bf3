package io.slotkv.map;

import io.slotkv.core.memory.DiskFullException;
import io.slotkv.core.memory.OpenMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store file on a small tmpfs that fills up: growth fails with {@link DiskFullException} before anything is
 * frozen (disk space is reserved with fallocate before memory is touched), the map stays readable and writable for
 * existing keys, and nothing acknowledged is lost, across a close that cannot fence and the recovery after it.
 * Before reservation, a full disk under a sparse file was a SIGBUS in a put ({@code java.lang.InternalError}, once
 * the end of the JVM). Needs permission to mount a tmpfs; skipped, with the reason printed, where there is none.
 */
class DiskFullTest
{
    @TempDir
    Path dir;

    private Path mount;

    @BeforeEach
    void mountSmallTmpfs() throws Exception
    {
        mount = dir.resolve("tmpfs");
        java.nio.file.Files.createDirectories(mount);
        final String output = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString());
        if (null != output)
        {
            System.out.println("DiskFullTest skipped: cannot mount a tmpfs here (" + output.trim() + ")");
            mount = null;
            Assumptions.abort("cannot mount a tmpfs: " + output.trim());
        }
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (null != mount)
        {
            run("umount", "-l", mount.toString()); // lazy: the JVM may still map the file until its cleaner runs
        }
    }

    @Test
    void shouldFailGrowthWithAClearExceptionAndLoseNothing() throws Exception
    {
        final Path ballast = mount.resolve("ballast");
        java.nio.file.Files.write(ballast, new byte[3 << 20]); // freed later, to show the map recovers its footing
        final Path file = mount.resolve("full.store");
        final Map<Long, Long> model = new HashMap<>();
        DiskFullException full = null;
        final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).segments(2).chunkSize(1 << 20).build();
        long key = 1;
        for (; key < 10_000_000 && null == full; key++)
        {
            try
            {
                map.put(key, key * 3);
                model.put(key, key * 3);
            }
            catch (final DiskFullException ex)
            {
                full = ex;
            }
        }
        assertNotNull(full, "the tmpfs filled up");
        assertTrue(full.getMessage().contains("no disk space") && full.getMessage().contains(file.toString()),
            full.getMessage());
        MapContents.assertHolds(model, map);
        for (final Map.Entry<Long, Long> entry : model.entrySet()) // updates need no new space
        {
            map.put(entry.getKey(), entry.getValue() + 1);
            entry.setValue(entry.getValue() + 1);
        }
        MapContents.assertHolds(model, map);
        try
        {
            map.close();
        }
        catch (final DiskFullException ex)
        {
            // the close fence needs a copy of a table; without space the file is left for recovery
        }
        final OffHeapLongLongMap reopened = OffHeapLongLongMap.builder().file(file).build();
        assertTrue(reopened.recoveryReport().isPresent(), "the close could not fence: the file was left dirty");
        MapContents.assertHolds(model, reopened);
        java.nio.file.Files.delete(ballast);
        for (long more = 0; more < 100; more++, key++) // space again: it grows
        {
            reopened.put(key, key);
            model.put(key, key);
        }
        reopened.close();
        // read-only: it refuses a file that is not clean, and its close needs no space
        try (OffHeapLongLongMap clean = OffHeapLongLongMap.builder().file(file, OpenMode.READ_ONLY).build())
        {
            MapContents.assertHolds(model, clean);
            assertEquals(model.get(1L), clean.get(1));
        }
    }

    /**
     * @return null if the command succeeded, else its output.
     */
    private static String run(final String... command) throws Exception
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "timed out";
            }
            return 0 == process.exitValue() ? null : output + " (exit " + process.exitValue() + ")";
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }
}
