package io.slotkv.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every byte store adapter gives the benchmarks the same answers, so the workloads measure the same work on each.
 */
class ByteStoreTest
{
    private static final int KEYS = 5_000;

    @ParameterizedTest
    @EnumSource(ByteStoreImplementation.class)
    void shouldReadTheFillAndOverwriteInPlace(final ByteStoreImplementation impl)
    {
        try (ByteStore store = impl.open(KEYS))
        {
            store.fill();
            try (ByteStore.Session session = store.session(); ByteStore.Session other = store.session())
            {
                for (int i = 0; i < KEYS; i++)
                {
                    assertEquals(ByteKeys.VALUE_LENGTH, session.get(i), impl + " key index " + i);
                    assertArrayEquals(ByteKeys.value(i), session.copyOf(i), impl + " key index " + i);
                }
                for (int i = 0; i < KEYS; i += 7)
                {
                    final int value = i & (ByteKeys.UPDATE_VALUES - 1);
                    session.put(i, value);
                    assertEquals(ByteKeys.VALUE_LENGTH, other.get(i), impl + " key index " + i);
                    assertArrayEquals(ByteKeys.updateValue(value), other.copyOf(i), impl + " key index " + i);
                }
            }
            assertTrue(store.offHeapBytes() >= 0, impl + " offHeapBytes");
        }
    }

    @Test
    void shouldSpellKeysAsZeroPaddedText()
    {
        assertEquals("key:000000000042", ByteKeys.keyString(42));
        assertEquals("key:002147483647", ByteKeys.keyString(Integer.MAX_VALUE));
        assertEquals(ByteKeys.KEY_LENGTH, ByteKeys.key(7).length);
        final byte[] block = ByteKeys.keyBlock(3);
        assertEquals("key:000000000002",
            new String(block, 2 * ByteKeys.KEY_LENGTH, ByteKeys.KEY_LENGTH, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldSeedUpdateValuesApartFromFillValues()
    {
        for (int j = 0; j < ByteKeys.UPDATE_VALUES; j++)
        {
            assertTrue(!java.util.Arrays.equals(ByteKeys.value(j), ByteKeys.updateValue(j)), "update value " + j);
        }
        final byte[] block = ByteKeys.updateBlock();
        assertArrayEquals(ByteKeys.updateValue(5), java.util.Arrays.copyOfRange(block,
            5 * ByteKeys.VALUE_LENGTH, 6 * ByteKeys.VALUE_LENGTH));
    }

    @Test
    void shouldDrawIndicesInRangeAndWritesAtTheirFraction()
    {
        for (final KeyDistribution distribution : KeyDistribution.values())
        {
            for (final int index : distribution.indices(1_000, 10_000, 1))
            {
                assertTrue(index >= 0 && index < 1_000, distribution + " index " + index);
            }
        }
        final int operations = 1 << 16;
        final long[] bits = OperationMix.draw(operations, 0.10, new SplittableRandom(2));
        int writes = 0;
        for (int i = 0; i < operations; i++)
        {
            writes += OperationMix.isWrite(bits, i) ? 1 : 0;
        }
        assertTrue(writes > 0.09 * operations && writes < 0.11 * operations, "writes=" + writes);
    }
}
