package io.slotkv.map;

import io.slotkv.core.jvm.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a process in the middle of an online backup, with two writers running: every write the process
 * acknowledged is in the source after recovery, the backup's final name holds either nothing or a whole earlier
 * backup (verified, each value one its key had), and never a part of the interrupted one.
 */
@Timeout(300)
class StoreBackupKillTest
{
    private static final int KEYS_PER_WRITER = 2000;
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void aKillDuringABackupUnderWritersLosesNoAcknowledgedWriteAndLeavesNoPartialBackup() throws Exception
    {
        final java.util.Random random = new java.util.Random(42);
        for (int kill = 0; kill < KILLS; kill++)
        {
            final Path source = dir.resolve("source-" + kill + ".store");
            final Path backup = dir.resolve("source-" + kill + ".backup");
            final long[] acknowledged = new long[2 * KEYS_PER_WRITER];
            final Process child = new ProcessBuilder(command(source, backup)).redirectErrorStream(true).start();
            final StringBuilder log = new StringBuilder();
            int backupsDone = 0;
            int copiesSeen = 0;
            final int killAtCopy = 1 + random.nextInt(3); // of the 3 progress reports of a 4,000-entry backup
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = out.readLine()))
                {
                    if (line.startsWith("A "))
                    {
                        final String[] parts = line.split(" ");
                        final int key = Integer.parseInt(parts[1]);
                        acknowledged[key] = Math.max(acknowledged[key], Long.parseLong(parts[2]));
                    }
                    else if (line.startsWith("BACKUP "))
                    {
                        backupsDone++;
                        copiesSeen = 0;
                    }
                    else if (line.startsWith("COPIED "))
                    {
                        copiesSeen++;
                    }
                    else
                    {
                        log.append(line).append('\n');
                    }
                    if (child.isAlive() && backupsDone >= 1 + kill && copiesSeen == killAtCopy)
                    {
                        // the backup after the first few has copied killAtCopy x 1024 entries: kill it there.
                        // Through the handle, so the pipe stays open: every acknowledgement the child printed
                        // before it died is read below.
                        child.toHandle().destroyForcibly(); // SIGKILL
                    }
                }
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "the child was not killed mid-backup: " + log);
            if (Files.exists(backup)) // an earlier backup, whole
            {
                assertTrue(StoreFile.read(backup).closedCleanly(), "the backup's name holds one being written");
                try (OffHeapByteStore earlier = OffHeapByteStore.builder().file(backup).verifyOnOpen(true).build())
                {
                    assertTrue(!earlier.recoveryReport().orElseThrow().foundDamage(), "a damaged backup");
                    assertEquals(2 * KEYS_PER_WRITER, earlier.size());
                    for (int key = 0; key < acknowledged.length; key++)
                    {
                        final long seq = seqOf(earlier.getString(name(key)), key);
                        assertTrue(seq <= acknowledged[key] + 1, "key " + key + ": a value never written: " + seq);
                    }
                }
            }
            try (OffHeapByteStore recovered = OffHeapByteStore.builder().file(source).build())
            {
                assertTrue(recovered.recoveryReport().isPresent(), "the source was left open by the kill");
                assertEquals(2 * KEYS_PER_WRITER, recovered.size());
                for (int key = 0; key < acknowledged.length; key++)
                {
                    final long seq = seqOf(recovered.getString(name(key)), key);
                    assertTrue(seq >= acknowledged[key] && seq <= acknowledged[key] + 1,
                        "key " + key + ": acknowledged " + acknowledged[key] + ", recovered " + seq);
                }
            }
        }
    }

    private List<String> command(final Path source, final Path backup)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmAccess.launcherFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(),
            source.toString(), backup.toString()));
        return command;
    }

    static String name(final int key)
    {
        return "key:" + key;
    }

    /** @return the sequence number of a value {@code key:<key>=<seq>;xxx...}, failing on anything else. */
    static long seqOf(final String value, final int key)
    {
        final String prefix = name(key) + "=";
        assertTrue(null != value && value.startsWith(prefix) && value.indexOf(';') > prefix.length(),
            "key " + key + " holds " + value);
        final int end = value.indexOf(';');
        assertEquals("x".repeat(value.length() - end - 1), value.substring(end + 1), "a torn value: " + value);
        return Long.parseLong(value.substring(prefix.length(), end));
    }

    /** Two writers over disjoint keys, acknowledging each write on stdout after it returned; backups in a loop. */
    public static final class Child
    {
        public static void main(final String[] args) throws Exception
        {
            final Path backup = Path.of(args[1]);
            final OffHeapByteStore store = OffHeapByteStore.builder().file(Path.of(args[0])).build();
            final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
            for (int key = 0; key < 2 * KEYS_PER_WRITER; key++)
            {
                store.putString(name(key), name(key) + "=0;");
            }
            final AtomicLongArray seq = new AtomicLongArray(2 * KEYS_PER_WRITER);
            for (int w = 0; w < 2; w++)
            {
                final int first = w * KEYS_PER_WRITER;
                final Thread writer = new Thread(() ->
                {
                    final java.util.SplittableRandom random = new java.util.SplittableRandom(first);
                    while (true)
                    {
                        final int key = first + random.nextInt(KEYS_PER_WRITER);
                        final long next = seq.incrementAndGet(key);
                        store.putString(name(key), name(key) + "=" + next + ";" + "x".repeat(random.nextInt(300)));
                        out.println("A " + key + " " + next);
                    }
                }, "writer-" + w);
                writer.setDaemon(true);
                writer.start();
            }
            for (int n = 1; ; n++)
            {
                StoreBackup.backup(store, backup, copied -> out.println("COPIED " + copied));
                out.println("BACKUP " + n);
            }
        }
    }
}
