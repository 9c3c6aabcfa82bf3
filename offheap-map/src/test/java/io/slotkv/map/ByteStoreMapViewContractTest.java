package io.slotkv.map;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.slotkv.map.ByteStoreMapViewTest.INT_KEYS;
import static io.slotkv.map.ByteStoreMapViewTest.LONG_VALUES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What guava-testlib's suite ({@link ByteStoreMapViewTest}) does not check of the byte store's views: atomicity
 * under racing threads (exact results), weak consistency of the iterators while a writer replaces tables, the
 * contract's choices (other types are absent, nulls refused, iterator remove of the exact bytes read) and codec
 * exceptions passed on unchanged. Bounded by time-outs as hang guards; nothing asserts on elapsed time.
 */
@Timeout(120)
class ByteStoreMapViewContractTest
{
    private static final int THREADS = 4;

    @Test
    void racingMergeCountersAreExact() throws Exception
    {
        final int keys = 64;
        final int perThread = 320 * keys; // a multiple of keys: every counter ends at THREADS * 320
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            final ConcurrentMap<Integer, Long> counters = store.asConcurrentMap(INT_KEYS, LONG_VALUES);
            ByteStoreConcurrencyTest.run(THREADS, t ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    counters.merge(i % keys, 1L, Long::sum);
                }
            });
            assertEquals(keys, counters.size());
            for (int k = 0; k < keys; k++)
            {
                assertEquals((long)THREADS * perThread / keys, counters.get(k), "counter " + k);
            }
        }
    }

    @Test
    void racingPutIfAbsentHasOneWinnerAndLosersSeeItsValue() throws Exception
    {
        final int keys = 20_000;
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final ConcurrentMap<String, String> map = store.asConcurrentMap();
            final AtomicLong wins = new AtomicLong();
            final String[][] seen = new String[THREADS][keys];
            ByteStoreConcurrencyTest.run(THREADS, t ->
            {
                for (int i = 0; i < keys; i++)
                {
                    final String mine = "thread-" + t;
                    final String previous = map.putIfAbsent("key-" + i, mine);
                    if (null == previous)
                    {
                        wins.incrementAndGet();
                    }
                    seen[t][i] = null == previous ? mine : previous;
                }
            });
            assertEquals(keys, wins.get());
            assertEquals(keys, map.size());
            for (int i = 0; i < keys; i++)
            {
                final String winner = map.get("key-" + i);
                for (int t = 0; t < THREADS; t++)
                {
                    assertEquals(winner, seen[t][i], "key-" + i + " as thread " + t + " saw it");
                }
            }
        }
    }

    @Test
    void iteratorsWhileWriterChurnsHandOutStableKeysOnce() throws Exception
    {
        final int stable = 5_000;
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            final ConcurrentMap<String, String> map = store.asConcurrentMap();
            for (int i = 0; i < stable; i++)
            {
                map.put("stable-" + i, "value-" + i);
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    // new keys every round, so the tombstones of the removes fill the tables and each round
                    // replaces them (growth, then rebuilds); the removes free entries under the iterators
                    for (int round = 0; !stop.get(); round++)
                    {
                        for (int j = 0; j < 20_000 && !stop.get(); j++)
                        {
                            map.put("churn-" + round + "-" + j, "round-" + round);
                        }
                        for (int j = 0; j < 20_000 && !stop.get(); j++)
                        {
                            map.remove("churn-" + round + "-" + j);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            writer.start();
            try
            {
                for (int pass = 0; pass < 20; pass++)
                {
                    final Set<String> stableSeen = new HashSet<>();
                    final Set<String> churnSeen = new HashSet<>();
                    for (final Map.Entry<String, String> entry : map.entrySet())
                    {
                        final String key = entry.getKey();
                        if (key.startsWith("stable-"))
                        {
                            assertTrue(stableSeen.add(key), "twice: " + key);
                            assertEquals("value-" + key.substring("stable-".length()), entry.getValue(), key);
                        }
                        else
                        {
                            assertTrue(key.startsWith("churn-"), key);
                            assertTrue(churnSeen.add(key), "twice: " + key);
                            assertTrue(entry.getValue().startsWith("round-"), entry.getValue());
                        }
                    }
                    assertEquals(stable, stableSeen.size(), "pass " + pass);
                    int keys = 0;
                    for (final String key : map.keySet())
                    {
                        keys += key.startsWith("stable-") ? 1 : 0;
                    }
                    assertEquals(stable, keys, "keySet, pass " + pass);
                }
            }
            finally
            {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get());
        }
    }

    @Test
    void queriesOfOtherTypesAreAbsentAndNullsAreRefused()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).maxKeyLength(16).build())
        {
            @SuppressWarnings({"unchecked", "rawtypes"})
            final ConcurrentMap<Object, Object> map = (ConcurrentMap)store.asConcurrentMap();
            map.put("k", "v");
            assertNull(map.get(42));
            assertFalse(map.containsKey(42));
            assertFalse(map.containsValue(42));
            assertNull(map.remove(42));
            assertFalse(map.remove("k", 42));
            assertFalse(map.entrySet().contains(Map.entry("k", 42)));
            assertFalse(map.keySet().remove(42));
            assertNull(map.get("a key longer than the limit"));
            assertFalse(map.containsKey("a key longer than the limit"));
            assertThrows(IllegalArgumentException.class, () -> map.put("a key longer than the limit", "v"));
            assertThrows(NullPointerException.class, () -> map.get(null));
            assertThrows(NullPointerException.class, () -> map.containsValue(null));
            assertThrows(NullPointerException.class, () -> map.put(null, "v"));
            assertThrows(NullPointerException.class, () -> map.put("k", null));
            assertFalse(map.remove("k", null));
            assertEquals(Map.of("k", "v"), new HashMap<>(map));
        }
    }

    @Test
    void stringViewAndStringApiAreTheSameEntries()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final ConcurrentMap<String, String> map = store.asConcurrentMap();
            store.putString("κλειδί", "鍵");
            assertEquals("鍵", map.get("κλειδί"));
            map.put("🔑", "value");
            assertEquals("value", store.getString("🔑"));
            assertArrayEquals("value".getBytes(StandardCharsets.UTF_8), store.get("🔑".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void iteratorRemoveRemovesTheBytesReadEvenWhenTheCodecCannotRoundTripThem()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final byte[] malformed = {(byte)0xff, 'k'};
            store.put(malformed, "v".getBytes(StandardCharsets.UTF_8));
            final ConcurrentMap<String, String> map = store.asConcurrentMap();
            final Iterator<String> keys = map.keySet().iterator();
            final String key = keys.next();
            assertEquals("\uFFFDk", key);
            assertNull(map.get(key), "the decoded key encodes to other bytes");
            keys.remove();
            assertNull(store.get(malformed));
            assertFalse(keys.hasNext());
            assertThrows(IllegalStateException.class, keys::remove);
        }
    }

    @Test
    void codecExceptionsReachTheCallerUnchanged()
    {
        final RuntimeException broken = new IllegalStateException("codec broken");
        final ByteCodec<String> failing = new ByteCodec<>()
        {
            @Override
            public Class<String> type()
            {
                return String.class;
            }

            @Override
            public byte[] encode(final String value)
            {
                return ByteCodec.UTF_8.encode(value);
            }

            @Override
            public String decode(final DirectBuffer buffer, final int offset, final int length)
            {
                throw broken;
            }
        };
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final ConcurrentMap<String, String> map = store.asConcurrentMap(ByteCodec.UTF_8, failing);
            assertNull(map.put("k", "v1"), "nothing to decode");
            assertSame(broken, assertThrows(IllegalStateException.class, () -> map.get("k")));
            assertSame(broken, assertThrows(IllegalStateException.class, () -> map.values().iterator().next()));
            assertSame(broken, assertThrows(IllegalStateException.class, () -> map.put("k", "v2")));
            assertEquals("v2", store.getString("k"), "the put was done before its previous value failed to decode");
            assertTrue(map.replace("k", "v2", "v3"), "compare-and-set on bytes decodes nothing");
            assertTrue(map.containsValue("v3"));
            assertEquals(Set.of("k"), new HashSet<>(map.keySet()), "keys decode with the key codec");

            // a codec that refuses bytes stored through the byte API: its own exception and message
            final ConcurrentMap<Integer, Long> numbers = store.asConcurrentMap(INT_KEYS, LONG_VALUES);
            store.put(new byte[]{0, 0, 0, 7}, new byte[]{1, 2, 3});
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> numbers.get(7));
            assertEquals("not an encoded Long: length=3, expected=8", refused.getMessage());
        }
    }

    @Test
    void viewOfClosedStoreThrowsIllegalState()
    {
        final OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build();
        final ConcurrentMap<String, String> map = store.asConcurrentMap();
        map.put("k", "v");
        store.close();
        assertThrows(IllegalStateException.class, () -> map.get("k"));
        assertThrows(IllegalStateException.class, () -> map.put("k", "v"));
        assertThrows(IllegalStateException.class, () -> map.entrySet().iterator().hasNext());
    }
}
