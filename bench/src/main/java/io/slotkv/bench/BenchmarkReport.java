package io.slotkv.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.DataFormatException;

/**
 * Generates {@code docs/benchmarks.md} and its PNG charts (XChart) from the files {@code bench/run-full.sh} leaves
 * in {@code docs/bench}: JMH JSON results, {@code footprint.json}, {@code growth-latency.txt} (HdrHistograms),
 * {@code machine.txt}, {@code commands.txt}, and an optional hand-written {@code notes.md} appended as analysis;
 * the byte store section from {@code docs/bench/bytes} ({@code bench/run-bytes.sh}, {@link ByteStoreReport}).
 * <p>
 * {@code java -Djava.awt.headless=true -jar bench/target/benchmarks.jar report docs/bench docs/benchmarks.md}
 */
public final class BenchmarkReport
{
    private static final String[][] WORKLOADS = {
        {"get", "get (YCSB-C)"},
        {"put", "put (update)"},
        {"getPut95", "95/5 get/put (YCSB-B)"},
        {"getPut50", "50/50 get/put (YCSB-A)"},
        {"getIncrement50", "50/50 get/increment"},
        {"getAbsent", "get absent key"},
        {"getBatch", "get, 16 keys per getAll"},
    };

    private static final String[][] CONFIGURATION = {
        {"SLOTKV", "`OffHeapLongLongMap.builder().missingValue(Long.MIN_VALUE).initialCapacity(n).build()`: default " +
            "segments (4 x cores rounded up to a power of two = 8 here), max load 0.7, anonymous off-heap memory. " +
            "Growing insert: no `initialCapacity`. increment = `incrementAndGet`."},
        {"CHM", "`new ConcurrentHashMap<Long, Long>(n)` (growing insert: `new ConcurrentHashMap<>()`); boxed keys " +
            "and values as most Java code uses it; increment = `merge(key, 1L, Long::sum)`."},
        {"SLOTKV_4K", "As SLOTKV, with `.hugePages(false)`: tables on 4 KiB pages."},
        {"SLOTKV_FILE", "As SLOTKV, with `.file(path)`: a store file in the temporary directory (the page cache of a " +
            "disk-backed /tmp here), deleted at close."},
        {"CHM_THP", "As CHM, in JVMs started with `-XX:+UseTransparentHugePages` (the heap on huge pages; the " +
            "benchmark refuses to run this row without the flag)."},
        {"NBHML", "JCTools 4.0.5 `new NonBlockingHashMapLong<Long>(n)` (growing insert: no size); primitive keys, " +
            "boxed values; no atomic add, so increment = `get` + `replace(key, old, new)` / `putIfAbsent` retry loop."},
        {"CHRONICLE", "Chronicle Map 2026.1 `ChronicleMap.of(Long.class, Long.class).entries(max(1000, n)).create()`" +
            " in anonymous memory; `Long` is fixed-size so no `averageKey`; must be told its entry count, so the " +
            "growing insert also gets `entries(n)`; `get`/`put` box and deserialise; increment = `merge` (under the " +
            "segment lock)."},
        {"AGRONA_LOCKED", "Agrona 2.6.0 `new Long2LongHashMap(ceil(n / 0.65) + 1, 0.65f, Long.MIN_VALUE)` (growing " +
            "insert: capacity 8), every call inside `synchronized (map)`; increment = `get` + `put` under the lock."},
    };

    private final Path dir;
    private final Path markdown;
    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    private BenchmarkReport(final Path dir, final Path markdown)
    {
        this.dir = dir;
        this.markdown = markdown;
    }

    public static void main(final String[] args) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final Path dir = Path.of(args.length > 0 ? args[0] : "docs/bench");
        final Path markdown = Path.of(args.length > 1 ? args[1] : "docs/benchmarks.md");
        final BenchmarkReport report = new BenchmarkReport(dir, markdown);
        report.load();
        report.write();
        Files.writeString(markdown, report.out.toString());
        System.out.println("wrote " + markdown + " and charts in " + dir);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // input

