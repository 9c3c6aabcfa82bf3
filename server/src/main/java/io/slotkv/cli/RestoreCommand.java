package io.slotkv.cli;

import io.slotkv.map.StoreBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code slotkv restore BACKUP FILE}: check a backup and put a copy of it in place of FILE, atomically. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Check BACKUP (the full check, on a private copy), copy it beside FILE and rename the copy over " +
        "FILE: a crash leaves FILE as it was or the whole backup.",
        "Refused while a process has FILE open. (Opening the backup itself is a restore too: it is a store file.)"})
final class RestoreCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "BACKUP", description = "the backup (a cleanly closed store file)")
    Path backup;

    @Parameters(index = "1", paramLabel = "FILE", description = "the store file to replace (need not exist)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final long entries = StoreBackup.restore(backup, file);
        spec.commandLine().getOut().println("restored " + entries + " entries from " + backup + " to " + file);
        return SlotKv.OK;
    }
}
