package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code slotkv backup FILE DEST}: a verified, compacted copy of a store file no process writes, read privately. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Write a compacted, verified backup of FILE to DEST (written under a temporary name beside DEST " +
        "and renamed: never a half-written file under DEST's name).",
        "Reads a private copy of FILE: FILE is never changed, even by a kill; one not closed cleanly is recovered " +
            "in memory first. Refused while a process has FILE open for writing (a running service backs itself " +
            "up with StoreBackup.backup)."})
final class BackupCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "the store file to back up")
    Path file;

    @Parameters(index = "1", paramLabel = "DEST", description = "the backup file to write (replaced if it exists)")
    Path destination;

    @Mixin
    ProgressOption progressOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final long start = System.nanoTime();
        final long entries;
        try (OpenedStore store = OpenedStore.open(file, OpenMode.PRIVATE, false);
             Progress progress = progressOption.start("backup", store.size(), "entries", 1, true))
        {
            store.recoveryReport().ifPresent(report -> spec.commandLine().getErr().println(report));
            entries = store.backup(destination, progress::stepTo);
            progress.stepTo(entries);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
            "backed up %d entries of %s to %s (%d bytes) in %.2f s", entries, file, destination,
            Files.size(destination), seconds));
        return SlotKv.OK;
    }
}
