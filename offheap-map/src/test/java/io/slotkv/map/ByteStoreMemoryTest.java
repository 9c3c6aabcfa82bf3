package io.slotkv.map;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory a byte store holds, against what it stores: issue #10's churn bound (10M replaces of values of random
 * length over 100K keys stay within twice the live bytes), and the per-entry overhead at 1M entries of 16-byte keys
 * and 100-byte values, printed for the record (the benchmark's footprint run is the published figure).
 */
class ByteStoreMemoryTest
{
    @Test
    void mixedSizeReplacesStayWithinTwiceTheLiveBytes()
    {
        final int keys = 100_000;
        final SplittableRandom random = new SplittableRandom(5);
        final int[] lengths = new int[keys];
        final byte[] buffer = new byte[4096];
        random.nextBytes(buffer);
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(8).build())
        {
            long live = 0;
            for (int k = 0; k < keys; k++)
            {
                lengths[k] = 1 + random.nextInt(4096);
                store.put(key(k), java.util.Arrays.copyOf(buffer, lengths[k]));
                live += key(k).length + lengths[k];
            }
            final org.agrona.concurrent.UnsafeBuffer value = new org.agrona.concurrent.UnsafeBuffer(buffer);
            final org.agrona.concurrent.UnsafeBuffer keyBuffer = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
            long worst = 0;
            for (int op = 0; op < 10_000_000; op++)
            {
                final int k = random.nextInt(keys);
                final int length = 1 + random.nextInt(4096);
                final int keyLength = putKey(keyBuffer, k);
                store.put(keyBuffer, 0, keyLength, value, 0, length);
                live += length - lengths[k];
                lengths[k] = length;
                if (0 == (op & 0x3FFFF))
                {
                    worst = Math.max(worst, store.offHeapBytes());
                    assertTrue(store.offHeapBytes() <= 2 * live,
                        "off-heap " + store.offHeapBytes() + " > 2 x live " + live + " after " + op + " replaces");
                    assertEquals(live, store.keyValueBytes(), "the accounting of keys and values after " + op);
                }
            }
            assertEquals(keys, store.size());
            assertTrue(store.offHeapBytes() <= 2 * live, "off-heap " + store.offHeapBytes() + " > 2 x live " + live);
            System.out.printf("byte store churn: live %,d B, off-heap %,d B (%.2fx), worst sampled %.2fx, " +
                "entry blocks %,d B (%.2fx), fragmentation %.3f%n", live, store.offHeapBytes(),
                (double)store.offHeapBytes() / live, (double)worst / live, store.entryBytes(),
                (double)store.entryBytes() / live, store.fragmentation());
            assertTrue(store.fragmentation() > 0 && store.fragmentation() < 0.5, "fragmentation " +
                store.fragmentation());
        }
    }

    @Test
    void perEntryOverheadAtOneMillionEntries()
    {
        final int entries = 1_000_000;
        final byte[] value = new byte[100];
        final org.agrona.concurrent.UnsafeBuffer key = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
        final org.agrona.concurrent.UnsafeBuffer valueBuffer = new org.agrona.concurrent.UnsafeBuffer(value);
        try (OffHeapByteStore store = OffHeapByteStore.builder().initialCapacity(entries).build())
        {
            for (int i = 0; i < entries; i++)
            {
                key.putLong(0, i * 0x9E37_79B9_7F4A_7C15L);
                key.putLong(8, i);
                store.put(key, 0, 16, valueBuffer, 0, 100);
            }
            assertEquals(entries, store.size());
            final double perEntry = (double)store.offHeapBytes() / entries - 116;
            final double blocks = (double)store.entryBytes() / entries - 116;
            System.out.printf("byte store at %,d entries of 16 + 100 B: %.1f B per entry beyond key and value " +
                "(%.1f in entry blocks, the rest tables and unused arena space), off-heap %,d B%n", entries, perEntry,
                blocks, store.offHeapBytes());
            assertEquals(12.0, blocks, 0.01, "a 128-byte block per entry: 12 bytes of header");
        }
    }

    private static byte[] key(final int k)
    {
        return ("key:" + k).getBytes();
    }

    private static int putKey(final org.agrona.concurrent.UnsafeBuffer buffer, final int k)
    {
        final byte[] bytes = key(k);
        buffer.putBytes(0, bytes);
        return bytes.length;
    }
}
