package io.slotkv.stress.fuzz;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A valid store file the mutations start from, with what it holds ({@link #content}: the entries an open with
 * verification yields), saved as {@code NAME.slotkv} and {@code NAME.content} in a seed directory listed by
 * {@code seeds.txt}.
 */
final class Seed
{
    /** How the seed was left. */
    enum Kind
    {
        /** Closed cleanly. */
        CLEAN,
        /** Closed cleanly, then the header state word set to open: what a crash leaves of a settled file. */
        DIRTY,
        /** Written by a JVM that halted (mid-operation, mid-resize or mid-close): a real crash. */
        CRASH
    }

    static final String MANIFEST = "seeds.txt";

    final String name;
    final Kind kind;
    final String note;
    final byte[] bytes;
    final StoreLayout layout;
    final Map<Long, Long> content;

    Seed(final String name, final Kind kind, final String note, final byte[] bytes, final Map<Long, Long> content)
    {
        this.name = name;
        this.kind = kind;
        this.note = note;
        this.bytes = bytes;
        this.layout = new StoreLayout(bytes);
        this.content = Collections.unmodifiableMap(new TreeMap<>(content));
    }

    void save(final Path directory) throws IOException
    {
        Files.write(directory.resolve(name + ".slotkv"), bytes);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(directory.resolve(name + ".content"))))
        {
            out.writeInt(content.size());
            for (final Map.Entry<Long, Long> entry : content.entrySet())
            {
                out.writeLong(entry.getKey());
                out.writeLong(entry.getValue());
            }
        }
    }

    static void saveManifest(final Path directory, final List<Seed> seeds) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (final Seed seed : seeds)
        {
            text.append(seed.name).append('\t').append(seed.kind).append('\t').append(Bytes.oneLine(seed.note))
                .append('\n');
        }
        Files.write(directory.resolve(MANIFEST), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static List<Seed> loadAll(final Path directory) throws IOException
    {
        final List<Seed> seeds = new ArrayList<>();
        for (final String line : Files.readAllLines(directory.resolve(MANIFEST), StandardCharsets.UTF_8))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] fields = line.split("\t", -1);
            final String name = fields[0];
            final byte[] bytes = Files.readAllBytes(directory.resolve(name + ".slotkv"));
            final Map<Long, Long> content = new TreeMap<>();
            try (DataInputStream in = new DataInputStream(Files.newInputStream(directory.resolve(name + ".content"))))
            {
                final int size = in.readInt();
                for (int i = 0; i < size; i++)
                {
                    content.put(in.readLong(), in.readLong());
                }
            }
            seeds.add(new Seed(name, Kind.valueOf(fields[1]), Bytes.multiLine(fields[2]), bytes, content));
        }
        return seeds;
    }
}
