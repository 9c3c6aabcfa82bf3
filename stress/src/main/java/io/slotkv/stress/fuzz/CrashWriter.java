package io.slotkv.stress.fuzz;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.OffHeapLongLongMap;

import java.io.FileOutputStream;
import java.io.IOException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a real crash file: a child JVM that writes a store and halts ({@link Runtime#halt}) at a chosen moment,
 * so the file holds exactly what memory held (the mappings are shared): a half-done operation, a table
 * replacement in progress, or a half-done close.
 * <p>
 * A writer thread inserts keys (a long map's, or a byte store's) and removes the oldest beyond a window, so tables fill with removed keys and are
 * replaced again and again; the main thread halts the JVM:
 * <ul>
 *   <li>{@code any}: once the writer has done MIN_OPS operations, wherever it is;</li>
 *   <li>{@code resize}: after MIN_OPS, as soon as the writer's operation counter has stood still for STALL_NANOS
 *       (an operation that takes that long is replacing a table);</li>
 *   <li>{@code close}: STALL_NANOS after the writer, at MIN_OPS, started {@code close()};</li>
 *   <li>{@code kill}: never: it prints {@code READY} at MIN_OPS and the parent kills it (SIGKILL) a moment later,
 *       wherever the writer is (a halt waits for a safepoint, which a replacement's loops may not reach soon).</li>
 * </ul>
 * Arguments: {@code FILE SEGMENTS MODE WINDOW MIN_OPS STALL_NANOS SEED [bytes LOG]}: with {@code bytes}, a byte
 * store ({@link ByteSeedStores#builder}) whose writer logs each value to LOG before it writes it.
 */
public final class CrashWriter
{
    private static final long DEADLINE_NANOS = 5_000_000_000L;

    private CrashWriter()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path file = Paths.get(args[0]);
        final int segments = Integer.parseInt(args[1]);
        final String mode = args[2];
        final int window = Integer.parseInt(args[3]);
        final long minOps = Long.parseLong(args[4]);
        final long stallNanos = Long.parseLong(args[5]);
        final long seed = Long.parseLong(args[6]);
        final Writes writes = args.length > 7 && "bytes".equals(args[7]) ?
            new ByteWrites(ByteSeedStores.builder(segments).file(file).build(), Paths.get(args[8]), window) :
            new LongWrites(OffHeapLongLongMap.builder().segments(segments).chunkSize(FileCheck.CHUNK_SIZE)
                .file(file).build(), window);
        final AtomicLong ops = new AtomicLong();
        final AtomicLong closing = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            final SplittableRandom random = new SplittableRandom(seed);
            long n = 0;
            while (true)
            {
                writes.operation(random, n);
                ops.lazySet(++n);
                if ("close".equals(mode) && n >= minOps)
                {
                    closing.set(System.nanoTime());
                    writes.close();
                    closing.set(-1);
                    return;
                }
            }
        }, "crash-writer");
        writer.setDaemon(true);
        writer.start();
        if ("kill".equals(mode))
        {
            while (ops.get() < minOps)
            {
                Thread.onSpinWait();
            }
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(DEADLINE_NANOS / 1_000_000);
            Runtime.getRuntime().halt(0);
        }
        final long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true)
        {
            final long now = System.nanoTime();
            if (now - start > DEADLINE_NANOS)
            {
                Runtime.getRuntime().halt(0);
            }
            if ("close".equals(mode))
            {
                final long started = closing.get();
                if (started < 0 || (started > 0 && now - started >= stallNanos))
                {
                    Runtime.getRuntime().halt(0);
                }
                continue;
            }
            final long count = ops.get();
            if (count < minOps)
            {
                continue;
            }
            if ("any".equals(mode))
            {
                Runtime.getRuntime().halt(0);
            }
            if (count != last)
            {
                last = count;
                lastChange = now;
            }
            else if (now - lastChange >= stallNanos)
            {
                Runtime.getRuntime().halt(0);
            }
        }
    }

    /** One store's writes: an operation (given the writer's random and count), and the close. */
    private interface Writes
    {
        void operation(SplittableRandom random, long n);

        void close();
    }

    /**
     * The long map's: insert a key, remove the oldest beyond the window, now and then key 0 and an increment.
     */
    private static final class LongWrites implements Writes
    {
        final OffHeapLongLongMap map;
        final int window;
        final ArrayDeque<Long> keys = new ArrayDeque<>();

        LongWrites(final OffHeapLongLongMap map, final int window)
        {
            this.map = map;
            this.window = window;
        }

        @Override
        public void operation(final SplittableRandom random, final long n)
        {
            final long key = nextKey(random);
            final long value = random.nextLong(); // every long but the missing value (format 3)
            map.put(key, OffHeapLongLongMap.DEFAULT_MISSING_VALUE == value ? value + 1 : value);
            keys.addLast(key);
            if (keys.size() > window)
            {
                map.remove(keys.pollFirst());
            }
            if (n % 17 == 0)
            {
                if (random.nextBoolean())
                {
                    map.put(0, n);
                }
                else
                {
                    map.remove(0);
                }
            }
            if (n % 13 == 0 && !keys.isEmpty())
            {
                map.getAndAdd(keys.peekLast(), 1);
            }
        }

        @Override
        public void close()
        {
            map.close();
        }
    }

    /**
     * The byte store's: put a key of {@link ByteSeedStores#key} (updates of recent keys too), remove the oldest
     * beyond the window; each value is logged (key, fingerprint) with one unbuffered write before its put, so the
     * parent knows every value that may be in the file.
     */
    private static final class ByteWrites implements Writes
    {
        final OffHeapByteStore store;
        final int window;
        final ArrayDeque<byte[]> keys = new ArrayDeque<>();
        final FileOutputStream log;

        ByteWrites(final OffHeapByteStore store, final Path log, final int window) throws IOException
        {
            this.store = store;
            this.window = window;
            this.log = new FileOutputStream(log.toFile());
        }

        @Override
        public void operation(final SplittableRandom random, final long n)
        {
            final byte[] key = random.nextInt(4) == 0 && !keys.isEmpty() ? keys.peekLast() :
                ByteSeedStores.key(random, n);
            final byte[] value = ByteSeedStores.value(random, 200_000);
            try
            {
                log.write((java.util.HexFormat.of().formatHex(key) + " " + Bytes.fingerprint(value) +
                    "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
            store.put(key, value);
            keys.addLast(key);
            if (keys.size() > window)
            {
                store.remove(keys.pollFirst());
            }
        }

        @Override
        public void close()
        {
            store.close();
        }
    }

    private static long nextKey(final SplittableRandom random)
    {
        final int kind = random.nextInt(100);
        if (kind == 0)
        {
            return random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (kind < 30)
        {
            return -1 - random.nextInt(1 << 20);
        }
        if (kind < 60)
        {
            return 1 + random.nextInt(1 << 20);
        }
        final long key = random.nextLong();
        return 0 == key ? 1 : key;
    }
}
