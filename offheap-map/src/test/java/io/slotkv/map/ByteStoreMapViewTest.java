package io.slotkv.map;

import com.google.common.collect.testing.ConcurrentMapTestSuiteBuilder;
import com.google.common.collect.testing.SampleElements;
import com.google.common.collect.testing.TestMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import junit.framework.Test;
import junit.framework.TestCase;
import junit.framework.TestSuite;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * guava-testlib's conformance suite for {@link ConcurrentMap}, run against the byte store's views with every feature
 * they claim: {@link OffHeapByteStore#asConcurrentMap()} (String keys and values, UTF-8) and
 * {@link OffHeapByteStore#asConcurrentMap(ByteCodec, ByteCodec)} with Integer keys and Long values
 * ({@link #INT_KEYS}, {@link #LONG_VALUES}), in anonymous memory; the String view also in store files (each test's
 * store a new file of 1 MiB chunks). Run by the JUnit vintage engine; every test of the generated suites must pass.
 */
public class ByteStoreMapViewTest extends TestCase
{
    /** Integer keys as 4 bytes, big-endian. */
    static final ByteCodec<Integer> INT_KEYS = new FixedLengthCodec<>(Integer.class, Integer.BYTES,
        (value) -> ByteBuffer.allocate(Integer.BYTES).putInt(value).array(), (buffer, offset) ->
        buffer.getInt(offset, ByteOrder.BIG_ENDIAN));

    /** Long values as 8 bytes, big-endian. */
    static final ByteCodec<Long> LONG_VALUES = new FixedLengthCodec<>(Long.class, Long.BYTES,
        (value) -> ByteBuffer.allocate(Long.BYTES).putLong(value).array(), (buffer, offset) ->
        buffer.getLong(offset, ByteOrder.BIG_ENDIAN));

    public static Test suite()
    {
        final TestSuite suite = new TestSuite("OffHeapByteStore views");
        suite.addTest(suite("OffHeapByteStore.asConcurrentMap", new StringGenerator(false)));
        suite.addTest(suite("OffHeapByteStore.asConcurrentMap[mapped file]", new StringGenerator(true)));
        suite.addTest(suite("OffHeapByteStore.asConcurrentMap[INT_KEYS, LONG_VALUES]", new IntLongGenerator()));
        return suite;
    }

    private static <K, V> Test suite(final String name, final Generator<K, V> generator)
    {
        return ConcurrentMapTestSuiteBuilder.using(generator)
            .named(name)
            .withFeatures(
                CollectionSize.ANY,
                MapFeature.GENERAL_PURPOSE,
                CollectionFeature.SUPPORTS_ITERATOR_REMOVE)
            .withTearDown(generator::closeAll)
            .createTestSuite();
    }

    /**
     * Makes each test's map, on a new store of 2 segments (so that keys spread over both), and closes the stores
     * after the test.
     */
    abstract static class Generator<K, V> implements TestMapGenerator<K, V>
    {
        private final List<OffHeapByteStore> stores = new ArrayList<>();
        private final Path files;

        Generator(final boolean mapped)
        {
            try
            {
                this.files = mapped ? Files.createTempDirectory("slotkv-view") : null;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        abstract ConcurrentMap<K, V> view(OffHeapByteStore store);

        @Override
        public Map<K, V> create(final Object... entries)
        {
            final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().segments(2);
            if (null != files)
            {
                synchronized (stores)
                {
                    builder.file(files.resolve("view-" + stores.size() + ".store")).chunkSize(1 << 20)
                        .maxValueLength(64 * 1024);
                }
            }
            final OffHeapByteStore store = builder.build();
            synchronized (stores)
            {
                stores.add(store);
            }
            final ConcurrentMap<K, V> map = view(store);
            for (final Object entry : entries)
            {
                @SuppressWarnings("unchecked")
                final Map.Entry<K, V> e = (Map.Entry<K, V>)entry;
                map.put(e.getKey(), e.getValue());
            }
            return map;
        }

        void closeAll()
        {
            synchronized (stores)
            {
                for (final OffHeapByteStore store : stores)
                {
                    store.close();
                }
                stores.clear();
                if (null != files)
                {
                    try (var listed = Files.list(files))
                    {
                        for (final Path file : (Iterable<Path>)listed::iterator)
                        {
                            Files.delete(file);
                        }
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map.Entry<K, V>[] createArray(final int length)
        {
            return new Map.Entry[length];
        }

        @Override
        public Iterable<Map.Entry<K, V>> order(final List<Map.Entry<K, V>> insertionOrder)
        {
            return insertionOrder;
        }
    }

    static final class StringGenerator extends Generator<String, String>
    {
        StringGenerator(final boolean mapped)
        {
            super(mapped);
        }

        @Override
        ConcurrentMap<String, String> view(final OffHeapByteStore store)
        {
            return store.asConcurrentMap();
        }

        @Override
        public SampleElements<Map.Entry<String, String>> samples()
        {
            // the empty key and value, non-ASCII (2, 3 and 4 bytes a character), a NUL, and a value longer than the
            // iteration's first span buffer (4 KiB), so that the cursor grows it under the iterators
            return new SampleElements<>(
                Map.entry("", "κλειδί"),
                Map.entry("鍵🔑", ""),
                Map.entry("a\u0000b", "x".repeat(10_000)),
                Map.entry("ключ-значение", "🔑"),
                Map.entry("k".repeat(300), "value"));
        }

        @Override
        public String[] createKeyArray(final int length)
        {
            return new String[length];
        }

        @Override
        public String[] createValueArray(final int length)
        {
            return new String[length];
        }
    }

    static final class IntLongGenerator extends Generator<Integer, Long>
    {
        IntLongGenerator()
        {
            super(false);
        }

        @Override
        ConcurrentMap<Integer, Long> view(final OffHeapByteStore store)
        {
            return store.asConcurrentMap(INT_KEYS, LONG_VALUES);
        }

        @Override
        public SampleElements<Map.Entry<Integer, Long>> samples()
        {
            return new SampleElements<>(
                Map.entry(0, Long.MIN_VALUE),
                Map.entry(Integer.MIN_VALUE, 0L),
                Map.entry(Integer.MAX_VALUE, Long.MAX_VALUE),
                Map.entry(-1, -1L),
                Map.entry(42, 1L << 40));
        }

        @Override
        public Integer[] createKeyArray(final int length)
        {
            return new Integer[length];
        }

        @Override
        public Long[] createValueArray(final int length)
        {
            return new Long[length];
        }
    }

    /**
     * A codec of a fixed-length encoding; it refuses bytes of another length (stored through the byte API).
     */
    static final class FixedLengthCodec<T> implements ByteCodec<T>
    {
        interface Reader<T>
        {
            T read(DirectBuffer buffer, int offset);
        }

        private final Class<T> type;
        private final int length;
        private final Function<T, byte[]> writer;
        private final Reader<T> reader;

        FixedLengthCodec(final Class<T> type, final int length, final Function<T, byte[]> writer,
            final Reader<T> reader)
        {
            this.type = type;
            this.length = length;
            this.writer = writer;
            this.reader = reader;
        }

        @Override
        public Class<T> type()
        {
            return type;
        }

        @Override
        public byte[] encode(final T value)
        {
            return writer.apply(value);
        }

        @Override
        public T decode(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != this.length)
            {
                throw new IllegalArgumentException("not an encoded " + type.getSimpleName() + ": length=" + length +
                    ", expected=" + this.length);
            }
            return reader.read(buffer, offset);
        }

        @Override
        public String toString()
        {
            return "FixedLengthCodec{" + type.getSimpleName() + "}";
        }
    }
}
