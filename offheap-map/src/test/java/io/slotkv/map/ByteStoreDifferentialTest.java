package io.slotkv.map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random operations on an {@link OffHeapByteStore} and on a {@code HashMap} side by side, every result
 * compared: keys from 0 to 300 bytes (empty, binary, non-ASCII UTF-8), values from 0 bytes to 64 KiB and now and then
 * 1 MiB, through many table replacements (the store starts at its smallest tables) and clears.
 */
class ByteStoreDifferentialTest
{
    private static final String[] WORDS = {"", "a", "key", "κλειδί", "鍵", "🔑", "clé", "\u0000", "ключ-значение"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    @Timeout(120) // a hang guard: an operation that spins on a freed entry must fail, not stall the build
    void matchesHashMap(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Key, byte[]> model = new HashMap<>();
        final byte[][] keys = new byte[4_000][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = randomKey(random, i);
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(4).build())
        {
            final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
            for (int op = 0; op < 400_000; op++)
            {
                final byte[] key = keys[random.nextInt(keys.length)];
                final Key modelKey = new Key(key);
                final byte[] current = model.get(modelKey);
                final String where = "op " + op + " (seed " + seed + "), key " + Arrays.toString(key);
                switch (random.nextInt(10))
                {
                    case 0, 1:
                    {
                        final byte[] value = randomValue(random);
                        assertEquals(null != current, store.put(key, value), where);
                        model.put(modelKey, value);
                        break;
                    }
                    case 2:
                    {
                        final byte[] value = randomValue(random);
                        assertEquals(null == current, store.putIfAbsent(key, value), where);
                        model.putIfAbsent(modelKey, value);
                        break;
                    }
                    case 3:
                    {
                        final byte[] value = randomValue(random);
                        assertEquals(null != current, store.replace(key, value), where);
                        model.computeIfPresent(modelKey, (k, v) -> value);
                        break;
                    }
                    case 4:
                    {
                        final byte[] expected = null != current && random.nextBoolean() ? current : randomValue(random);
                        final byte[] value = randomValue(random);
                        final boolean equal = null != current && Arrays.equals(current, expected);
                        assertEquals(equal, store.replace(key, expected, value), where);
                        if (equal)
                        {
                            model.put(modelKey, value);
                        }
                        break;
                    }
                    case 5:
                    {
                        assertEquals(null != current, store.remove(key), where);
                        model.remove(modelKey);
                        break;
                    }
                    case 6:
                    {
                        final byte[] expected = null != current && random.nextBoolean() ? current : randomValue(random);
                        final boolean equal = null != current && Arrays.equals(current, expected);
                        assertEquals(equal, store.remove(key, expected), where);
                        if (equal)
                        {
                            model.remove(modelKey);
                        }
                        break;
                    }
                    case 7:
                    {
                        // into a small buffer: the length always, the bytes only when they fit
                        final int length = store.get(new UnsafeBuffer(key), 0, key.length, out, 0);
                        if (null == current)
                        {
                            assertEquals(OffHeapByteStore.ABSENT, length, where);
                        }
                        else
                        {
                            assertEquals(current.length, length, where);
                            if (length <= out.capacity())
                            {
                                final byte[] copied = new byte[length];
                                out.getBytes(0, copied);
                                assertArrayEquals(current, copied, where);
                            }
                        }
                        break;
                    }
                    case 8:
                        assertEquals(null != current, store.containsKey(key), where);
                        break;
                    default:
                        assertArrayEquals(current, store.get(key), where);
                        break;
                }
                if (op % 50_000 == 49_999)
                {
                    assertEquals(model.size(), store.size(), "size at op " + op);
                    for (final Map.Entry<Key, byte[]> entry : model.entrySet())
                    {
                        assertArrayEquals(entry.getValue(), store.get(entry.getKey().bytes), "full check at op " + op);
                    }
                    if (op % 200_000 == 199_999)
                    {
                        store.clear();
                        model.clear();
                        assertEquals(0, store.size());
                    }
                }
            }
            assertEquals(model.size(), store.size());
        }
    }

    private static byte[] randomKey(final SplittableRandom random, final int i)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return (WORDS[random.nextInt(WORDS.length)] + i).getBytes(StandardCharsets.UTF_8);
            case 1:
            {
                final byte[] key = new byte[random.nextInt(9)];
                random.nextBytes(key);
                return key;
            }
            case 2:
            {
                final byte[] key = new byte[8 + random.nextInt(40)];
                random.nextBytes(key);
                return key;
            }
            default:
            {
                final byte[] key = new byte[random.nextInt(300)];
                random.nextBytes(key);
                return key;
            }
        }
    }

    private static byte[] randomValue(final SplittableRandom random)
    {
        final int kind = random.nextInt(1000);
        final int length = kind == 0 ? 1 << 20 : kind < 20 ? random.nextInt(65_536) : random.nextInt(120);
        final byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    /** A byte[] key with value equality, for the model. */
    private static final class Key
    {
        final byte[] bytes;

        Key(final byte[] bytes)
        {
            this.bytes = bytes;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key && Arrays.equals(bytes, ((Key)other).bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }
    }
}
