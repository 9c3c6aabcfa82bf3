package io.slotkv.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The byte store section of {@code docs/benchmarks.md} ({@link BenchmarkReport} places it): how
 * {@link ByteStoreBenchmark} and {@link ByteStoreFootprint} are run and how each store is configured, and, once
 * {@code bench/run-bytes.sh} has left results in {@code docs/bench/bytes}, their tables, followed by the hand-written
 * analysis in {@code docs/bench/bytes/notes.md} if there is one.
 */
final class ByteStoreReport
{
    /** Where {@code bench/run-bytes.sh} writes, under {@code docs/bench}: apart from the long maps' files. */
    static final String DIRECTORY = "bytes";

    private static final String[][] WORKLOADS = {
        {"get", "get (hit)"},
        {"put", "put (overwrite, same length)"},
        {"getPut90", "90/10 get/put"},
        {"getPut50", "50/50 get/put"},
    };

    /** The peers SlotKV's score is divided by in each table's ratio columns. */
    private static final ByteStoreImplementation[] PEERS = {ByteStoreImplementation.CHM,
        ByteStoreImplementation.CHRONICLE};

    private final StringBuilder out = new StringBuilder();

    private ByteStoreReport()
    {
    }

    /**
     * @param dir the byte store results ({@code docs/bench/bytes}); need not exist.
     * @return the section, in Markdown.
     */
    static String section(final Path dir) throws IOException
    {
        final ByteStoreReport report = new ByteStoreReport();
        report.write(dir);
        return report.out.toString();
    }

    private void write(final Path dir) throws IOException
    {
        line("## Byte store: SlotKV `OffHeapByteStore` against ConcurrentHashMap, Chronicle Map and LMDB");
        line();
        line("`ByteStoreBenchmark`: n keys of 16 bytes (`\"key:\"` and the index zero-padded to 12 digits) with " +
            "100-byte pseudo-random values, filled in `@Setup(Level.Trial)`; each thread draws 2^20 key indices " +
            "before measurement (uniformly, or from YCSB's scrambled zipfian with theta 0.99) and holds its keys in " +
            "the store's own form (built once up front). Workloads: get of present keys, put overwriting a present " +
            "key with one of 256 update values of the same length (the store never grows), and 50/50 (90/10 on request) " +
            "get/put. All threads share one store. The ratio columns divide SlotKV's score by the peer's, measured " +
            "in the same run; their error is the two relative errors combined in quadrature. " +
            "`ByteStoreGrowBenchmark`: n new keys inserted into a store that starts empty (not presized, except " +
            "Chronicle Map and LMDB, which must be given their size), the threads inserting disjoint shares; " +
            "SingleShotTime of the whole fill, shown as inserts/s. JMH " +
            "throughput (ops/s; tables below in Mops/s with JMH's 99.9% half-width), `-prof gc` (B/op = " +
            "`gc.alloc.rate.norm`), forks `-Xms4g -Xmx4g` with the same appended flags as every other benchmark. " +
            "Footprint (`benchmarks.jar byte-footprint`): one fresh JVM per store, n keys filled; heap = used heap " +
            "after repeated `System.gc()`, filled minus before the store was opened; off-heap = the store's own " +
            "accounting; the payload alone is 116 bytes per entry.");
        line();
        line("Run the comparison with `bench/run-bytes.sh` (1 and 2 threads, 1M keys, get, put and 50/50, `-f 3 -wi 3 -i 5`, " +
            "about 35 minutes on 2 cores): it writes the JMH JSON, the footprint, the machine and the commands " +
            "to `docs/bench/bytes/` and regenerates this file. A quick look at one size:");
        line();
        line("```");
        line("mvn -q -pl bench -am package -DskipTests");
        line("java -jar bench/target/benchmarks.jar ByteStoreBenchmark -p keys=100000 -t 1 -f 1 -wi 1 -i 1 " +
            "-prof gc -foe true");
        line("java -jar bench/target/benchmarks.jar byte-footprint /tmp/byte-footprint.json 1000000");
        line("```");
        line();
        line("| store | configuration |");
        line("|---|---|");
        for (final ByteStoreImplementation impl : ByteStoreImplementation.values())
        {
            line("| " + impl.displayName() + " | " + impl.configuration() + " |");
        }
        line();
        final List<BenchmarkReport.Row> all = Files.isDirectory(dir) ? BenchmarkReport.rows(dir) : List.of();
        final List<BenchmarkReport.Row> rows = all.stream().filter(r -> !GROW.equals(r.method()))
            .collect(Collectors.toList());
        if (rows.isEmpty())
        {
            line("No results yet: run `bench/run-bytes.sh`.");
            line();
            return;
        }
        final Map<String, String> machine = BenchmarkReport.machine(dir);
        line("Results of one run: " + machine.getOrDefault("date", "?") + " to " +
            machine.getOrDefault("finished", "?") + ", commit " + machine.getOrDefault("commit", "?") + ", " +
            machine.getOrDefault("java", "?") + ", " + machine.getOrDefault("cores", "?") + " cores, load " +
            machine.getOrDefault("load before", "?") + " before and " + machine.getOrDefault("load after", "?") +
            " after. Raw JSON in [`docs/bench/bytes/`](bench/bytes/).");
        line();
        final Set<Integer> threads = rows.stream().map(BenchmarkReport.Row::threads)
            .collect(Collectors.toCollection(TreeSet::new));
        final Set<Integer> sizes = rows.stream().map(BenchmarkReport.Row::size)
            .collect(Collectors.toCollection(TreeSet::new));
        final Set<String> distributions = rows.stream().map(BenchmarkReport.Row::distribution)
            .collect(Collectors.toCollection(TreeSet::new));
        for (final String distribution : distributions)
        {
            for (final int size : sizes)
            {
                for (final int t : threads)
                {
                    table(rows, distribution, size, t);
                }
            }
        }
        grow(all);
        footprint(dir.resolve("footprint.json"));
        final Path notes = dir.resolve("notes.md"); // hand-written analysis of the run, if any
        if (Files.exists(notes))
        {
            line(Files.readString(notes).trim());
            line();
        }
    }

