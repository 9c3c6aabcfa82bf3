package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code slotkv recover FILE}: open the file for writing with the full check, repair it, print the report. */
@Command(name = "recover", mixinStandardHelpOptions = true,
    description = "Run recovery on the file with the full check (as an open after a crash does, and more), repair " +
        "what it finds, close it cleanly and print the report.")
final class RecoverCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "the store file")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        try (OpenedStore store = OpenedStore.open(file, OpenMode.OPEN_EXISTING, true))
        {
            spec.commandLine().getOut().println(store.recoveryReport().orElseThrow());
            spec.commandLine().getOut().println("recovered: " + file + ", " + store.size() + " entries");
        }
        return SlotKv.OK;
    }
}
