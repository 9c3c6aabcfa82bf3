package io.slotkv.map;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis-shaped writes of the byte store ({@code set} with a condition and a deadline, {@code setAndGet},
 * {@code getAndExpire}, {@code getAndUpdate}) against a model with the same clock, and {@code scan}'s cursor: every
 * key that has a value for the whole scan exactly once, through table replacements.
 */
class ByteStoreConditionalWriteTest
{
    /** The model: a value and its deadline (0: none). */
    private record Value(byte[] bytes, long deadline)
    {
        boolean alive(final long now)
        {
            return 0 == deadline || deadline > now;
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void conditionalWritesWithDeadlinesAgainstAModel()
    {
        final ManualClock clock = new ManualClock();
        final SplittableRandom random = new SplittableRandom(11);
        final Map<String, Value> model = new HashMap<>();
        try (OffHeapByteStore store = OffHeapByteStore.builder().clock(clock).expirySweeper(false).segments(2)
            .build())
        {
            for (int op = 0; op < 300_000; op++)
            {
                final String key = "k" + random.nextInt(2_000);
                final byte[] k = bytes(key);
                final long now = clock.millis();
                final Value current = model.get(key);
                final byte[] had = null != current && current.alive(now) ? current.bytes : null;
                final long hadDeadline = null == had ? 0 : current.deadline;
                final String where = "op " + op + " " + key;
                final byte[] value = new byte[random.nextInt(40)];
                random.nextBytes(value);
                final SetCondition condition = SetCondition.values()[random.nextInt(3)];
                final long deadline = switch (random.nextInt(4))
                {
                    case 0 -> OffHeapByteStore.NO_TTL;
                    case 1 -> OffHeapByteStore.KEEP_TTL;
                    case 2 -> now + 1 + random.nextInt(100);
                    default -> now - random.nextInt(3); // not after now: stored already absent
                };
                final long stored = OffHeapByteStore.KEEP_TTL == deadline ? hadDeadline : deadline;
                final boolean writes = SetCondition.ALWAYS == condition ||
                    (SetCondition.IF_ABSENT == condition) == (null == had);
                switch (random.nextInt(5))
                {
                    case 0 -> assertEquals(writes, store.set(k, value, condition, deadline), where);
                    case 1 -> assertArrayEquals(had, store.setAndGet(k, value, condition, deadline), where);
                    case 2 ->
                    {
                        final long expiry = random.nextBoolean() ? 0 : now + random.nextInt(100);
                        assertArrayEquals(had, store.getAndExpire(k, expiry), where);
                        if (null != had)
                        {
                            model.put(key, new Value(had, expiry));
                        }
                        clock.advance(random.nextInt(3));
                        continue;
                    }
                    case 3 ->
                    {
                        final byte[] next = random.nextInt(4) == 0 ? null : value;
                        assertArrayEquals(had, store.getAndUpdate(k, old ->
                        {
                            assertArrayEquals(had, old, where);
                            return next;
                        }), where);
                        if (null == next)
                        {
                            model.remove(key);
                        }
                        else
                        {
                            model.put(key, new Value(next, null == had ? 0 : hadDeadline));
                        }
                        clock.advance(random.nextInt(3));
                        continue;
                    }
                    default ->
                    {
                        assertArrayEquals(had, store.get(k), where);
                        final long pttl = store.pttl(k);
                        assertEquals(null == had ? OffHeapByteStore.TTL_ABSENT : 0 == hadDeadline ?
                            OffHeapByteStore.TTL_NONE : hadDeadline - now, pttl, where);
                        assertEquals(null == had ? OffHeapByteStore.TTL_ABSENT : 0 == hadDeadline ?
                            OffHeapByteStore.TTL_NONE : hadDeadline, store.expireTime(k), where);
                        clock.advance(random.nextInt(3));
                        continue;
                    }
                }
                if (writes)
                {
                    model.put(key, new Value(value, stored));
                }
                clock.advance(random.nextInt(3));
            }
            final long now = clock.millis();
            for (final Map.Entry<String, Value> entry : model.entrySet())
            {
                final Value expected = entry.getValue();
                assertArrayEquals(expected.alive(now) ? expected.bytes : null, store.get(bytes(entry.getKey())),
                    entry.getKey());
            }
        }
    }

    @Test
    void badDeadlinesAreRefusedNamingThem()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            final IllegalArgumentException set = assertThrows(IllegalArgumentException.class,
                () -> store.set(bytes("k"), bytes("v"), SetCondition.ALWAYS, -5));
            assertTrue(set.getMessage().contains("deadlineMillis=-5"), set.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.getAndExpire(bytes("k"),
                OffHeapByteStore.KEEP_TTL));
            assertNull(store.get(bytes("k")), "nothing written");
        }
    }

    @Test
    void aScanHandsOutEveryKeyThatLivesThroughItExactlyOnceWhileTablesAreReplaced()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(4).build())
        {
            for (int i = 0; i < 5_000; i++)
            {
                store.put(bytes("stay" + i), bytes("v" + i));
            }
            final Map<String, Integer> seen = new HashMap<>();
            final Set<String> churn = new HashSet<>();
            long cursor = 0;
            int calls = 0;
            int added = 0;
            do
            {
                cursor = store.scan(cursor, 1 + calls % 50, (key, value) ->
                {
                    final String name = key.getStringWithoutLengthUtf8(0, key.capacity());
                    seen.merge(name, 1, Integer::sum);
                    if (name.startsWith("stay"))
                    {
                        assertEquals("v" + name.substring(4), value.getStringWithoutLengthUtf8(0,
                            value.capacity()), name);
                    }
                });
                calls++;
                // grow every table several times during the scan, and remove some of the new keys
                for (int i = 0; i < 300; i++, added++)
                {
                    store.put(bytes("new" + added), bytes("x"));
                    churn.add("new" + added);
                    if (added % 3 == 0)
                    {
                        store.remove(bytes("new" + (added / 2)));
                    }
                }
            }
            while (0 != cursor);
            assertTrue(calls > 20, "many calls: " + calls);
            assertTrue(store.capacity() > 4 * 5_000, "the tables grew during the scan: " + store.capacity());
            for (int i = 0; i < 5_000; i++)
            {
                assertEquals(1, seen.getOrDefault("stay" + i, 0), "stay" + i);
            }
            for (final Map.Entry<String, Integer> entry : seen.entrySet())
            {
                assertEquals(1, entry.getValue(), entry.getKey() + " handed out more than once");
                assertTrue(entry.getKey().startsWith("stay") || churn.contains(entry.getKey()), entry.getKey());
            }
        }
    }

    @Test
    void aScanOfAnEmptyStoreEndsAtOnceAndForeignCursorsAreRefused()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            final int[] handed = {0};
            assertEquals(0, store.scan(0, 10, (key, value) -> handed[0]++));
            assertEquals(0, handed[0]);
            for (final long bad : new long[] {2L << 32, -1L, Long.MIN_VALUE})
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> store.scan(bad, 10, (key, value) -> { }));
                assertTrue(ex.getMessage().contains(Long.toUnsignedString(bad)), ex.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> store.scan(0, 0, (key, value) -> { }));
            store.put(bytes("a"), bytes("b"));
            final byte[][] found = new byte[1][];
            long cursor = 0;
            do
            {
                cursor = store.scan(cursor, 1, (key, value) ->
                {
                    found[0] = new byte[key.capacity()];
                    key.getBytes(0, found[0]);
                });
            }
            while (0 != cursor);
            assertArrayEquals(bytes("a"), found[0]);
        }
    }
}
