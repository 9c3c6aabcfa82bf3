package io.slotkv.cli;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.OffHeapLongLongMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code slotkv} jar run as a process, as a user or a script runs it: output and exit codes of every command,
 * on files of both kinds, clean, crashed, locked, damaged and missing; and a kill -9 in the middle of a backup.
 */
@Timeout(300)
class SlotKvCommandIT
{
    private static final Path JAR = Path.of(System.getProperty("slotkv.cli.jar", "target/slotkv.jar"));

    @TempDir
    Path dir;

    @Test
    void everyCommandHasHelpAndBadArgumentsExitWithTheUsageCode() throws Exception
    {
        for (final String command : List.of("stats", "verify", "recover", "backup", "restore", "export", "import"))
        {
            final Run help = slotkv(command, "--help");
            assertEquals(0, help.exitCode, help.output);
            assertTrue(help.output.startsWith("Usage: slotkv " + command), help.output);
        }
        final Run unknown = slotkv("stats", "--bogus", "x");
        assertEquals(SlotKv.USAGE, unknown.exitCode, unknown.output);
        assertTrue(unknown.output.contains("Unknown option: '--bogus'"), unknown.output);
        assertEquals(SlotKv.USAGE, slotkv("frobnicate").exitCode);
        final Run missing = slotkv("verify", dir.resolve("absent.store").toString());
        assertEquals(SlotKv.IO, missing.exitCode, missing.output);
        assertEquals("slotkv verify: no such file: " + dir.resolve("absent.store"), missing.output.strip());
    }

    @Test
    void statsAndVerifyDescribeBothKindsWithoutChangingTheFiles() throws Exception
    {
        final Path bytes = byteStore(dir.resolve("strings.store"), 1000);
        final Path longs = longMap(dir.resolve("counters.store"), 5000);
        final String bytesHash = sha256(bytes);
        final String longsHash = sha256(longs);
        final Run stats = slotkv("stats", bytes.toString());
        assertEquals(0, stats.exitCode, stats.output);
        assertTrue(stats.output.contains("kind:                byte store"), stats.output);
        assertTrue(stats.output.contains("entries:             1000\n"), stats.output);
        assertTrue(stats.output.contains("closedCleanly:       true"), stats.output);
        assertTrue(stats.output.contains("fragmentation:"), stats.output);
        final Run json = slotkv("stats", "--json", longs.toString());
        assertEquals(0, json.exitCode, json.output);
        assertTrue(json.output.startsWith("{\"file\":\"" + longs + "\",\"kind\":\"long map\",\"formatVersion\":4,"),
            json.output);
        assertTrue(json.output.contains(",\"entries\":5000,"), json.output);
        final Run verify = slotkv("verify", longs.toString());
        assertEquals(0, verify.exitCode, verify.output);
        assertTrue(verify.output.contains("clean: " + longs), verify.output);
        final Run verifyBytes = slotkv("verify", bytes.toString());
        assertEquals(0, verifyBytes.exitCode, verifyBytes.output);
        assertTrue(verifyBytes.output.contains("read-only}") && verifyBytes.output.contains("entries=1000") &&
            verifyBytes.output.contains("clean: " + bytes), "the read-only check: " + verifyBytes.output);
        assertEquals(bytesHash, sha256(bytes), "stats/verify changed the byte store");
        assertEquals(longsHash, sha256(longs), "stats/verify changed the long map");
    }

