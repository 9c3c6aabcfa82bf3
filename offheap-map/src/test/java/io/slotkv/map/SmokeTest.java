package io.slotkv.map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @Test
    void shouldPutAndGetThroughManyResizes()
    {
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(2).build())
        {
            for (long k = -50_000; k < 50_000; k++)
            {
                map.put(k, k * 3);
            }
            assertEquals(100_000, map.size());
            for (long k = -50_000; k < 50_000; k++)
            {
                assertEquals(k * 3, map.get(k), "key " + k);
            }
        }
    }
}
