package io.slotkv.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Bytes per entry of one byte store holding {@code keys} keys ({@link ByteKeys}: 16-byte keys, 100-byte values),
 * measured in a JVM of its own the way {@link Footprint} measures the long maps: heap = used heap after a settled
 * full GC, filled minus before the store was opened; off-heap = the store's own accounting
 * ({@link ByteStore#offHeapBytes()}: SlotKV {@code offHeapBytes()}, Chronicle {@code offHeapMemoryUsed()}, LMDB the
 * data file up to its last page); entry bytes = SlotKV's {@code entryBytes()} (the entries' blocks alone), -1 for
 * the others; RSS = resident set growth (a cross-check, not a sum). Prints one JSON object. The payload alone is
 * 116 bytes per entry.
 * <p>
 * {@code java <flags> -cp benchmarks.jar io.slotkv.bench.ByteStoreFootprint SLOTKV 1000000}, or let
 * {@code java -jar benchmarks.jar byte-footprint <out.json>} start one JVM per implementation.
 */
public final class ByteStoreFootprint
{
    private ByteStoreFootprint()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final ByteStoreImplementation impl = ByteStoreImplementation.valueOf(args[0]);
        final int keys = Integer.parseInt(args[1]);

        final long heapBefore = Footprint.settledHeapUsed();
        final long rssBefore = Footprint.rssBytes();
        final ByteStore store = impl.open(keys);
        store.fill();
        final long heapAfter = Footprint.settledHeapUsed();
        final long rssAfter = Footprint.rssBytes();
        final long offHeap = store.offHeapBytes();
        final long entryBytes = store.entryBytes();
        check(store, keys);

        final long heap = Math.max(0, heapAfter - heapBefore);
        System.out.println(String.format(Locale.ROOT,
            "{\"impl\":\"%s\",\"entries\":%d,\"heapBytes\":%d,\"offHeapBytes\":%d,\"entryBytes\":%d," +
            "\"rssBytes\":%d,\"bytesPerEntry\":%.2f,\"rssBytesPerEntry\":%.2f,\"jdk\":\"%s\"}",
            impl, keys, heap, offHeap, entryBytes, rssAfter - rssBefore, (heap + offHeap) / (double)keys,
            (rssAfter - rssBefore) / (double)keys, Runtime.version()));
        store.close();
    }

    private static void check(final ByteStore store, final int keys)
    {
        try (ByteStore.Session session = store.session())
        {
            for (int i = 0; i < keys; i += 997)
            {
                if (!Arrays.equals(ByteKeys.value(i), session.copyOf(i)))
                {
                    throw new IllegalStateException("lost or wrong value: index=" + i);
                }
            }
        }
    }
}
