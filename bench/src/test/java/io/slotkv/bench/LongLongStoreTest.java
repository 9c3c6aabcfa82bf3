package io.slotkv.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every adapter gives the benchmarks the same answers, so the workloads measure the same work on each map.
 */
class LongLongStoreTest
{
    @ParameterizedTest
    @EnumSource(value = Implementation.class, names = "CHM_THP", mode = EnumSource.Mode.EXCLUDE) // CHM's code
    void shouldGetPutAndIncrementLikeAMap(final Implementation impl)
    {
        for (final boolean presize : new boolean[] {true, false})
        {
            try (LongLongStore store = impl.open(10_000, presize))
            {
                for (int i = 0; i < 10_000; i++)
                {
                    store.put(Keys.key(i), Keys.value(i));
                }
                for (int i = 0; i < 10_000; i++)
                {
                    assertEquals(Keys.value(i), store.get(Keys.key(i)), impl + " key index " + i);
                    assertEquals(LongLongStore.MISSING, store.get(Keys.key(10_000 + i)), impl + " absent " + i);
                }
                assertEquals(Keys.value(7) + 1, store.increment(Keys.key(7)));
                assertEquals(1, store.increment(Keys.key(20_000)));
                assertEquals(2, store.increment(Keys.key(20_000)));
                store.put(Keys.key(3), 42);
                assertEquals(42, store.get(Keys.key(3)));
            }
        }
    }

    @Test
    void shouldRefuseTheHugePageRowInAJvmWithoutHugePages()
    {
        final String flag = java.lang.management.ManagementFactory.getPlatformMXBean(
            com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseTransparentHugePages").getValue();
        org.junit.jupiter.api.Assumptions.assumeFalse("true".equals(flag), "this JVM runs with huge pages");
        final IllegalStateException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> Implementation.CHM_THP.open(10, true));
        assertTrue(ex.getMessage().contains("-XX:+UseTransparentHugePages"), ex.getMessage());
    }

    @Test
    void shouldDrawAbsentKeysDisjointFromPresentKeys()
    {
        final int n = 50_000;
        final Set<Long> present = new HashSet<>();
        for (int i = 0; i < n; i++)
        {
            present.add(Keys.key(i));
        }
        for (final KeyDistribution distribution : KeyDistribution.values())
        {
            for (final long key : distribution.presentKeys(n, 10_000, 1))
            {
                assertTrue(present.contains(key), distribution + " present");
            }
            for (final long key : distribution.absentKeys(n, 10_000, 2))
            {
                assertTrue(!present.contains(key), distribution + " absent");
            }
        }
    }

    @Test
    void shouldSkewZipfianTowardsFewHotKeys()
    {
        final long[] keys = KeyDistribution.ZIPFIAN.presentKeys(1_000_000, 100_000, 3);
        final java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
        for (final long key : keys)
        {
            counts.merge(key, 1, Integer::sum);
        }
        final int hottest = counts.values().stream().max(Integer::compare).orElse(0);
        // theta 0.99 over 1M items: the top item takes about 6-7% of the draws; uniform would give ~1
        assertTrue(hottest > 3_000 && hottest < 12_000, "hottest=" + hottest);
        assertTrue(counts.size() < 80_000, "distinct=" + counts.size());
    }
}