    /** The method of {@link ByteStoreGrowBenchmark}. */
    private static final String GROW = "fill";

    private void grow(final List<BenchmarkReport.Row> all)
    {
        final List<BenchmarkReport.Row> rows = all.stream().filter(r -> GROW.equals(r.method()))
            .collect(Collectors.toList());
        if (rows.isEmpty())
        {
            return;
        }
        line("### Byte store growth: inserts into a store that starts empty (M inserts/s, higher is better)");
        line();
        final StringBuilder header = new StringBuilder("| keys | threads |");
        final StringBuilder rule = new StringBuilder("|---:|---:|");
        for (final ByteStoreImplementation impl : ByteStoreImplementation.values())
        {
            header.append(' ').append(impl.displayName()).append(" |");
            rule.append("---:|");
        }
        for (final ByteStoreImplementation peer : PEERS)
        {
            header.append(" SlotKV ÷ ").append(peer.displayName()).append(" |");
            rule.append("---:|");
        }
        line(header);
        line(rule);
        final Set<String> cases = rows.stream().map(r -> r.size() + " " + r.threads())
            .collect(Collectors.toCollection(TreeSet::new));
        for (final String c : cases)
        {
            final int size = Integer.parseInt(c.split(" ")[0]);
            final int threads = Integer.parseInt(c.split(" ")[1]);
            final StringBuilder cells = new StringBuilder("| " + BenchmarkReport.count(size) + " | " + threads + " |");
            for (final ByteStoreImplementation impl : ByteStoreImplementation.values())
            {
                final BenchmarkReport.Row row = find(rows, GROW, threads, size, "", impl);
                cells.append(null == row ? " - |" : String.format(Locale.ROOT, " %.2f ± %.2f |",
                    insertsPerSecond(row)[0] * 1e-6, insertsPerSecond(row)[1] * 1e-6));
            }
            final BenchmarkReport.Row ours = find(rows, GROW, threads, size, "", ByteStoreImplementation.SLOTKV);
            for (final ByteStoreImplementation peer : PEERS)
            {
                final BenchmarkReport.Row theirs = find(rows, GROW, threads, size, "", peer);
                cells.append(null == ours || null == theirs ? " - |" :
                    " " + ratio(insertsPerSecond(ours), insertsPerSecond(theirs)) + " |");
            }
            line(cells);
        }
        line();
    }

    /**
     * @return a SingleShotTime fill's inserts per second and its error (the time's relative error).
     */
    private static double[] insertsPerSecond(final BenchmarkReport.Row row)
    {
        final double seconds = row.score() * ("ms/op".equals(row.unit()) ? 1e-3 : 1.0);
        final double rate = row.size() / seconds;
        return new double[]{rate, Double.isNaN(row.error()) ? Double.NaN : rate * row.error() / row.score()};
    }

    /**
     * @return {@code ours / theirs} with the relative errors of both combined in quadrature, as "r ± e x".
     */
    private static String ratio(final double[] ours, final double[] theirs)
    {
        final double ratio = ours[0] / theirs[0];
        final double error = ratio * Math.hypot(ours[1] / ours[0], theirs[1] / theirs[0]);
        return Double.isNaN(error) ? String.format(Locale.ROOT, "%.2fx", ratio) :
            String.format(Locale.ROOT, "%.2f ± %.2fx", ratio, error);
    }

