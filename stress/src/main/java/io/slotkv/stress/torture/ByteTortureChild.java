package io.slotkv.stress.torture;

import io.slotkv.map.OffHeapByteStore;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The process the byte-store torture kills: writers on a store file, logging each operation in a
 * {@link ByteTortureLog}, and a main thread that now and then closes and reopens the store (so kills also land in
 * a close, a clean open and a recovery). It never exits by itself.
 * <p>
 * Usage: {@code ByteTortureChild STORE LOG WRITERS KEYS_PER_WRITER SEED}. Prints {@code open} once the store is
 * open and the writers start; prints {@code VIOLATION ...} and exits 3 if an operation's result contradicts the
 * log (a compare-and-set that should succeed failed).
 */
public final class ByteTortureChild
{
    /** Chunks of 1 MiB: many tables and arenas, several of each per chunk. */
    static final long CHUNK = 1 << 20;

    static final int SEGMENTS = 4;

    private ByteTortureChild()
    {
    }

    static OffHeapByteStore open(final Path store)
    {
        return OffHeapByteStore.builder().file(store).segments(SEGMENTS).chunkSize(CHUNK).maxKeyLength(64)
            .maxValueLength(ByteTortureLog.MAX_VALUE).build();
    }

    public static void main(final String[] args) throws Exception
    {
        final Path storeFile = Path.of(args[0]);
        final ByteTortureLog log = new ByteTortureLog(Path.of(args[1]), Integer.parseInt(args[2]),
            Integer.parseInt(args[3]));
        final long seed = Long.parseLong(args[4]);
        final ReentrantReadWriteLock reopening = new ReentrantReadWriteLock();
        final OffHeapByteStore[] store = {open(storeFile)};
        System.out.println("open " + store[0].recoveryReport().map(r -> "recovered").orElse("clean"));
        System.out.flush();
        for (int w = 0; w < log.writers; w++)
        {
            final int writer = w;
            final Thread thread = new Thread(() -> write(log, writer, store, reopening, seed), "writer-" + w);
            thread.setDaemon(true);
            thread.start();
        }
        final SplittableRandom random = new SplittableRandom(seed);
        while (true)
        {
            Thread.sleep(100 + random.nextInt(400));
            reopening.writeLock().lock();
            try
            {
                store[0].close();
                store[0] = open(storeFile);
            }
            finally
            {
                reopening.writeLock().unlock();
            }
        }
    }

    private static void write(final ByteTortureLog log, final int writer, final OffHeapByteStore[] store,
        final ReentrantReadWriteLock reopening, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed * 31 + writer);
        while (true)
        {
            final int record = writer * log.keysPerWriter + random.nextInt(log.keysPerWriter);
            final long current = log.acknowledged(record);
            final byte[] key = ByteTortureLog.key(record);
            // removes outnumber puts: few keys live at a time, so keys keep claiming new slots and the tables keep
            // being replaced (rebuilt to drop the removed keys) long after the store stopped growing
            final int op = random.nextInt(10);
            final long next = ((current >>> 1) + 1) << 1 | (op < 5 ? 1 : 0);
            reopening.readLock().lock();
            try
            {
                log.start(record, next);
                final OffHeapByteStore s = store[0];
                final long deadline = ByteTortureLog.deadline(record, next);
                if (op < 5)
                {
                    s.remove(key);
                }
                else if (0 != deadline)
                {
                    s.putUntil(key, ByteTortureLog.value(record, next), deadline); // the deadline is part of the write
                }
                else if (op < 7 && !ByteTortureLog.isRemove(current))
                {
                    // the compare-and-set path: the key holds the acknowledged version (one writer per key)
                    if (!s.replace(key, ByteTortureLog.value(record, current), ByteTortureLog.value(record, next)))
                    {
                        System.out.println("VIOLATION replace of record " + record + " found no version " + current +
                            ": " + Arrays.toString(s.get(key)));
                        System.out.flush();
                        System.exit(3);
                    }
                }
                else
                {
                    s.put(key, ByteTortureLog.value(record, next));
                }
                log.acknowledge(record, next);
            }
            finally
            {
                reopening.readLock().unlock();
            }
        }
    }
}
