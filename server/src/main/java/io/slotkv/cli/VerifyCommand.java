package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.RecoveryReport;
import io.slotkv.map.StoreFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code slotkv verify FILE}: recovery's full check on a private copy; the exit code says what it found. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Run recovery's full check (every table; for a byte store every entry's lengths, generation and " +
        "CRC32C) on a private copy of the file, without changing it, and print the report.",
        "Exit 0: clean. 1: not closed cleanly or damaged, and 'slotkv recover' repairs it (the report says what it " +
            "would drop). 2: not a store file or too damaged to open. 3: a process has it open for writing."})
final class VerifyCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "the store file")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final StoreFile info = StoreFile.read(file);
        final RecoveryReport report;
        try (OpenedStore store = OpenedStore.open(info.kind(), file, OpenMode.PRIVATE, true))
        {
            report = store.recoveryReport().orElseThrow();
        }
        final boolean clean = info.closedCleanly() && !report.foundDamage();
        spec.commandLine().getOut().println(report);
        spec.commandLine().getOut().println(clean ? "clean: " + file :
            "repairable: " + file + (info.closedCleanly() ? "" : " (not closed cleanly)") +
                "; run 'slotkv recover " + file + "'");
        return clean ? SlotKv.OK : SlotKv.REPAIRABLE;
    }
}
