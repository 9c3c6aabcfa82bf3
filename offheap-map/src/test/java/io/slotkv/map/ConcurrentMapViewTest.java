package io.slotkv.map;

import com.google.common.collect.testing.ConcurrentMapTestSuiteBuilder;
import com.google.common.collect.testing.SampleElements;
import com.google.common.collect.testing.TestMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import junit.framework.Test;
import junit.framework.TestCase;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/**
 * guava-testlib's conformance suite for {@link ConcurrentMap}, run against
 * {@link OffHeapLongLongMap#asConcurrentMap()} with every feature the view claims. Run by the JUnit vintage
 * engine; every test of the generated suite must pass.
 */
public class ConcurrentMapViewTest extends TestCase
{
    public static Test suite()
    {
        return ConcurrentMapTestSuiteBuilder.using(new Generator())
            .named("OffHeapLongLongMap.asConcurrentMap")
            .withFeatures(
                CollectionSize.ANY,
                MapFeature.GENERAL_PURPOSE,
                CollectionFeature.SUPPORTS_ITERATOR_REMOVE)
            .createTestSuite();
    }

    static final class Generator implements TestMapGenerator<Long, Long>
    {
        @Override
        public SampleElements<Map.Entry<Long, Long>> samples()
        {
            // includes key 0 (the side slot), extreme keys, and every value the primitive API reserves: the missing
            // value Long.MIN_VALUE and the words that once marked empty and frozen slots
            return new SampleElements<>(
                Map.entry(0L, Long.MIN_VALUE),
                Map.entry(Long.MIN_VALUE, 0L),
                Map.entry(Long.MAX_VALUE, Long.MAX_VALUE),
                Map.entry(-1L, Long.MIN_VALUE + 1),
                Map.entry(42L, -1L));
        }

        @Override
        public Map<Long, Long> create(final Object... entries)
        {
            final ConcurrentMap<Long, Long> map = OffHeapLongLongMap.builder().segments(2).build().asConcurrentMap();
            for (final Object entry : entries)
            {
                @SuppressWarnings("unchecked")
                final Map.Entry<Long, Long> e = (Map.Entry<Long, Long>)entry;
                map.put(e.getKey(), e.getValue());
            }
            return map;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map.Entry<Long, Long>[] createArray(final int length)
        {
            return new Map.Entry[length];
        }

        @Override
        public Iterable<Map.Entry<Long, Long>> order(final List<Map.Entry<Long, Long>> insertionOrder)
        {
            return insertionOrder;
        }

        @Override
        public Long[] createKeyArray(final int length)
        {
            return new Long[length];
        }

        @Override
        public Long[] createValueArray(final int length)
        {
            return new Long[length];
        }
    }
}