    private static BenchmarkReport.Row find(final List<BenchmarkReport.Row> rows, final String method,
        final int threads, final int size, final String distribution, final ByteStoreImplementation impl)
    {
        return rows.stream()
            .filter(r -> r.method().equals(method) && r.threads() == threads && r.size() == size &&
                r.distribution().equals(distribution) && r.impl().equals(impl.name()))
            .findFirst().orElse(null);
    }

    private void table(final List<BenchmarkReport.Row> rows, final String distribution, final int size,
        final int threads)
    {
        if (rows.stream().noneMatch(r -> r.distribution().equals(distribution) && r.size() == size &&
            r.threads() == threads))
        {
            return;
        }
        line(String.format(Locale.ROOT, "### Byte store, %s keys, %s, %d thread%s (Mops/s, higher is better; B/op)",
            BenchmarkReport.count(size), distribution.toLowerCase(Locale.ROOT), threads, 1 == threads ? "" : "s"));
        line();
        final StringBuilder header = new StringBuilder("| workload |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final ByteStoreImplementation impl : ByteStoreImplementation.values())
        {
            header.append(' ').append(impl.displayName()).append(" | B/op |");
            rule.append("---:|---:|");
        }
        for (final ByteStoreImplementation peer : PEERS)
        {
            header.append(" SlotKV ÷ ").append(peer.displayName()).append(" |");
            rule.append("---:|");
        }
        line(header);
        line(rule);
        for (final String[] workload : WORKLOADS)
        {
            if (rows.stream().noneMatch(r -> r.method().equals(workload[0]) && r.threads() == threads &&
                r.size() == size && r.distribution().equals(distribution)))
            {
                continue; // a workload this run left out
            }
            final StringBuilder cells = new StringBuilder("| " + workload[1] + " |");
            for (final ByteStoreImplementation impl : ByteStoreImplementation.values())
            {
                final BenchmarkReport.Row row = find(rows, workload[0], threads, size, distribution, impl);
                if (null == row)
                {
                    cells.append(" - | - |");
                    continue;
                }
                final double scale = "ops/s".equals(row.unit()) ? 1e-6 : 1.0; // ops/us is already Mops/s
                cells.append(Double.isNaN(row.error()) ?
                    String.format(Locale.ROOT, " %.2f", row.score() * scale) :
                    String.format(Locale.ROOT, " %.2f ± %.2f", row.score() * scale, row.error() * scale));
                cells.append(" | ").append(BenchmarkReport.bytes(row.bytesPerOp())).append(" |");
            }
            final BenchmarkReport.Row ours = find(rows, workload[0], threads, size, distribution,
                ByteStoreImplementation.SLOTKV);
            for (final ByteStoreImplementation peer : PEERS)
            {
                final BenchmarkReport.Row theirs = find(rows, workload[0], threads, size, distribution, peer);
                cells.append(null == ours || null == theirs ? " - |" : " " +
                    ratio(new double[]{ours.score(), ours.error()}, new double[]{theirs.score(), theirs.error()}) +
                    " |");
            }
            line(cells);
        }
        line();
    }

    private void footprint(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return;
        }
        line("### Byte store footprint (bytes per entry, lower is better)");
        line();
        line("| store | entries | heap B/entry | off-heap B/entry | of which entries | total B/entry | " +
            "RSS growth B/entry |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (final JsonElement element : JsonParser.parseString(Files.readString(file)).getAsJsonArray())
        {
            final JsonObject row = element.getAsJsonObject();
            final long entries = row.get("entries").getAsLong();
            final long entryBytes = row.get("entryBytes").getAsLong();
            line(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %.1f | %.1f |",
                ByteStoreImplementation.valueOf(row.get("impl").getAsString()).displayName(),
                BenchmarkReport.count(entries), row.get("heapBytes").getAsDouble() / entries,
                row.get("offHeapBytes").getAsDouble() / entries,
                entryBytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", entryBytes / (double)entries),
                row.get("bytesPerEntry").getAsDouble(), row.get("rssBytesPerEntry").getAsDouble()));
        }
        line();
        line("RSS growth also counts heap the JVM committed, LMDB's file pages in the page cache that the process " +
            "mapped, and Chronicle Map's runtime-compiled classes: compare the total column.");
        line();
    }

    private void line()
    {
        out.append('\n');
    }

    private void line(final CharSequence text)
    {
        out.append(text).append('\n');
    }
}
