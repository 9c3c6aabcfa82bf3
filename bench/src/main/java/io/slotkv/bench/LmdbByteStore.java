package io.slotkv.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Dbi;
import org.lmdbjava.DirectBufferProxy;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static io.slotkv.bench.ByteKeys.KEY_LENGTH;
import static io.slotkv.bench.ByteKeys.VALUE_LENGTH;

/**
 * LMDB through lmdbjava (its bundled {@code liblmdb}, no native install), with Agrona buffers
 * ({@link DirectBufferProxy}): one environment in a new directory under the temporary directory (disk-backed
 * {@code /tmp} here, so the page cache), deleted at close; {@code MDB_NOSYNC} (a commit does not wait for the disk:
 * the in-memory comparison) and {@code MDB_NOTLS} (read transactions are not tied to a thread's slot). A get runs in
 * the session's own read transaction, renewed before and reset after each get (LMDB's idiom for many short reads),
 * and copies the value out of the map into the session's buffer before the reset. A put is
 * {@code Dbi.put(key, value)}: one write transaction per put, committed; LMDB has one writer at a time. The fill
 * commits every {@value #FILL_BATCH} puts.
 */
final class LmdbByteStore implements ByteStore
{
    private static final int FILL_BATCH = 10_000;

    private final Path directory;
    private final Env<DirectBuffer> env;
    private final Dbi<DirectBuffer> db;
    private final int keys;
    private final List<LmdbSession> sessions = new ArrayList<>();

    LmdbByteStore(final int keys)
    {
        this.keys = keys;
        try
        {
            this.directory = Files.createTempDirectory("slotkv-bench-lmdb-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        // a B-tree of 116-byte entries needs about 200 bytes a key; the map is sparse until written, so be generous
        final long mapSize = (64L << 20) + 1024L * keys;
        this.env = Env.create(DirectBufferProxy.PROXY_DB)
            .setMapSize(mapSize)
            .setMaxDbs(1)
            .open(directory.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS);
        this.db = env.openDbi("slotkv-bench-bytes", DbiFlags.MDB_CREATE);
    }

    @Override
    public void fill()
    {
        final byte[] key = new byte[KEY_LENGTH];
        final byte[] value = new byte[VALUE_LENGTH];
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_LENGTH));
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_LENGTH));
        for (int from = 0; from < keys; from += FILL_BATCH)
        {
            try (Txn<DirectBuffer> txn = env.txnWrite())
            {
                for (int i = from, to = Math.min(keys, from + FILL_BATCH); i < to; i++)
                {
                    ByteKeys.key(i, key, 0);
                    ByteKeys.value(i, value, 0);
                    keyBuffer.putBytes(0, key);
                    valueBuffer.putBytes(0, value);
                    db.put(txn, keyBuffer, valueBuffer);
                }
                txn.commit();
            }
        }
    }

    @Override
    public Session session()
    {
        final LmdbSession session = new LmdbSession(this);
        synchronized (sessions)
        {
            sessions.add(session);
        }
        return session;
    }

    /**
     * @return bytes of the data file up to its last page in use (tree pages and LMDB's free list).
     */
    @Override
    public long offHeapBytes()
    {
        return (env.info().lastPageNumber + 1) * env.stat().pageSize;
    }

    @Override
    public void close()
    {
        synchronized (sessions)
        {
            for (final LmdbSession session : sessions)
            {
                session.close(); // a live read transaction must end before its environment
            }
            sessions.clear();
        }
        env.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Lookup keys and update values in direct memory: LMDB reads them through their addresses. */
    private static final class LmdbSession implements Session
    {
        private final Dbi<DirectBuffer> db;
        private final Txn<DirectBuffer> read;
        private final UnsafeBuffer keys;
        private final UnsafeBuffer updates;
        private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer update = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        private boolean closed;

        LmdbSession(final LmdbByteStore store)
        {
            this.db = store.db;
            this.keys = direct(ByteKeys.keyBlock(store.keys));
            this.updates = direct(ByteKeys.updateBlock());
            this.read = store.env.txnRead();
            read.reset();
        }

        private static UnsafeBuffer direct(final byte[] bytes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
            buffer.putBytes(0, bytes);
            return buffer;
        }

        @Override
        public int get(final int key)
        {
            this.key.wrap(keys, key * KEY_LENGTH, KEY_LENGTH);
            read.renew();
            try
            {
                final DirectBuffer found = db.get(read, this.key);
                if (null == found)
                {
                    return ABSENT;
                }
                final int length = found.capacity();
                if (length <= value.capacity())
                {
                    value.putBytes(0, found, 0, length);
                }
                return length;
            }
            finally
            {
                read.reset();
            }
        }

        @Override
        public void put(final int key, final int value)
        {
            this.key.wrap(keys, key * KEY_LENGTH, KEY_LENGTH);
            update.wrap(updates, value * VALUE_LENGTH, VALUE_LENGTH);
            db.put(this.key, update);
        }

        @Override
        public byte[] copyOf(final int key)
        {
            final int length = get(key);
            if (ABSENT == length)
            {
                return null;
            }
            final byte[] copy = new byte[length];
            value.getBytes(0, copy);
            return copy;
        }

        @Override
        public void close()
        {
            synchronized (this)
            {
                if (!closed)
                {
                    closed = true;
                    read.close();
                }
            }
        }
    }
}
