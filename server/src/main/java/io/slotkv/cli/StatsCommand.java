package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.StoreFile;
import io.slotkv.map.StoreStatistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code slotkv stats FILE}: what a store file holds, read from a private copy (the file is not changed). */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show what a store file holds: kind, format version, clean or not, entries, bytes, segments, " +
        "load and fragmentation.",
        "Reads a private copy: the file is never changed (one not closed cleanly is recovered in memory only, " +
            "and counted as recovery would leave it). Refused while a process has the file open for writing."})
final class StatsCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "the store file")
    Path file;

    @Option(names = "--json", description = "print one JSON object instead of lines")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final StoreFile info = StoreFile.read(file);
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("file", file.toString());
        fields.put("kind", StoreFile.Kind.BYTE_STORE == info.kind() ? "byte store" : "long map");
        fields.put("formatVersion", info.formatVersion());
        fields.put("closedCleanly", info.closedCleanly());
        fields.put("fileBytes", info.fileBytes());
        fields.put("allocatedBytes", info.allocatedBytes());
        fields.put("chunkSize", info.chunkSize());
        try (OpenedStore store = OpenedStore.open(info.kind(), file, OpenMode.PRIVATE, false))
        {
            final StoreStatistics statistics = store.statistics();
            long capacity = 0;
            for (final StoreStatistics.SegmentLoad segment : statistics.segments())
            {
                capacity += segment.capacity();
            }
            fields.put("entries", statistics.entries());
            fields.put("segments", store.segments());
            fields.put("slots", capacity);
            fields.put("load", 0 == capacity ? 0.0 : (double)statistics.entries() / capacity);
            fields.put("largestSegmentLoad", statistics.largestSegment().load());
            fields.put("bytesUsed", statistics.bytesUsed());
            fields.put("bytesFree", statistics.bytesFree());
            final OffHeapByteStore bytes = store.byteStore();
            if (null != bytes)
            {
                fields.put("keyValueBytes", bytes.keyValueBytes());
                fields.put("entryBytes", bytes.entryBytes());
                fields.put("fragmentation", bytes.fragmentation());
            }
            fields.put("recoveredInMemory", store.recoveryReport().isPresent());
        }
        spec.commandLine().getOut().println(json ? Json.object(fields) : lines(fields));
        return SlotKv.OK;
    }

    private static String lines(final Map<String, Object> fields)
    {
        final StringBuilder text = new StringBuilder();
        fields.forEach((name, value) -> text.append(text.length() == 0 ? "" : "\n")
            .append(String.format(Locale.ROOT, "%-20s %s", name + ":", value instanceof Double ?
                String.format(Locale.ROOT, "%.3f", value) : value)));
        return text.toString();
    }
}
