package io.slotkv.map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random operation sequences checked step by step against {@link java.util.HashMap}. The key range
 * changes between phases so that tables grow, fill with removed keys, rebuild and shrink (clear). Set
 * {@code -Dslotkv.seed=N} to replay a failure; the seed is in every failure message.
 */
class DifferentialTest
{
    private static final long MISSING = Long.MIN_VALUE;
    private static final int OPERATIONS = 1_200_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backing.class)
    void shouldBehaveLikeHashMap(final Backing backing)
    {
        final long seed = Long.getLong("slotkv.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Long, Long> model = new HashMap<>();
        int step = 0;
        try (OffHeapLongLongMap map = backing.builder(dir).segments(4).build())
        {
            for (; step < OPERATIONS; step++)
            {
                final long keyRange = keyRange(step);
                final long key = randomKey(random, keyRange);
                final long value = randomValue(random);
                final int op = random.nextInt(100);
                if (op < 25)
                {
                    expect(seed, step, "get", toPrimitive(model.get(key)), map.get(key));
                }
                else if (op < 45)
                {
                    expect(seed, step, "put", toPrimitive(model.put(key, value)), map.put(key, value));
                }
                else if (op < 52)
                {
                    expect(seed, step, "putIfAbsent", toPrimitive(model.putIfAbsent(key, value)),
                        map.putIfAbsent(key, value));
                }
                else if (op < 62)
                {
                    expect(seed, step, "remove", toPrimitive(model.remove(key)), map.remove(key));
                }
                else if (op < 66)
                {
                    final Long current = model.get(key);
                    final long expected = null != current && random.nextBoolean() ? current : value;
                    expect(seed, step, "remove(k,e)", model.remove(key, expected), map.remove(key, expected));
                }
                else if (op < 71)
                {
                    expect(seed, step, "replace", toPrimitive(model.replace(key, value)), map.replace(key, value));
                }
                else if (op < 76)
                {
                    final Long current = model.get(key);
                    final long expected = null != current && random.nextBoolean() ? current : value;
                    final long next = randomValue(random);
                    expect(seed, step, "replace(k,e,v)", model.replace(key, expected, next),
                        map.replace(key, expected, next));
                }
                else if (op < 88)
                {
                    final long delta = random.nextInt(2001) - 1000;
                    final long before = model.getOrDefault(key, 0L);
                    if (before + delta == MISSING || Math.abs(before) > Long.MAX_VALUE / 2)
                    {
                        model.put(key, 0L);
                        map.put(key, 0);
                        continue;
                    }
                    model.put(key, before + delta);
                    expect(seed, step, "addAndGet", before + delta, map.addAndGet(key, delta));
                }
                else if (op < 94)
                {
                    expect(seed, step, "containsKey", model.containsKey(key), map.containsKey(key));
                }
                else if (op < 96)
                {
                    expect(seed, step, "getOrDefault", model.getOrDefault(key, 17L), map.getOrDefault(key, 17));
                }
                else if (op < 97)
                {
                    assertThrows(IllegalArgumentException.class, () -> map.put(key, MISSING),
                        "seed=" + seed + " step=" + step);
                }
                else if (op < 98 && random.nextInt(200) == 0)
                {
                    model.clear();
                    map.clear();
                }
                else
                {
                    expect(seed, step, "size", (long)model.size(), map.size());
                }
            }
            final Map<Long, Long> contents = new HashMap<>();
            map.forEach(contents::put);
            assertEquals(model, contents, "seed=" + seed + ": contents after " + OPERATIONS + " operations");
            assertEquals(model.size(), map.size(), "seed=" + seed);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            if (ex.getMessage() != null && ex.getMessage().contains("seed="))
            {
                throw ex;
            }
            throw new AssertionError("seed=" + seed + " step=" + step + ": " + ex, ex);
        }
    }

    /**
     * Phases: a small range (updates, removals, tombstone rebuilds), a large one (growth), small again.
     */
    private static long keyRange(final int step)
    {
        final int phase = step / (OPERATIONS / 6);
        return phase % 2 == 0 ? 1_000 : 400_000;
    }

    private static long randomKey(final SplittableRandom random, final long range)
    {
        final int kind = random.nextInt(100);
        if (kind == 0)
        {
            final long[] edges = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1};
            return edges[random.nextInt(edges.length)];
        }
        return random.nextLong(range) - range / 2;
    }

    private static long randomValue(final SplittableRandom random)
    {
        final int kind = random.nextInt(100);
        if (kind == 0)
        {
            final long[] edges = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE + 2};
            return edges[random.nextInt(edges.length)];
        }
        return random.nextLong(Long.MIN_VALUE + 1, Long.MAX_VALUE); // every value but the missing one
    }

    private static long toPrimitive(final Long value)
    {
        return null == value ? MISSING : value;
    }

    private static void expect(
        final long seed, final int step, final String op, final Object expected, final Object actual)
    {
        if (!expected.equals(actual))
        {
            fail("seed=" + seed + " step=" + step + " " + op + ": expected " + expected + " but was " + actual);
        }
    }
}
