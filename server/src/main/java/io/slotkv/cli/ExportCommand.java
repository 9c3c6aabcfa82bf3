package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.StoreExport;
import io.slotkv.map.StoreFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code slotkv export FILE}: the portable stream of docs/spec/export.md, or JSON Lines, from a private copy. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write every entry of FILE in the portable export format (docs/spec/export.md) or, for a byte " +
        "store, as JSON Lines, to OUT or standard output.",
        "Reads a private copy: the file is never changed. Refused while a process has it open for writing."})
final class ExportCommand implements Callable<Integer>
{
    /** The formats of {@code --format}. */
    enum Format
    {
        binary, jsonl
    }

    @Parameters(index = "0", paramLabel = "FILE", description = "the store file")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write here (replaced) instead of stdout")
    Path output;

    @Option(names = "--format", description = "binary (default; both maps) or jsonl (byte store)")
    Format format = Format.binary;

    @Mixin
    ProgressOption progressOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final StoreFile info = StoreFile.read(file);
        if (Format.jsonl == format && StoreFile.Kind.BYTE_STORE != info.kind())
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--format jsonl is for byte stores; " + file + " holds a long map (use binary)");
        }
        final long entries;
        try (OpenedStore store = OpenedStore.open(info.kind(), file, OpenMode.PRIVATE, false);
             Progress progress = progressOption.start("export", -1, "MB", 1 << 20, null != output);
             OutputStream sink = null == output ? new java.io.FilterOutputStream(System.out)
             {
                 @Override
                 public void close()
                 {
                     flushQuietly(out); // never close standard output
                 }
             } : Files.newOutputStream(output);
             OutputStream out = new BufferedOutputStream(progress.counting(sink), 1 << 16))
        {
            entries = Format.jsonl == format ? StoreExport.exportJsonLines(store.byteStore(), out) : store.export(out);
        }
        if (null != output)
        {
            spec.commandLine().getOut().println("exported " + entries + " entries of " + file + " to " + output);
        }
        return SlotKv.OK;
    }

    private static void flushQuietly(final OutputStream out)
    {
        try
        {
            out.flush();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