    /** One JMH result: a benchmark method with one set of parameters. */
    record Row(
        String file, String method, String mode, int threads, String impl, int size, String distribution,
        double score, double error, String unit, double bytesPerOp, Map<String, Double> percentiles, int forks,
        int warmupIterations, String warmupTime, int measurementIterations, String measurementTime,
        String jdk, String vm, List<String> jvmArgs)
    {
        /** Throughput in Mops/s; a single-shot fill (ms) becomes inserts per microsecond. */
        double mops()
        {
            return "ss".equals(mode) ? size / (score * 1000.0) : score;
        }

        /** Bytes allocated per operation; per insert for a single-shot fill. */
        double bytes()
        {
            return "ss".equals(mode) ? bytesPerOp / size : bytesPerOp;
        }
    }

    private void load() throws IOException
    {
        rows.addAll(rows(dir));
    }

    /**
     * @return the results of every JMH JSON file in {@code dir} (not its subdirectories; {@code footprint.json}
     * skipped), in file name order.
     */
    static List<Row> rows(final Path dir) throws IOException
    {
        final List<Row> rows = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json"))
        {
            final List<Path> sorted = new ArrayList<>();
            files.forEach(sorted::add);
            sorted.sort(null);
            for (final Path file : sorted)
            {
                if (file.getFileName().toString().equals("footprint.json"))
                {
                    continue;
                }
                final JsonArray results;
                try (Reader reader = Files.newBufferedReader(file))
                {
                    results = JsonParser.parseReader(reader).getAsJsonArray();
                }
                for (final JsonElement element : results)
                {
                    rows.add(row(file.getFileName().toString(), element.getAsJsonObject()));
                }
            }
        }
        return rows;
    }

    private static Row row(final String file, final JsonObject json)
    {
        final String benchmark = json.get("benchmark").getAsString();
        final JsonObject params = json.has("params") ? json.getAsJsonObject("params") : new JsonObject();
        final JsonObject primary = json.getAsJsonObject("primaryMetric");
        double bytes = Double.NaN;
        final JsonObject secondary = json.getAsJsonObject("secondaryMetrics");
        for (final Map.Entry<String, JsonElement> metric : secondary.entrySet())
        {
            if (metric.getKey().endsWith("gc.alloc.rate.norm"))
            {
                bytes = metric.getValue().getAsJsonObject().get("score").getAsDouble();
            }
        }
        final Map<String, Double> percentiles = new TreeMap<>();
        if (primary.has("scorePercentiles"))
        {
            for (final Map.Entry<String, JsonElement> p : primary.getAsJsonObject("scorePercentiles").entrySet())
            {
                percentiles.put(p.getKey(), p.getValue().getAsDouble());
            }
        }
        final List<String> jvmArgs = new ArrayList<>();
        json.getAsJsonArray("jvmArgs").forEach(arg -> jvmArgs.add(arg.getAsString()));
        final double error = primary.get("scoreError").isJsonPrimitive() &&
            primary.get("scoreError").getAsJsonPrimitive().isNumber() ? primary.get("scoreError").getAsDouble() : Double.NaN;
        return new Row(
            file,
            benchmark.substring(benchmark.lastIndexOf('.') + 1),
            json.get("mode").getAsString(),
            json.get("threads").getAsInt(),
            string(params, "impl"),
            Integer.parseInt(string(params, params.has("size") ? "size" : "keys")), // ByteStoreBenchmark: keys
            string(params, "distribution"),
            primary.get("score").getAsDouble(),
            error,
            primary.get("scoreUnit").getAsString(),
            bytes,
            percentiles,
            json.get("forks").getAsInt(),
            json.get("warmupIterations").getAsInt(),
            string(json, "warmupTime"),
            json.get("measurementIterations").getAsInt(),
            string(json, "measurementTime"),
            string(json, "jdkVersion"),
            string(json, "vmName") + " " + string(json, "vmVersion"),
            jvmArgs);
    }

    private static String string(final JsonObject json, final String key)
    {
        return json.has(key) && !json.get(key).isJsonNull() ? json.get(key).getAsString() : "";
    }

    private Map<String, String> machine() throws IOException
    {
        return machine(dir);
    }

