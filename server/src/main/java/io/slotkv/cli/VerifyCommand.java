package io.slotkv.cli;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.RecoveryReport;
import io.slotkv.map.StoreFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code slotkv verify FILE}: recovery's full check without changing the file; the exit code says what it found. A
 * cleanly closed byte store is checked read-only first (nothing copied); anything that check finds, and every other
 * file, is checked by recovery on a private copy, whose report says what a repair would do.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Run recovery's full check (every table; for a byte store every entry's lengths, generation, " +
        "CRC32C and slot) without changing the file, and print the report: a cleanly closed byte store read-only, " +
        "anything else (and a byte store that check refuses) on a private copy of the file.",
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
        String refused = null;
        if (info.closedCleanly() && StoreFile.Kind.BYTE_STORE == info.kind())
        {
            try (OpenedStore store = OpenedStore.open(info.kind(), file, OpenMode.READ_ONLY, true))
            {
                spec.commandLine().getOut().println(store.recoveryReport().orElseThrow());
                spec.commandLine().getOut().println("clean: " + file);
                return SlotKv.OK;
            }
            catch (final CorruptStoreException ex)
            {
                refused = ex.getMessage(); // what the read-only check found: recovery's check says what it repairs
            }
        }
        final RecoveryReport report;
        try (OpenedStore store = OpenedStore.open(info.kind(), file, OpenMode.PRIVATE, true))
        {
            report = store.recoveryReport().orElseThrow();
        }
        final boolean clean = info.closedCleanly() && !report.foundDamage() && null == refused;
        if (null != refused)
        {
            spec.commandLine().getOut().println("read-only check: " + refused);
        }
        spec.commandLine().getOut().println(report);
        spec.commandLine().getOut().println(clean ? "clean: " + file :
            "repairable: " + file + (info.closedCleanly() ? "" : " (not closed cleanly)") +
                "; run 'slotkv recover " + file + "'");
        return clean ? SlotKv.OK : SlotKv.REPAIRABLE;
    }
}
