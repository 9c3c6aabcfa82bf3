package io.slotkv.core.hash;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongHashingTest
{
    @Test
    void shouldGiveDistinctHashesToDistinctKeys()
    {
        final Set<Long> hashes = new HashSet<>();
        for (long key = -100_000; key < 100_000; key++)
        {
            hashes.add(LongHashing.mix(key));
        }
        hashes.add(LongHashing.mix(Long.MIN_VALUE));
        hashes.add(LongHashing.mix(Long.MAX_VALUE));
        assertEquals(200_002, hashes.size());
    }

    @Test
    void shouldSpreadSequentialKeysOverLowAndHighBits()
    {
        final int buckets = 64;
        final int[] low = new int[buckets];
        final int[] high = new int[buckets];
        final int keys = 64_000;
        for (long key = 0; key < keys; key++)
        {
            final long hash = LongHashing.mix(key);
            low[(int)(hash & (buckets - 1))]++;
            high[(int)(hash >>> 58)]++;
        }
        for (int i = 0; i < buckets; i++)
        {
            // expected 1000 per bucket; a poor mix of sequential keys piles them into a few buckets
            assertTrue(low[i] > 850 && low[i] < 1150, "low bucket " + i + ": " + low[i]);
            assertTrue(high[i] > 850 && high[i] < 1150, "high bucket " + i + ": " + high[i]);
        }
    }
}