    /**
     * @return the {@code key: value} lines of {@code dir/machine.txt} (empty if there is none).
     */
    static Map<String, String> machine(final Path dir) throws IOException
    {
        final Map<String, String> machine = new LinkedHashMap<>();
        final Path file = dir.resolve("machine.txt");
        if (Files.exists(file))
        {
            for (final String line : Files.readAllLines(file))
            {
                final int colon = line.indexOf(':');
                if (colon > 0)
                {
                    machine.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        }
        return machine;
    }

    private List<Row> select(final String file, final String method, final int threads, final int size,
        final String distribution)
    {
        return rows.stream()
            .filter(r -> r.file.startsWith(file) && r.method.equals(method) && r.threads == threads &&
                r.size == size && (null == distribution || distribution.equals(r.distribution)))
            .collect(Collectors.toList());
    }

    private Row find(final String file, final String method, final int threads, final int size,
        final String distribution, final String impl)
    {
        for (final Row row : select(file, method, threads, size, distribution))
        {
            if (row.impl.equals(impl))
            {
                return row;
            }
        }
        return null;
    }

    private Set<Integer> threadCounts()
    {
        return rows.stream().map(Row::threads).collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<Integer> sizes(final String file)
    {
        return rows.stream().filter(r -> r.file.startsWith(file)).map(Row::size)
            .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // output

    private void write() throws IOException
    {
        final Map<String, String> machine = machine();
        final int big = sizes("grow").stream().max(Integer::compare).orElse(4_194_304);
        line("# SlotKV benchmarks");
        line();
        line("Generated by `bench/run-full.sh` (`" + getClass().getSimpleName() + "` in the bench module) from the " +
            "raw JMH JSON in [`docs/bench/`](bench/). Do not edit by hand: rerun the script, or " +
            "`REPORT_ONLY=1 bench/run-full.sh` to regenerate from the JSON. Every number below comes from one run: " +
            machine.getOrDefault("date", "?") + " to " + machine.getOrDefault("finished", "?") + ", commit " +
            machine.getOrDefault("commit", "?") + ".");
        line();
        targets(big, machine);
        environment(machine);
        method();
        throughput();
        growth(big);
        allocation(big);
        latency(big);
        growthLatency();
        growthReadLatency();
        footprint();
        out.append(ByteStoreReport.section(dir.resolve(ByteStoreReport.DIRECTORY)));
        commands();
        final Path notes = dir.resolve("notes.md");
        if (Files.exists(notes))
        {
            line(Files.readString(notes).trim());
            line();
        }
    }

    private void targets(final int big, final Map<String, String> machine) throws IOException
    {
        line("## Against the targets (" + count(big) + " keys, zipfian 0.99)");
        line();
        line("Ratio = SlotKV throughput / ConcurrentHashMap throughput, both measured in the same run.");
        line();
        line("| target | threads | SlotKV | ConcurrentHashMap | ratio / value | goal | met |");
        line("|---|---:|---:|---:|---:|---:|:---:|");
        for (final int threads : threadCounts())
        {
            ratioTarget("get", "throughput-zipfian", "get", threads, big, "ZIPFIAN", 3.0);
            ratioTarget("get, 16 keys per getAll", "throughput-zipfian", "getBatch", threads, big, "ZIPFIAN", 3.0);
            ratioTarget("get absent key", "throughput-zipfian", "getAbsent", threads, big, "ZIPFIAN", 1.5);
            final int small = sizes("throughput-zipfian").stream().min(Integer::compare).orElse(big);
            if (small < big)
            {
                ratioTarget("get, " + count(small) + " keys (in cache)", "throughput-zipfian", "get", threads, small,
                    "ZIPFIAN", 1.5);
                peerTarget("get, " + count(small) + " keys, vs NBHML", "get", threads, small, "NBHML", 1.0);
            }
            ratioTarget("50/50 get/put", "throughput-zipfian", "getPut50", threads, big, "ZIPFIAN", 4.0);
            ratioTarget("growing insert 0 -> " + count(big), "grow", "fill", threads, big, null, 3.0);
            for (final String method : new String[] {"get", "put", "getPut50", "getIncrement50"})
            {
                final Row row = find("throughput-zipfian", method, threads, big, "ZIPFIAN", "SLOTKV");
                final Row chm = find("throughput-zipfian", method, threads, big, "ZIPFIAN", "CHM");
                if (null != row)
                {
                    line(String.format(Locale.ROOT, "| B/op, %s | %d | %s | %s | %s | 0 | %s |", title(method), threads,
                        bytes(row.bytes()), null == chm ? "" : bytes(chm.bytes()), bytes(row.bytes()),
                        row.bytes() < 0.5 ? "yes" : "**no**"));
                }
            }
        }
        final Map<String, JsonObject> footprint = footprintRows();
        final JsonObject slotkv = footprint.get("SLOTKV");
        final JsonObject chm = footprint.get("CHM");
        if (null != slotkv)
        {
            final double perEntry = slotkv.get("bytesPerEntry").getAsDouble();
            line(String.format(Locale.ROOT, "| bytes/entry at %s | - | %.1f | %s | %.1f | <= 24 | %s |",
                count(slotkv.get("entries").getAsLong()), perEntry,
                null == chm ? "" : String.format(Locale.ROOT, "%.1f", chm.get("bytesPerEntry").getAsDouble()),
                perEntry, perEntry <= 24 ? "yes" : "**no**"));
        }
        line();
    }

    private void ratioTarget(final String label, final String file, final String method, final int threads,
        final int size, final String distribution, final double goal)
    {
        final Row slotkv = find(file, method, threads, size, distribution, "SLOTKV");
        final Row chm = find(file, method, threads, size, distribution, "CHM");
        if (null == slotkv || null == chm)
        {
            line("| " + label + " | " + threads + " | missing | missing | | | |");
            return;
        }
        final double ratio = slotkv.mops() / chm.mops();
        line(String.format(Locale.ROOT, "| %s | %d | %.2f Mops/s | %.2f Mops/s | %.2fx | >= %sx | %s |", label, threads,
            slotkv.mops(), chm.mops(), ratio, goal(goal), ratio >= goal ? "yes" : "**no**"));
    }

    private void peerTarget(final String label, final String method, final int threads, final int size,
        final String peer, final double goal)
    {
        final Row slotkv = find("throughput-zipfian", method, threads, size, "ZIPFIAN", "SLOTKV");
        final Row other = find("throughput-zipfian", method, threads, size, "ZIPFIAN", peer);
        if (null == slotkv || null == other)
        {
            line("| " + label + " | " + threads + " | missing | missing | | | |");
            return;
        }
        final double ratio = slotkv.mops() / other.mops();
        line(String.format(Locale.ROOT, "| %s | %d | %.2f Mops/s | (%s %.2f Mops/s) | %.2fx | >= %sx | %s |", label,
            threads, slotkv.mops(), peer, other.mops(), ratio, goal(goal), ratio >= goal ? "yes" : "**no**"));
    }

    private static String goal(final double goal)
    {
        return goal == Math.rint(goal) ? String.format(Locale.ROOT, "%.0f", goal) :
            String.format(Locale.ROOT, "%.1f", goal);
    }

    /**
     * The {@code growth-read-latency} harness's summaries: one line per implementation, gets timed one by one by a
     * reader thread while a writer grows the map.
     */
    private void growthReadLatency() throws IOException
    {
        final List<String> summaries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "growth-read-latency-*.txt"))
        {
            for (final Path file : files)
            {
                final List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty())
                {
                    summaries.add(lines.get(0));
                }
            }
        }
        if (summaries.isEmpty())
        {
            return;
        }
        java.util.Collections.sort(summaries);
        line("## Get latency while the map grows (`growth-read-latency`, HdrHistogram of every get)");
        line();
        line("One thread inserts 0 -> n keys into an unsized map (several rounds); another gets keys already " +
            "inserted, each timed with `System.nanoTime()` (its ~20 ns cost is in every figure); one JVM per " +
            "implementation, `-Xms4g -Xmx4g`. Full histograms in `docs/bench/growth-read-latency-*.txt`. Goal for " +
            "SlotKV: p99.9 <= 10 us, max <= 1 ms.");
        line();
        for (final String summary : summaries)
        {
            line("- " + summary);
        }
        line();
    }

    private void environment(final Map<String, String> machine)
    {
        line("## Machine and JVM");
        line();
        line("| | |");
        line("|---|---|");
        for (final String key : new String[] {"cpu", "cores", "memory", "kernel", "load before", "load after"})
        {
            if (machine.containsKey(key))
            {
                line("| " + key + " | " + machine.get(key) + " |");
            }
        }
        final Set<String> jdks = new LinkedHashSet<>();
        final Set<String> flags = new LinkedHashSet<>();
        for (final Row row : rows)
        {
            jdks.add(row.jdk + " (" + row.vm + ")");
            flags.add(String.join(" ", row.jvmArgs.stream()
                .filter(a -> !a.startsWith("-Dslotkv.bench.growthLatencyFile")).collect(Collectors.toList())));
        }
        line("| JDK | " + String.join(", ", jdks) + " |");
        line("| GC | JVM default (G1), `-Xms4g -Xmx4g` in every fork |");
        line();
        line("JVM flags of every forked benchmark JVM (from the JSON; `-Dagrona.disable.bounds.checks=true` turns off " +
            "Agrona's bounds checks in the benchmark forks only, never in tests; the `--add-*`/`--enable-native-access`/" +
            "`--sun-misc-unsafe-memory-access` flags are SlotKV's `slotkv.jvm.flags` from the parent pom plus the " +
            "extra opens Chronicle Map needs for its runtime compiler):");
        line();
        for (final String flag : flags)
        {
            line("```");
            line(flag);
            line("```");
        }
        line();
    }

    private void method()
    {
        line("## Method");
        line();
        line("- JMH 1.37, `-prof gc` on every run (B/op = `gc.alloc.rate.norm`), `-foe true`. Throughput in Mops/s " +
            "(= JMH ops/us) with JMH's 99.9% confidence half-width; single-shot fills converted to inserts/s = keys / time.");
        line("- The map is filled with keys 0..n-1 (a bijective 64-bit scramble of the index) in `@Setup(Level.Trial)`; " +
            "puts and increments hit present keys only, so the steady-state workloads never grow the map. Absent keys " +
            "are the scrambles of n..2n-1.");
        line("- Keys per thread are drawn before measurement (2^20 per thread, then repeated): YCSB's scrambled zipfian " +
            "(theta 0.99, FNV-hashed ranks) or uniform; the read/write choice of each operation is a precomputed " +
            "random bit. All threads share one map. Threads = JMH `-t`, on this machine (load averages before and after the run are in the table above).");
        line("- Growing insert (`GrowBenchmark.fill`): SingleShotTime; each iteration starts from an empty, unsized " +
            "map and the threads insert disjoint shares of n keys; a full GC runs between iterations, outside the " +
            "measurement.");
        line("- Latency: JMH SampleTime on the steady-state workloads; during growth an HdrHistogram of every insert " +
            "(`System.nanoTime()` around each put, so ~20-30 ns of timer cost is included) over the measured fills.");
        line("- Footprint: one fresh JVM per implementation (`benchmarks.jar footprint`), n keys inserted into a " +
            "presized map; heap = used heap after repeated `System.gc()`, filled minus empty; off-heap = the map's own " +
            "accounting (SlotKV `offHeapBytes()`, Chronicle `offHeapMemoryUsed()`); RSS growth as a cross-check.");
        line();
        line("| result file | benchmark | mode | forks | warmup | measurement |");
        line("|---|---|---|---:|---|---|");
        final Set<String> seen = new LinkedHashSet<>();
        for (final Row row : rows)
        {
            final String key = row.file + "|" + row.method;
            if (seen.add(key))
            {
                line(String.format(Locale.ROOT, "| [%s](bench/%s) | %s | %s | %d | %d x %s | %d x %s |", row.file,
                    row.file, row.method, row.mode, row.forks, row.warmupIterations,
                    "ss".equals(row.mode) ? "fill" : row.warmupTime, row.measurementIterations,
                    "ss".equals(row.mode) ? "fill" : row.measurementTime));
            }
        }
        line();
        line("How each implementation is configured:");
        line();
        line("| implementation | configuration |");
        line("|---|---|");
        for (final String[] config : CONFIGURATION)
        {
            line("| " + Implementation.valueOf(config[0]).displayName() + " | " + config[1] + " |");
        }
        line();
    }

    private void throughput() throws IOException
    {
        line("## Throughput");
        line();
        for (final String distribution : new String[] {"ZIPFIAN", "UNIFORM"})
        {
            final String file = "throughput-" + distribution.toLowerCase(Locale.ROOT);
            for (final int size : sizes(file))
            {
                for (final int threads : threadCounts())
                {
                    throughputTable(file, distribution, size, threads);
                }
            }
        }
    }

    private void throughputTable(final String file, final String distribution, final int size, final int threads)
        throws IOException
    {
        final List<String[]> workloads = new ArrayList<>();
        for (final String[] workload : WORKLOADS)
        {
            if (!select(file, workload[0], threads, size, distribution).isEmpty())
            {
                workloads.add(workload);
            }
        }
        if (workloads.isEmpty())
        {
            return;
        }
        final String name = String.format(Locale.ROOT, "throughput-%s-%s-t%d", distribution.toLowerCase(Locale.ROOT),
            count(size), threads);
        line(String.format(Locale.ROOT, "### %s keys, %s, %d thread%s (Mops/s, higher is better)", count(size),
            distribution.toLowerCase(Locale.ROOT), threads, threads == 1 ? "" : "s"));
        line();
        final StringBuilder header = new StringBuilder("| workload |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final Implementation impl : Implementation.values())
        {
            header.append(' ').append(impl.displayName()).append(" |");
            rule.append("---:|");
        }
        line(header.append(" SlotKV / CHM |"));
        line(rule.append("---:|"));
        final CategoryChart chart = chart(String.format(Locale.ROOT, "Throughput, %s keys, %s, %d thread(s)",
            count(size), distribution.toLowerCase(Locale.ROOT), threads), "Mops/s");
        final List<String> labels = new ArrayList<>();
        for (final String[] workload : workloads)
        {
            labels.add(workload[1]);
        }
        final Map<Implementation, List<Double>> series = new LinkedHashMap<>();
        for (final String[] workload : workloads)
        {
            final StringBuilder cells = new StringBuilder("| " + workload[1] + " |");
            for (final Implementation impl : Implementation.values())
            {
                final Row row = find(file, workload[0], threads, size, distribution, impl.name());
                cells.append(' ').append(null == row ? "-" : mops(row)).append(" |");
                series.computeIfAbsent(impl, k -> new ArrayList<>()).add(null == row ? 0.0 : row.mops());
            }
            cells.append(' ').append(ratio(find(file, workload[0], threads, size, distribution, "SLOTKV"),
                find(file, workload[0], threads, size, distribution, "CHM"))).append(" |");
            line(cells);
        }
        line();
        for (final Map.Entry<Implementation, List<Double>> entry : series.entrySet())
        {
            chart.addSeries(entry.getKey().displayName(), labels, entry.getValue());
        }
        save(chart, name);
        line("![" + name + "](bench/" + name + ".png)");
        line();
    }

    private void growth(final int big) throws IOException
    {
        line("## Insert into a growing map (0 -> " + count(big) + " keys, no size hint)");
        line();
        line("| implementation | threads | ms per fill | M inserts/s | SlotKV / this | B/insert |");
        line("|---|---:|---:|---:|---:|---:|");
        final CategoryChart chart = chart("Growing insert 0 -> " + count(big) + " keys", "M inserts/s");
        final List<String> labels = new ArrayList<>();
        final Map<Implementation, List<Double>> series = new LinkedHashMap<>();
        for (final int threads : threadCounts())
        {
            if (select("grow", "fill", threads, big, null).isEmpty())
            {
                continue;
            }
            labels.add(threads + " thread" + (threads == 1 ? "" : "s"));
            final Row slotkv = find("grow", "fill", threads, big, null, "SLOTKV");
            for (final Implementation impl : Implementation.values())
            {
                final Row row = find("grow", "fill", threads, big, null, impl.name());
                series.computeIfAbsent(impl, k -> new ArrayList<>()).add(null == row ? 0.0 : row.mops());
                if (null != row)
                {
                    line(String.format(Locale.ROOT, "| %s | %d | %.1f ± %.1f | %.2f | %s | %s |", impl.displayName(),
                        threads, row.score, row.error, row.mops(), ratio(slotkv, row), bytes(row.bytes())));
                }
            }
        }
        line();
        if (!labels.isEmpty())
        {
            for (final Map.Entry<Implementation, List<Double>> entry : series.entrySet())
            {
                chart.addSeries(entry.getKey().displayName(), labels, entry.getValue());
            }
            save(chart, "grow");
            line("![grow](bench/grow.png)");
            line();
        }
    }

    private void allocation(final int big) throws IOException
    {
        line("## Allocation (bytes per operation, `-prof gc`, " + count(big) + " keys, zipfian)");
        line();
        final StringBuilder header = new StringBuilder("| workload | threads |");
        final StringBuilder rule = new StringBuilder("|---|---:|");
        for (final Implementation impl : Implementation.values())
        {
            header.append(' ').append(impl.displayName()).append(" |");
            rule.append("---:|");
        }
        line(header);
        line(rule);
        final CategoryChart chart = chart("Bytes allocated per operation, " + count(big) + " keys, zipfian, 1 thread",
            "B/op");
        final List<String> labels = new ArrayList<>();
        final Map<Implementation, List<Double>> series = new LinkedHashMap<>();
        final int first = threadCounts().stream().findFirst().orElse(1);
        for (final int threads : threadCounts())
        {
            for (final String[] workload : WORKLOADS)
            {
                if (select("throughput-zipfian", workload[0], threads, big, "ZIPFIAN").isEmpty())
                {
                    continue;
                }
                final StringBuilder cells = new StringBuilder("| " + workload[1] + " | " + threads + " |");
                for (final Implementation impl : Implementation.values())
                {
                    final Row row = find("throughput-zipfian", workload[0], threads, big, "ZIPFIAN", impl.name());
                    cells.append(' ').append(null == row ? "-" : bytes(row.bytes())).append(" |");
                    if (threads == first)
                    {
                        series.computeIfAbsent(impl, k -> new ArrayList<>()).add(null == row ? 0.0 : row.bytes());
                    }
                }
                if (threads == first)
                {
                    labels.add(workload[1]);
                }
                line(cells);
            }
        }
        line();
        if (!labels.isEmpty())
        {
            for (final Map.Entry<Implementation, List<Double>> entry : series.entrySet())
            {
                chart.addSeries(entry.getKey().displayName(), labels, entry.getValue());
            }
            save(chart, "bytes-per-op");
            line("![bytes per op](bench/bytes-per-op.png)");
            line();
        }
    }

    private void latency(final int big)
    {
        final List<Row> sampled = rows.stream().filter(r -> r.file.startsWith("latency")).collect(Collectors.toList());
        if (sampled.isEmpty())
        {
            return;
        }
        line("## Latency per operation (JMH SampleTime, ns, " + count(big) + " keys, zipfian)");
        line();
        line("JMH samples individual calls; its timer adds a few tens of ns, so p50 is an upper bound.");
        line();
        line("| workload | threads | implementation | p50 | p99 | p99.9 | p99.99 | max |");
        line("|---|---:|---|---:|---:|---:|---:|---:|");
        for (final int threads : threadCounts())
        {
            for (final String[] workload : WORKLOADS)
            {
                for (final Implementation impl : Implementation.values())
                {
                    final Row row = find("latency", workload[0], threads, big, "ZIPFIAN", impl.name());
                    if (null != row)
                    {
                        line(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f |",
                            workload[1], threads, impl.displayName(), row.percentiles.get("50.0"),
                            row.percentiles.get("99.0"), row.percentiles.get("99.9"), row.percentiles.get("99.99"),
                            row.percentiles.get("100.0")));
                    }
                }
            }
        }
        line();
    }

    private void growthLatency() throws IOException
    {
        final Path file = dir.resolve("growth-latency.txt");
        if (!Files.exists(file))
        {
            return;
        }
        final Map<String, Histogram> merged = new LinkedHashMap<>();
        for (final String line : Files.readAllLines(file))
        {
            final String[] fields = line.split("\t");
            if (fields.length != 4)
            {
                continue;
            }
            final Histogram histogram;
            try
            {
                histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(fields[3])), 0);
            }
            catch (final DataFormatException ex)
            {
                throw new IOException("bad histogram in " + file + ": " + fields[0], ex);
            }
            merged.computeIfAbsent(fields[0] + "\t" + fields[1] + "\t" + fields[2],
                k -> new Histogram(histogram.getHighestTrackableValue(), 3)).add(histogram);
        }
        line("## Insert latency while the map grows (HdrHistogram of every insert, us)");
        line();
        line("Each insert timed with `System.nanoTime()` during the measured fills of `GrowBenchmark.fillTimed` " +
            "(0 -> n keys, unsized map); the tail is where table resizes (and, on heap, GC pauses) land.");
        line();
        line("| implementation | keys | threads | inserts | p50 | p99 | p99.9 | p99.99 | max |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        final List<String> keys = new ArrayList<>(merged.keySet());
        keys.sort((a, b) -> {
            final String[] x = a.split("\t");
            final String[] y = b.split("\t");
            final int byThreads = Integer.compare(Integer.parseInt(x[2]), Integer.parseInt(y[2]));
            return 0 != byThreads ? byThreads : Integer.compare(Implementation.valueOf(x[0]).ordinal(),
                Implementation.valueOf(y[0]).ordinal());
        });
        for (final String key : keys)
        {
            final String[] fields = key.split("\t");
            final Histogram h = merged.get(key);
            line(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %.2f | %.2f | %.2f | %.1f | %.1f |",
                Implementation.valueOf(fields[0]).displayName(), count(Long.parseLong(fields[1])), fields[2],
                h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3));
        }
        line();
    }

    private Map<String, JsonObject> footprintRows() throws IOException
    {
        final Map<String, JsonObject> byImpl = new LinkedHashMap<>();
        final Path file = dir.resolve("footprint.json");
        if (Files.exists(file))
        {
            for (final JsonElement element : JsonParser.parseString(Files.readString(file)).getAsJsonArray())
            {
                byImpl.put(element.getAsJsonObject().get("impl").getAsString(), element.getAsJsonObject());
            }
        }
        return byImpl;
    }

    private void footprint() throws IOException
    {
        final Map<String, JsonObject> footprint = footprintRows();
        if (footprint.isEmpty())
        {
            return;
        }
        final long entries = footprint.values().iterator().next().get("entries").getAsLong();
        line("## Footprint at " + count(entries) + " entries (bytes per entry, lower is better)");
        line();
        line("| implementation | heap B/entry | off-heap B/entry | total B/entry | RSS growth B/entry |");
        line("|---|---:|---:|---:|---:|");
        final CategoryChart chart = chart("Bytes per entry at " + count(entries) + " entries", "bytes/entry");
        final List<String> labels = List.of("heap + off-heap", "RSS growth");
        for (final JsonObject row : footprint.values())
        {
            final Implementation impl = Implementation.valueOf(row.get("impl").getAsString());
            final double heap = row.get("heapBytes").getAsDouble() / entries;
            final double offHeap = row.get("offHeapBytes").getAsDouble() / entries;
            line(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |", impl.displayName(), heap, offHeap,
                row.get("bytesPerEntry").getAsDouble(), row.get("rssBytesPerEntry").getAsDouble()));
            chart.addSeries(impl.displayName(), labels,
                List.of(row.get("bytesPerEntry").getAsDouble(), row.get("rssBytesPerEntry").getAsDouble()));
        }
        line();
        line("RSS growth also counts heap the JVM committed and, for Chronicle Map, the classes it compiles at " +
            "runtime; the heap + off-heap column is the figure to compare. A 16-byte key+value slot is the floor for " +
            "an open-addressing long->long table: 16 / load factor.");
        line();
        save(chart, "bytes-per-entry");
        line("![bytes per entry](bench/bytes-per-entry.png)");
        line();
    }

    private void commands() throws IOException
    {
        line("## Commands");
        line();
        line("Build: `mvn -q -pl bench -am package -DskipTests`; full run: `bench/run-full.sh` with " +
            machine().getOrDefault("settings", "the defaults") + ". It ran:");
        line();
        line("```");
        final Path file = dir.resolve("commands.txt");
        if (Files.exists(file))
        {
            line(Files.readString(file).trim());
        }
        line("```");
        line();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    private static CategoryChart chart(final String title, final String yAxis)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(title)
            .yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }

    private void save(final CategoryChart chart, final String name) throws IOException
    {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String mops(final Row row)
    {
        return Double.isNaN(row.error) ? String.format(Locale.ROOT, "%.2f", row.mops()) :
            String.format(Locale.ROOT, "%.2f ± %.2f", row.mops(), row.error);
    }

    private static String ratio(final Row a, final Row b)
    {
        return null == a || null == b ? "-" : String.format(Locale.ROOT, "%.2fx", a.mops() / b.mops());
    }

    static String bytes(final double bytes)
    {
        return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, bytes < 0.05 ? "%.0f" : "%.1f", Math.abs(bytes) < 0.05 ? 0.0 : bytes);
    }

    private static String title(final String method)
    {
        for (final String[] workload : WORKLOADS)
        {
            if (workload[0].equals(method))
            {
                return workload[1];
            }
        }
        return method;
    }

    static String count(final long n)
    {
        if (n % (1 << 20) == 0)
        {
            return (n >> 20) + "Mi";
        }
        if (n % 1_000_000 == 0)
        {
            return (n / 1_000_000) + "M";
        }
        if (n % 1000 == 0)
        {
            return (n / 1000) + "K";
        }
        return Long.toString(n);
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
