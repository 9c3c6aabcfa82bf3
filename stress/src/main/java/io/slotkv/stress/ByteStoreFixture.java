package io.slotkv.stress;

import io.slotkv.map.ManualClock;
import io.slotkv.map.OffHeapByteStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The byte store under test, built small so that an insert replaces its table inside a race: one segment of
 * {@value #INITIAL_CAPACITY} slots at max load 0.75 takes 12 keys; {@link #fill()} puts {@value #FILLER_COUNT}
 * filler keys in, so the first new key an actor inserts replaces the table (with one key fewer, two racing inserts
 * could both pass the threshold check, which is a soft limit, and no replacement would run).
 */
public final class ByteStoreFixture implements AutoCloseable
{
    /** Slots of the fixture's only table before any replacement. */
    public static final int INITIAL_CAPACITY = 16;

    /** Keys {@link #fill()} inserts: the table's threshold. */
    public static final int FILLER_COUNT = 12;

    public final OffHeapByteStore store;

    /** The store file, or null for anonymous memory. */
    private final Path file;

    /** The clock of the store's deadlines: the tests step it by hand. */
    public final ManualClock clock = new ManualClock();

    private ByteStoreFixture(final Path file)
    {
        this.file = file;
        this.store = builder(file).clock(clock).build();
        if (INITIAL_CAPACITY != store.capacity())
        {
            store.close();
            throw new IllegalStateException("the stress tests assume a first table of " + INITIAL_CAPACITY +
                " slots: capacity=" + store.capacity());
        }
    }

    private static OffHeapByteStore.Builder builder(final Path file)
    {
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().segments(1).maxLoad(0.75)
            .hugePages(false).expirySweeper(false); // no background thread: the tests sweep themselves
        return null == file ? builder : builder.file(file).chunkSize(1 << 20).maxValueLength(64 * 1024);
    }

    public static ByteStoreFixture anonymous()
    {
        return new ByteStoreFixture(null);
    }

    /**
     * @return a fixture on a new store file in the temporary directory (deleted by {@link #close()}).
     */
    public static ByteStoreFixture mapped()
    {
        try
        {
            final Path file = Files.createTempFile("slotkv-jcstress-bytes", ".store");
            Files.delete(file); // the store creates it
            return new ByteStoreFixture(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the store file opened again (by the next owner); the caller closes it. Only for {@link #mapped()}.
     */
    public OffHeapByteStore reopen()
    {
        return builder(file).clock(clock).build();
    }

    /**
     * @return this fixture, with the filler keys in (each one's value is its own bytes): the next new key replaces
     * the table.
     */
    public ByteStoreFixture fill()
    {
        for (int i = 0; i < FILLER_COUNT; i++)
        {
            store.put(filler(i), filler(i));
        }
        return this;
    }

    /**
     * @return whether every filler key still has its own bytes as value.
     */
    public boolean intact()
    {
        for (int i = 0; i < FILLER_COUNT; i++)
        {
            if (!Arrays.equals(filler(i), store.get(filler(i))))
            {
                return false;
            }
        }
        return true;
    }

    public boolean resized()
    {
        return store.capacity() > INITIAL_CAPACITY;
    }

    /**
     * @return {@code length} bytes, all {@code fill}: a value whose every byte says who wrote it.
     */
    public static byte[] bytes(final int length, final char fill)
    {
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)fill);
        return value;
    }

    /**
     * @return the key as UTF-8 bytes.
     */
    public static byte[] key(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return which of the candidate values {@code value} is: its index + 1, 0 for null, 9 for none of them (a
     * torn or foreign value).
     */
    public static int which(final byte[] value, final byte[]... candidates)
    {
        if (null == value)
        {
            return 0;
        }
        for (int i = 0; i < candidates.length; i++)
        {
            if (Arrays.equals(candidates[i], value))
            {
                return i + 1;
            }
        }
        return 9;
    }

    /**
     * @return the key (and value) of filler {@code i} of {@link #fill()}.
     */
    public static byte[] filler(final int i)
    {
        return key("filler-" + i);
    }

    @Override
    public void close()
    {
        store.close();
        if (null != file)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
