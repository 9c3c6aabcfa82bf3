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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A valid store file the mutations start from, with what it holds (the entries an open with verification yields:
 * {@link #content} for a long map, {@link #byteContent} for a byte store, whose keys and values are byte strings
 * held as ISO-8859-1 {@code String}s, one char per byte), saved as {@code NAME.slotkv} and {@code NAME.content} in
 * a seed directory listed by {@code seeds.txt}. A byte-store seed also carries its model of every value ever written
 * for each key ({@link #written}, as {@link Bytes#fingerprint} of the value): an open with verification may return
 * an older value of a key, never one that was not written for it.
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
    final StoreKind store;
    final String note;
    final byte[] bytes;
    final FileLayout layout;
    final Map<Long, Long> content;
    final Map<String, String> byteContent;
    final Map<String, Set<Long>> written;

    /** A long-map seed. */
    Seed(final String name, final Kind kind, final String note, final byte[] bytes, final Map<Long, Long> content)
    {
        this(name, kind, StoreKind.LONG_MAP, note, bytes, content, Map.of(), Map.of());
    }

    /** A byte-store seed. */
    Seed(final String name, final Kind kind, final String note, final byte[] bytes,
        final Map<String, String> byteContent, final Map<String, Set<Long>> written)
    {
        this(name, kind, StoreKind.BYTE_STORE, note, bytes, Map.of(), byteContent, written);
    }

    private Seed(final String name, final Kind kind, final StoreKind store, final String note, final byte[] bytes,
        final Map<Long, Long> content, final Map<String, String> byteContent, final Map<String, Set<Long>> written)
    {
        this.name = name;
        this.kind = kind;
        this.store = store;
        this.note = note;
        this.bytes = bytes;
        this.layout = store.layout(bytes);
        this.content = Collections.unmodifiableMap(new TreeMap<>(content));
        this.byteContent = Collections.unmodifiableMap(new TreeMap<>(byteContent));
        final Map<String, Set<Long>> copy = new TreeMap<>();
        written.forEach((key, values) -> copy.put(key, Collections.unmodifiableSet(new TreeSet<>(values))));
        this.written = Collections.unmodifiableMap(copy);
    }

    /** @return the number of entries the seed holds. */
    int size()
    {
        return StoreKind.LONG_MAP == store ? content.size() : byteContent.size();
    }

    void save(final Path directory) throws IOException
    {
        Files.write(directory.resolve(name + ".slotkv"), bytes);
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
            Files.newOutputStream(directory.resolve(name + ".content")))))
        {
            if (StoreKind.LONG_MAP == store)
            {
                out.writeInt(content.size());
                for (final Map.Entry<Long, Long> entry : content.entrySet())
                {
                    out.writeLong(entry.getKey());
                    out.writeLong(entry.getValue());
                }
                return;
            }
            out.writeInt(byteContent.size());
            for (final Map.Entry<String, String> entry : byteContent.entrySet())
            {
                writeBytes(out, entry.getKey());
                writeBytes(out, entry.getValue());
            }
            out.writeInt(written.size());
            for (final Map.Entry<String, Set<Long>> entry : written.entrySet())
            {
                writeBytes(out, entry.getKey());
                out.writeInt(entry.getValue().size());
                for (final long value : entry.getValue())
                {
                    out.writeLong(value);
                }
            }
        }
    }

    private static void writeBytes(final DataOutputStream out, final String bytes) throws IOException
    {
        out.writeInt(bytes.length());
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String readBytes(final DataInputStream in) throws IOException
    {
        final byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static void saveManifest(final Path directory, final List<Seed> seeds) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (final Seed seed : seeds)
        {
            text.append(seed.name).append('\t').append(seed.kind).append('\t').append(Bytes.oneLine(seed.note))
                .append('\t').append(seed.store.label).append('\n');
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
            final Kind kind = Kind.valueOf(fields[1]);
            final String note = Bytes.multiLine(fields[2]);
            final StoreKind store = fields.length > 3 ? StoreKind.of(fields[3]) : StoreKind.LONG_MAP;
            final byte[] bytes = Files.readAllBytes(directory.resolve(name + ".slotkv"));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(directory.resolve(name + ".content"))))
            {
                final int size = in.readInt();
                if (StoreKind.LONG_MAP == store)
                {
                    final Map<Long, Long> content = new TreeMap<>();
                    for (int i = 0; i < size; i++)
                    {
                        content.put(in.readLong(), in.readLong());
                    }
                    seeds.add(new Seed(name, kind, note, bytes, content));
                    continue;
                }
                final Map<String, String> content = new TreeMap<>();
                for (int i = 0; i < size; i++)
                {
                    content.put(readBytes(in), readBytes(in));
                }
                final Map<String, Set<Long>> written = new TreeMap<>();
                final int keys = in.readInt();
                for (int i = 0; i < keys; i++)
                {
                    final String key = readBytes(in);
                    final Set<Long> values = new TreeSet<>();
                    final int count = in.readInt();
                    for (int j = 0; j < count; j++)
                    {
                        values.add(in.readLong());
                    }
                    written.put(key, values);
                }
                seeds.add(new Seed(name, kind, note, bytes, content, written));
            }
        }
        return seeds;
    }
}
