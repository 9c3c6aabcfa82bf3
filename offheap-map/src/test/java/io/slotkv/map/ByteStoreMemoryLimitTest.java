package io.slotkv.map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte store's memory limit ({@code Builder.maxMemory}, Redis's noeviction): a write that needs the store to
 * grow past it fails before anything changed, nothing is evicted, the store stays readable, and writes that fit the
 * memory it holds go on; against a model, through many refusals.
 */
class ByteStoreMemoryLimitTest
{
    private static final long LIMIT = 6L << 20;

    @TempDir
    Path dir;

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Keys of one length, so every entry of the test is of one size class. */
    private static byte[] key(final String prefix, final int i)
    {
        return bytes(prefix + String.format("%07d", i));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aWriteThatWouldGrowTheStorePastTheLimitFailsAndChangesNothing(final boolean file)
    {
        final OffHeapByteStore.Builder builder = (file ? OffHeapByteStore.builder().file(dir.resolve("limit.store"))
            .chunkSize(1 << 22) : OffHeapByteStore.builder().hugePages(false)).segments(2).maxMemory(LIMIT);
        int stored = 0;
        try (OffHeapByteStore store = builder.build())
        {
            final byte[] value = new byte[200];
            MemoryLimitException refused = null;
            for (; stored < 1_000_000 && null == refused; stored++)
            {
                Arrays.fill(value, (byte)stored);
                try
                {
                    store.put(key("k", stored), value);
                }
                catch (final MemoryLimitException ex)
                {
                    refused = ex;
                    stored--;
                }
            }
            assertTrue(null != refused, "the limit was reached");
            assertTrue(refused.getMessage().contains("maxMemory=" + LIMIT), refused.getMessage());
            assertTrue(store.offHeapBytes() <= LIMIT, "one writer never passes the limit: " + store.offHeapBytes());
            final int refusedKey = stored;
            assertNull(store.get(key("k", refusedKey)), "the refused write left nothing");
            assertEquals(stored, store.size());
            for (int i = 0; i < stored; i++)
            {
                Arrays.fill(value, (byte)i);
                assertArrayEquals(value, store.get(key("k", i)), "kept: " + i);
            }
            // removes go on, and their blocks come back for new keys of their size class: at the limit, the first
            // insert that finds no block rebuilds every segment with tombstones, freeing the removed keys' entries
            for (int i = 0; i < stored; i += 2)
            {
                assertTrue(store.remove(key("k", i)));
            }
            for (int i = 0; i < stored / 3; i++)
            {
                store.put(key("n", i), value); // the removed entries' size class: their blocks are reused
            }
            assertTrue(store.offHeapBytes() <= LIMIT, "within the limit: " + store.offHeapBytes());
        }
        if (file)
        {
            try (OffHeapByteStore store = builder.build())
            {
                assertTrue(store.recoveryReport().isEmpty(), "closed cleanly at the limit");
                assertEquals(stored - (stored + 1) / 2 + stored / 3, store.size());
            }
        }
    }

    /**
     * A table at its threshold whose growth the limit refuses, after a quarter of its keys were removed: the room for
     * twice the live keys is a larger table, which the limit refuses too, so the segment is rebuilt at its own size
     * (which the limit does not count), dropping the tombstones, and the inserts go on. Deterministic: one segment.
     */
    @Test
    void aTableThatCannotGrowIsRebuiltAtItsSizeToReuseTheSlotsOfRemovedKeys()
    {
        final double maxLoad = 0.75;
        final byte[] value = new byte[100];
        final int full;
        final long held;
        try (OffHeapByteStore unlimited = OffHeapByteStore.builder().hugePages(false).segments(1).maxLoad(maxLoad)
            .build())
        {
            int i = 0;
            while (unlimited.capacity() < 8192 || unlimited.size() < LongLongTable.threshold(
                (int)unlimited.capacity(), maxLoad))
            {
                unlimited.put(key("k", i++), value);
            }
            full = i;
            held = unlimited.offHeapBytes();
        }
        final long limit = held + 4096; // not a larger table
        try (OffHeapByteStore store = OffHeapByteStore.builder().hugePages(false).segments(1).maxLoad(maxLoad)
            .maxMemory(limit).build())
        {
            for (int i = 0; i < full; i++)
            {
                store.put(key("k", i), value);
            }
            final long capacity = store.capacity();
            final MemoryLimitException grow = assertThrows(MemoryLimitException.class,
                () -> store.put(key("k", full), value));
            assertTrue(grow.getMessage().contains("a new table"), grow.getMessage());
            final int removed = full / 4;
            for (int i = 0; i < removed; i++)
            {
                assertTrue(store.remove(key("k", i)));
            }
            for (int i = 0; i < removed; i++)
            {
                final int n = i;
                assertFalse(store.put(key("n", n), value), () -> "new key " + n + " of " + removed);
            }
            assertEquals(full, store.size());
            assertEquals(capacity, store.capacity(), "rebuilt at its size");
            assertTrue(store.offHeapBytes() <= limit, store.offHeapBytes() + " > " + limit);
            for (int i = 0; i < full; i++)
            {
                assertArrayEquals(i < removed ? null : value, store.get(key("k", i)), "k" + i);
                assertArrayEquals(i < removed ? value : null, store.get(key("n", i)), "n" + i);
            }
        }
    }

    @Test
    void randomWritesAgainstAModelThroughManyRefusals()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final Map<String, byte[]> model = new HashMap<>();
        int refusals = 0;
        try (OffHeapByteStore store = OffHeapByteStore.builder().hugePages(false).segments(4).maxMemory(LIMIT)
            .build())
        {
            for (int op = 0; op < 200_000; op++)
            {
                final String key = "key" + random.nextInt(30_000);
                final String where = "op " + op + ", " + key;
                if (random.nextInt(4) == 0)
                {
                    assertEquals(null != model.remove(key), store.remove(bytes(key)), where);
                    continue;
                }
                final byte[] value = new byte[random.nextInt(random.nextInt(10) == 0 ? 4_000 : 300)];
                random.nextBytes(value);
                try
                {
                    assertEquals(model.containsKey(key), store.put(bytes(key), value), where);
                    model.put(key, value);
                }
                catch (final MemoryLimitException ex)
                {
                    refusals++;
                    assertArrayEquals(model.get(key), store.get(bytes(key)), where + ": a refused put changed nothing");
                }
                if (op % 50_000 == 0)
                {
                    assertTrue(store.offHeapBytes() <= LIMIT, where + ": " + store.offHeapBytes());
                }
            }
            assertTrue(refusals > 0, "the limit was reached");
            assertEquals(model.size(), store.size());
            for (final Map.Entry<String, byte[]> entry : model.entrySet())
            {
                assertArrayEquals(entry.getValue(), store.get(bytes(entry.getKey())), entry.getKey());
            }
            assertTrue(store.offHeapBytes() <= LIMIT, "at the end: " + store.offHeapBytes());
        }
    }

    @Test
    void aNegativeLimitIsRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> OffHeapByteStore.builder().maxMemory(-1));
        assertTrue(ex.getMessage().contains("bytes=-1"), ex.getMessage());
    }
}