    /** A damaged entry in a cleanly closed byte store: the read-only check finds it, recovery's says what it drops. */
    @Test
    void aDamagedEntryOfACleanByteStoreIsRepairable() throws Exception
    {
        final Path file = byteStore(dir.resolve("damaged.store"), 1000);
        final byte[] value = "value-998".getBytes(StandardCharsets.UTF_8);
        final byte[] content = Files.readAllBytes(file);
        int at = -1;
        for (int i = 0; i + value.length <= content.length && at < 0; i++)
        {
            at = java.util.Arrays.equals(content, i, i + value.length, value, 0, value.length) ? i : -1;
        }
        assertTrue(at > 0, "the value is in the file");
        content[at + 6] ^= 0x5A;
        Files.write(file, content);
        final String before = sha256(file);
        final Run verify = slotkv("verify", file.toString());
        assertEquals(SlotKv.REPAIRABLE, verify.exitCode, verify.output);
        assertTrue(verify.output.contains("read-only check: store fails its verification") &&
            verify.output.contains("checksum does not match, found (nothing changed)"), verify.output);
        assertTrue(verify.output.contains("damagedEntry=1") && verify.output.contains("repairable: " + file),
            verify.output);
        assertEquals(before, sha256(file), "verify changed the file");
    }

    @Test
    void aCrashedFileIsRepairableAndRecoverRepairsIt() throws Exception
    {
        final Path file = dir.resolve("crashed.store");
        final Process writer = new ProcessBuilder(java(WriteAndHalt.class, file.toString(), "3000"))
            .redirectErrorStream(true).start();
        assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, writer.exitValue(), new String(writer.getInputStream().readAllBytes()));
        final String before = sha256(file);
        final Run verify = slotkv("verify", file.toString());
        assertEquals(SlotKv.REPAIRABLE, verify.exitCode, verify.output);
        assertTrue(verify.output.contains("repairable: " + file + " (not closed cleanly)"), verify.output);
        final Run stats = slotkv("stats", file.toString());
        assertTrue(stats.output.contains("closedCleanly:       false"), stats.output);
        assertTrue(stats.output.contains("entries:             3000\n"), stats.output);
        assertEquals(before, sha256(file), "verify/stats changed a file that needs recovery");
        final Run recover = slotkv("recover", file.toString());
        assertEquals(0, recover.exitCode, recover.output);
        assertTrue(recover.output.contains("recovered: " + file + ", 3000 entries"), recover.output);
        assertEquals(0, slotkv("verify", file.toString()).exitCode);
    }

    @Test
    void aLockedOrDamagedFileGetsItsOwnExitCode() throws Exception
    {
        final Path file = longMap(dir.resolve("busy.store"), 10);
        try (OffHeapLongLongMap open = OffHeapLongLongMap.builder().file(file).build())
        {
            open.put(1, 2);
            for (final String command : List.of("stats", "verify", "recover", "export", "backup"))
            {
                final List<String> args = new ArrayList<>(List.of(command, file.toString()));
                if ("backup".equals(command))
                {
                    args.add(dir.resolve("b").toString());
                }
                final Run run = slotkv(args.toArray(String[]::new));
                assertEquals(SlotKv.LOCKED, run.exitCode, command + ": " + run.output);
                assertTrue(run.output.contains("held by a running process"), run.output);
            }
            final Run restore = slotkv("restore", longMap(dir.resolve("other.store"), 1).toString(), file.toString());
            assertEquals(SlotKv.LOCKED, restore.exitCode, restore.output);
        }
        final Path empty = dir.resolve("empty.export");
        Files.write(empty, new byte[0]);
        final Run emptyImport = slotkv("import", dir.resolve("new.store").toString(), "-i", empty.toString());
        assertEquals(SlotKv.CORRUPT, emptyImport.exitCode, emptyImport.output);
        assertTrue(emptyImport.output.contains("not a SlotKV export: the input ends before its header"),
            emptyImport.output);
        final Path junk = dir.resolve("junk.store");
        Files.write(junk, "not a store at all".repeat(500).getBytes(StandardCharsets.UTF_8));
        for (final String command : List.of("stats", "verify", "recover", "export"))
        {
            final Run run = slotkv(command, junk.toString());
            assertEquals(SlotKv.CORRUPT, run.exitCode, command + ": " + run.output);
            assertTrue(run.output.startsWith("slotkv " + command + ": not a SlotKV store file"), run.output);
            assertEquals(1, run.output.strip().lines().count(), "one line: " + run.output);
        }
    }

    @Test
    void backupRestoreExportAndImportRoundTripBothKinds() throws Exception
    {
        final Path bytes = byteStore(dir.resolve("strings.store"), 2000);
        final Path backup = dir.resolve("strings.backup");
        final Run backupRun = slotkv("backup", bytes.toString(), backup.toString());
        assertEquals(0, backupRun.exitCode, backupRun.output);
        assertTrue(backupRun.output.contains("backed up 2000 entries"), backupRun.output);
        assertTrue(backupRun.output.contains("backup 100% [") && backupRun.output.contains("2000/2000 entries"),
            "not a terminal: plain progress lines: " + backupRun.output);
        assertFalse(backupRun.output.contains("\u001b"), "no colour codes outside a terminal: " + backupRun.output);
        assertFalse(backupRun.output.contains("INFO"), "the library's log stays out: " + backupRun.output);
        final Path restored = dir.resolve("restored.store");
        final Run restore = slotkv("restore", backup.toString(), restored.toString());
        assertEquals(0, restore.exitCode, restore.output);
        assertEquals(contents(bytes), contents(restored));

        final Path exported = dir.resolve("strings.export");
        assertEquals(0, slotkv("export", bytes.toString(), "-o", exported.toString()).exitCode);
        final Path imported = dir.resolve("imported.store");
        final Run importRun = slotkv("import", imported.toString(), "-i", exported.toString());
        assertEquals(0, importRun.exitCode, importRun.output);
        assertTrue(importRun.output.contains("imported 2000 entries into " + imported), importRun.output);
        assertEquals(contents(bytes), contents(imported));
        final Run jsonl = slotkv("export", "--format", "jsonl", bytes.toString());
        assertEquals(0, jsonl.exitCode);
        assertEquals(2000, jsonl.output.lines().filter(line -> line.startsWith("{\"key\":")).count(), jsonl.output);

        final Path longs = longMap(dir.resolve("counters.store"), 3000);
        final Path longExport = dir.resolve("counters.export");
        assertEquals(0, slotkv("export", longs.toString(), "--output", longExport.toString()).exitCode);
        final Path longImported = dir.resolve("counters-imported.store");
        assertEquals(0, slotkv("import", longImported.toString(), "--input", longExport.toString()).exitCode);
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(longImported).build())
        {
            assertEquals(3000, map.size());
            assertEquals(7 * 2999, map.get(2999));
        }
        final Run wrongKind = slotkv("import", longImported.toString(), "-i", exported.toString());
        assertEquals(SlotKv.CORRUPT, wrongKind.exitCode, wrongKind.output);
        assertTrue(wrongKind.output.contains("another kind of map"), wrongKind.output);
        assertEquals(SlotKv.USAGE, slotkv("export", "--format", "jsonl", longs.toString()).exitCode);
    }

    @Test
    void aKillDuringABackupLeavesTheSourceAsItWasAndNoFileUnderTheBackupsName() throws Exception
    {
        final Path source = longMap(dir.resolve("big.store"), 3_000_000);
        final String before = sha256(source);
        final Path backup = dir.resolve("big.backup");
        final List<String> command = new ArrayList<>(slotkvCommand());
        command.addAll(List.of("backup", "--quiet", source.toString(), backup.toString()));
        killOnceAFileAppears(command, "big.backup");
        assertFalse(Files.exists(backup), "a half-written backup under the final name");
        assertEquals(before, sha256(source), "the kill changed the source");
        assertEquals(0, slotkv("verify", source.toString()).exitCode);
        final Run retry = slotkv("backup", "--quiet", source.toString(), backup.toString());
        assertEquals(0, retry.exitCode, retry.output);
        assertTrue(retry.output.contains("backed up 3000000 entries"), retry.output);

        // a restore killed while it copies: the target is the old file or the whole backup, never a mix
        final Path target = longMap(dir.resolve("target.store"), 10);
        final String old = sha256(target);
        final String whole = sha256(backup);
        final List<String> restore = new ArrayList<>(slotkvCommand());
        restore.addAll(List.of("restore", backup.toString(), target.toString()));
        killOnceAFileAppears(restore, ".target.store.backup-");
        final String after = sha256(target);
        assertTrue(after.equals(old) || after.equals(whole), "a restore killed part-way left a mixed target");
        assertEquals(whole, sha256(backup), "the kill changed the backup");
        assertEquals(0, slotkv("verify", target.toString()).exitCode);
    }

    /**
     * Start {@code command}, wait (on directory events, not time) until a file whose name contains {@code part}
     * appears in the test directory, and SIGKILL the process there.
     */
    private void killOnceAFileAppears(final List<String> command, final String part) throws Exception
    {
        final Path log = Files.createTempFile("slotkv-killed", ".log");
        try (java.nio.file.WatchService watcher = dir.getFileSystem().newWatchService())
        {
            dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            boolean appeared = false;
            while (!appeared)
            {
                final java.nio.file.WatchKey key = watcher.poll(60, TimeUnit.SECONDS);
                assertTrue(null != key, "no file appeared within 60 s: " + Files.readString(log));
                appeared = key.pollEvents().stream().anyMatch(event -> event.context().toString().contains(part));
                key.reset();
            }
            assertTrue(process.isAlive(), "finished before the kill: " + Files.readString(log));
            process.destroyForcibly(); // SIGKILL
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), "killed by SIGKILL: " + Files.readString(log));
        }
        finally
        {
            Files.delete(log);
        }
    }

    // ---- helpers

    private static Path byteStore(final Path file, final int entries)
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
        {
            store.putString("", "empty key");
            for (int i = 1; i < entries; i++)
            {
                store.putString("key:" + i + (0 == i % 7 ? "-é中" : ""), 0 == i % 5 ? "" : "value-" + i);
            }
        }
        return file;
    }

    private static Path longMap(final Path file, final int entries)
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(file).initialCapacity(entries).build())
        {
            for (long key = 0; key < entries; key++)
            {
                map.put(key, 7 * key);
            }
        }
        return file;
    }

    private static java.util.Map<String, String> contents(final Path file)
    {
        final java.util.Map<String, String> contents = new java.util.HashMap<>();
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
        {
            contents.putAll(store.asConcurrentMap());
        }
        return contents;
    }

    private static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> slotkvCommand()
    {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString());
    }

    private static List<String> java(final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
            "java").toString()));
        command.addAll(io.slotkv.core.jvm.JvmAccess.launcherFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static Run slotkv(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(slotkvCommand());
        command.addAll(List.of(args));
        final Path errors = Files.createTempFile("slotkv-stderr", ".txt");
        try
        {
            final Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "slotkv did not finish: " + command);
            return new Run(process.exitValue(), output + withoutJvmWarnings(Files.readString(errors)));
        }
        finally
        {
            Files.delete(errors);
        }
    }

    /**
     * Standard error without the lines the JVM itself prints on JDK 24+ (jffi's use of sun.misc.Unsafe, which a
     * manifest cannot allow: docs/cli.md); every other line is kept and checked.
     */
    private static String withoutJvmWarnings(final String errors)
    {
        final StringBuilder kept = new StringBuilder();
        errors.lines().filter(line -> !line.startsWith("WARNING: ")).forEach(line -> kept.append(line).append('\n'));
        return kept.toString();
    }

    /** @param output standard output, then standard error (without the JVM's own warnings). */
    private record Run(int exitCode, String output)
    {
    }

    /** A writer that dies without closing its store: the file is left as a crash leaves it. */
    public static final class WriteAndHalt
    {
        public static void main(final String[] args)
        {
            final OffHeapLongLongMap map = OffHeapLongLongMap.builder().file(Path.of(args[0])).build();
            for (long key = 0; key < Long.parseLong(args[1]); key++)
            {
                map.put(key, key);
            }
            Runtime.getRuntime().halt(0);
        }
    }
}
