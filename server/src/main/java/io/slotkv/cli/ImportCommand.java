package io.slotkv.cli;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.StoreExport;
import io.slotkv.map.StoreFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code slotkv import FILE}: merge an export into a store file, creating it (of the export's kind) if absent. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Merge an export (docs/spec/export.md) from IN or standard input into FILE: each record a put. " +
        "A missing FILE is created as the export's kind of map.",
        "Refused while a process has FILE open. A damaged export stops at the damage; what came before is imported."})
final class ImportCommand implements Callable<Integer>
{
    /** The export header's length up to and including its kind (docs/spec/export.md). */
    private static final int KIND_END = 12;

    @Parameters(index = "0", paramLabel = "FILE", description = "the store file to merge into (created if absent)")
    Path file;

    @Option(names = {"-i", "--input"}, paramLabel = "IN", description = "read here instead of stdin")
    Path input;

    @Mixin
    ProgressOption progressOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final long total = null == input ? -1 : Files.size(input);
        final long entries;
        try (InputStream source = null == input ? System.in : Files.newInputStream(input);
             Progress progress = progressOption.start("import", total, "MB", 1 << 20, null != input))
        {
            final BufferedInputStream in = new BufferedInputStream(progress.counting(source), 1 << 16);
            final StoreFile.Kind kind = Files.exists(file) && Files.size(file) > 0 ? StoreFile.read(file).kind() :
                kindOf(in);
            try (OpenedStore store = OpenedStore.open(kind, file, OpenMode.CREATE_OR_OPEN, false))
            {
                entries = store.importFrom(in);
            }
            progress.stepTo(total);
        }
        spec.commandLine().getOut().println("imported " + entries + " entries into " + file);
        return SlotKv.OK;
    }

    /** Peek at the export's header for its kind, leaving the stream where it was. */
    private static StoreFile.Kind kindOf(final BufferedInputStream in) throws java.io.IOException
    {
        in.mark(KIND_END);
        final DataInputStream data = new DataInputStream(in);
        final long magic;
        final int kind;
        try
        {
            magic = data.readLong();
            data.readUnsignedShort(); // version: checked by the import itself
            kind = data.readUnsignedShort();
        }
        catch (final java.io.EOFException ex)
        {
            throw new CorruptStoreException("not a SlotKV export: the input ends before its header");
        }
        in.reset();
        if (StoreExport.MAGIC != magic)
        {
            throw new CorruptStoreException("not a SlotKV export: magic=0x" + Long.toHexString(magic));
        }
        if (StoreExport.KIND_BYTES == kind)
        {
            return StoreFile.Kind.BYTE_STORE;
        }
        if (StoreExport.KIND_LONG_LONG == kind)
        {
            return StoreFile.Kind.LONG_LONG_MAP;
        }
        throw new CorruptStoreException("export of an unknown kind: kind=" + kind);
    }
}
