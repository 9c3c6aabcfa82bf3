package io.slotkv.map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random operations on an {@link OffHeapByteStore} and on a {@code HashMap} side by side, every result
 * compared: keys from 0 to 300 bytes (empty, binary, non-ASCII UTF-8), values from 0 bytes to 64 KiB and now and then
 * 1 MiB, through many table replacements (the store starts at its smallest tables) and clears; the Redis-style
 * operations against an independent model of Redis's integer parsing, the ByteBuffer overloads (direct, heap,
 * read-only, at an offset), and {@code forEach} against the model at every full check; in anonymous memory and in a
 * store file that is closed and reopened at each full check (1.2 million operations on each).
 */
class ByteStoreDifferentialTest
{
    private static final String[] WORDS = {"", "a", "key", "κλειδί", "鍵", "🔑", "clé", "\u0000", "ключ-значение"};

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1, false", "2, false", "3, false", "4, true", "5, true", "6, true"})
    @Timeout(180) // a hang guard: an operation that spins on a freed entry must fail, not stall the build
    void matchesHashMap(final long seed, final boolean mapped)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Key, byte[]> model = new HashMap<>();
        final byte[][] keys = new byte[4_000][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = randomKey(random, i);
        }
        // a store file of 16 MiB chunks (several tables and arenas per chunk), closed and reopened at every full check
        final OffHeapByteStore.Builder builder = mapped ? OffHeapByteStore.builder().segments(4)
            .file(dir.resolve("differential-" + seed + ".store")).chunkSize(1 << 24) :
            OffHeapByteStore.builder().segments(4);
        OffHeapByteStore opened = builder.build();
        try
        {
            final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
            for (int op = 0; op < 400_000; op++)
            {
                final OffHeapByteStore store = opened;
                final byte[] key = keys[random.nextInt(keys.length)];
                final Key modelKey = new Key(key);
                final byte[] current = model.get(modelKey);
                final String where = "op " + op + " (seed " + seed + "), key " + Arrays.toString(key);
                switch (random.nextInt(17))
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
                    case 9:
                    {
                        final byte[] value = randomValue(random);
                        assertArrayEquals(current, store.getAndSet(key, value), where);
                        model.put(modelKey, value);
                        break;
                    }
                    case 10:
                        assertArrayEquals(current, store.getAndRemove(key), where);
                        model.remove(modelKey);
                        break;
                    case 11:
                    {
                        final byte[] suffix = new byte[random.nextInt(20)];
                        random.nextBytes(suffix);
                        final byte[] appended = concat(null == current ? new byte[0] : current, suffix);
                        if (appended.length > store.maxValueLength())
                        {
                            assertThrows(IllegalArgumentException.class, () -> store.append(key, suffix), where);
                        }
                        else
                        {
                            assertEquals(appended.length, store.append(key, suffix), where);
                            model.put(modelKey, appended);
                        }
                        break;
                    }
                    case 12:
                    {
                        // a decimal value now and then, so that incrBy meets integers as well as other bytes
                        final byte[] value = decimalLike(random);
                        assertEquals(null != current, store.put(key, value), where);
                        model.put(modelKey, value);
                        break;
                    }
                    case 13:
                    {
                        final long delta = random.nextInt(8) == 0 ? random.nextLong() : random.nextInt(2001) - 1000;
                        final BigInteger sum = null == current ? BigInteger.valueOf(delta) :
                            redisInteger(current) == null ? null : redisInteger(current).add(BigInteger.valueOf(delta));
                        if (null == sum)
                        {
                            assertThrows(NumberFormatException.class, () -> store.incrBy(key, delta), where);
                        }
                        else if (sum.bitLength() > 63)
                        {
                            assertThrows(ArithmeticException.class, () -> store.incrBy(key, delta), where);
                        }
                        else
                        {
                            assertEquals(sum.longValueExact(), store.incrBy(key, delta), where);
                            model.put(modelKey, sum.toString().getBytes(StandardCharsets.US_ASCII));
                        }
                        break;
                    }
                    case 14:
                    {
                        final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(key.length + 3).position(3);
                        keyBuffer.put(key).position(3);
                        final ByteBuffer valueBuffer = ByteBuffer.allocate(80).position(5);
                        final int length = store.get(keyBuffer.asReadOnlyBuffer(), valueBuffer);
                        assertEquals(null == current ? OffHeapByteStore.ABSENT : current.length, length, where);
                        assertEquals(5, valueBuffer.position(), where);
                        if (null != current && length <= 75)
                        {
                            assertArrayEquals(current, Arrays.copyOfRange(valueBuffer.array(), 5, 5 + length), where);
                        }
                        break;
                    }
                    case 15:
                    {
                        final byte[] value = randomValue(random);
                        final ByteBuffer valueBuffer = ByteBuffer.allocateDirect(value.length).put(value).flip();
                        assertEquals(null != current, store.put(ByteBuffer.wrap(key), valueBuffer), where);
                        assertEquals(0, valueBuffer.position(), where);
                        model.put(modelKey, value);
                        break;
                    }
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
                    final Map<Key, byte[]> iterated = new HashMap<>();
                    final int at = op;
                    store.forEach((k, v) ->
                    {
                        final byte[] keyBytes = new byte[k.capacity()];
                        k.getBytes(0, keyBytes);
                        final byte[] valueBytes = new byte[v.capacity()];
                        v.getBytes(0, valueBytes);
                        assertNull(iterated.put(new Key(keyBytes), valueBytes), "forEach gave a key twice at op " + at);
                    });
                    assertEquals(model.keySet(), iterated.keySet(), "forEach's keys at op " + op);
                    for (final Map.Entry<Key, byte[]> entry : model.entrySet())
                    {
                        assertArrayEquals(entry.getValue(), iterated.get(entry.getKey()), "forEach's value at op " + op);
                    }
                    if (op % 200_000 == 199_999)
                    {
                        store.clear();
                        model.clear();
                        assertEquals(0, store.size());
                    }
                    else if (mapped)
                    {
                        store.close();
                        opened = builder.build();
                        assertTrue(opened.recoveryReport().isEmpty(), "a clean reopen at op " + op);
                    }
                }
            }
            assertEquals(model.size(), opened.size());
        }
        finally
        {
            opened.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void putAllMatchesHashMap(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<String, String> model = new HashMap<>();
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(2).build())
        {
            for (int batch = 0; batch < 2_000; batch++)
            {
                final Map<String, String> entries = new HashMap<>();
                for (int i = random.nextInt(6); i > 0; i--)
                {
                    final String key = WORDS[random.nextInt(WORDS.length)] + random.nextInt(3_000);
                    entries.put(key, WORDS[random.nextInt(WORDS.length)].repeat(random.nextInt(30)));
                }
                store.putAll(entries);
                model.putAll(entries);
                if (random.nextInt(10) == 0 && !model.isEmpty())
                {
                    final String key = model.keySet().iterator().next();
                    assertTrue(store.removeString(key), key);
                    model.remove(key);
                }
            }
            assertEquals(model.size(), store.size());
            for (final Map.Entry<String, String> entry : model.entrySet())
            {
                assertEquals(entry.getValue(), store.getString(entry.getKey()), entry.getKey());
            }
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

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static final String[] NOT_INTEGERS = {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1e3", "0x10", "--1",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234"};

    private static byte[] decimalLike(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return NOT_INTEGERS[random.nextInt(NOT_INTEGERS.length)].getBytes(StandardCharsets.US_ASCII);
            case 1:
                return Long.toString(random.nextBoolean() ? Long.MAX_VALUE - random.nextInt(1000) :
                    Long.MIN_VALUE + random.nextInt(1000)).getBytes(StandardCharsets.US_ASCII);
            default:
                return Long.toString(random.nextLong()).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * The model of Redis's {@code string2ll}, written independently of the store's: a regular expression for the
     * shape, BigInteger for the range.
     *
     * @return the integer, or null if Redis would refuse the bytes.
     */
    private static BigInteger redisInteger(final byte[] value)
    {
        final String text = new String(value, StandardCharsets.ISO_8859_1);
        if (!text.matches("0|-?[1-9][0-9]*"))
        {
            return null;
        }
        final BigInteger integer = new BigInteger(text);
        return integer.bitLength() > 63 ? null : integer;
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
