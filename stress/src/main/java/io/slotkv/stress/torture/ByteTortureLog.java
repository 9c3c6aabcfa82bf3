package io.slotkv.stress.torture;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The byte-store torture's operation log and the values it writes: a memory-mapped file of one record per key,
 * {@code [started, acknowledged]}, each a version of the key. A writer stores {@code started} (volatile) before it
 * calls the store and {@code acknowledged} after the call returned, so after a kill -9 (the page cache keeps what
 * the mapping wrote) the key's value must be the acknowledged version's, or the started one's if it is newer (that
 * operation was running). Every key has one writer, so versions only grow.
 * <p>
 * A version is {@code n << 1 | removed}: version 0 means never written, an odd version a remove. The value of an
 * even version is a pure function of the key and the version ({@link #value}): a torn value, another key's value
 * or a value never written is told apart from every allowed one byte for byte.
 */
final class ByteTortureLog implements AutoCloseable
{
    private static final int RECORD = 16;

    /** The longest value written: values of many size classes, some past a few blocks of the first arena. */
    static final int MAX_VALUE = 6_000;

    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer log;
    final int writers;
    final int keysPerWriter;

    ByteTortureLog(final Path file, final int writers, final int keysPerWriter)
    {
        this.writers = writers;
        this.keysPerWriter = keysPerWriter;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long)records() * RECORD);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map the torture log " + file, ex);
        }
        log = new UnsafeBuffer(mapped);
    }

    int records()
    {
        return writers * keysPerWriter;
    }

    long started(final int record)
    {
        return log.getLongVolatile(record * RECORD);
    }

    long acknowledged(final int record)
    {
        return log.getLongVolatile(record * RECORD + 8);
    }

    void start(final int record, final long version)
    {
        log.putLongVolatile(record * RECORD, version);
    }

    void acknowledge(final int record, final long version)
    {
        log.putLongVolatile(record * RECORD + 8, version);
    }

    /**
     * The driver settled the key at {@code version}: both words hold it.
     */
    void settle(final int record, final long version)
    {
        log.putLongVolatile(record * RECORD + 8, version);
        log.putLongVolatile(record * RECORD, version);
    }

    static byte[] key(final int record)
    {
        // some keys have non-ASCII bytes, one is long; all are distinct
        final String text = 0 == record % 97 ? "κλειδί-" + record : (0 == record % 1009 ? "k".repeat(40) + record :
            "key:" + record);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static boolean isRemove(final long version)
    {
        return 0 == version || 1 == (version & 1);
    }

    /**
     * @return the deadline the value of a version carries, a function of both only: every third value version has
     * one, far in the future (the year 2096, so none expires while the torture runs); 0 for none.
     */
    static long deadline(final int record, final long version)
    {
        if (isRemove(version) || 0 != (version >>> 1) % 3)
        {
            return 0;
        }
        return 4_000_000_000_000L + ((record * 0x9E37_79B9_7F4A_7C15L ^ version) >>> 44);
    }

    /**
     * @return the value the key has at an even version, a function of both only.
     */
    static byte[] value(final int record, final long version)
    {
        final SplittableRandom random = new SplittableRandom(record * 0x9E37_79B9_7F4A_7C15L ^ version);
        final int length = 0 == random.nextInt(50) ? 0 :
            (random.nextInt(10) < 8 ? random.nextInt(200) : random.nextInt(MAX_VALUE + 1));
        final byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    @Override
    public void close() throws IOException
    {
        mapped.force();
        channel.close();
    }
}
