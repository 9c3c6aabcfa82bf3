package io.slotkv.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Bytes per entry of one implementation holding {@code entries} keys, measured in a JVM of its own:
 * heap = used heap after a settled full GC, filled minus empty; off-heap = the map's own accounting
 * ({@link LongLongStore#offHeapBytes()}); RSS = resident set growth of the process (which also sees heap
 * growth, so it is a cross-check, not a sum). Prints one JSON object.
 * <p>
 * {@code java <flags> -cp benchmarks.jar io.slotkv.bench.Footprint SLOTKV 4194304}, or let
 * {@code java -jar benchmarks.jar footprint <out.json>} start one JVM per implementation.
 */
public final class Footprint
{
    private Footprint()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Implementation impl = Implementation.valueOf(args[0]);
        final int entries = Integer.parseInt(args[1]);

        final long heapBefore = settledHeapUsed();
        final long rssBefore = rssBytes();
        final LongLongStore store = impl.open(entries, true);
        for (int i = 0; i < entries; i++)
        {
            store.put(Keys.key(i), Keys.value(i));
        }
        final long heapAfter = settledHeapUsed();
        final long rssAfter = rssBytes();
        final long offHeap = store.offHeapBytes();
        check(store, entries);

        final long heap = Math.max(0, heapAfter - heapBefore);
        System.out.println(String.format(Locale.ROOT,
            "{\"impl\":\"%s\",\"entries\":%d,\"heapBytes\":%d,\"offHeapBytes\":%d,\"rssBytes\":%d," +
            "\"bytesPerEntry\":%.2f,\"rssBytesPerEntry\":%.2f,\"jdk\":\"%s\"}",
            impl, entries, heap, offHeap, rssAfter - rssBefore, (heap + offHeap) / (double)entries,
            (rssAfter - rssBefore) / (double)entries, Runtime.version()));
        store.close();
    }

    private static void check(final LongLongStore store, final int entries)
    {
        for (int i = 0; i < entries; i += 997)
        {
            if (store.get(Keys.key(i)) != Keys.value(i))
            {
                throw new IllegalStateException("lost key: index=" + i);
            }
        }
    }

    /**
     * @return used heap after a few full GCs (the least seen), in bytes.
     */
    static long settledHeapUsed() throws InterruptedException
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * @return the resident set size of this process, in bytes.
     */
    static long rssBytes() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
