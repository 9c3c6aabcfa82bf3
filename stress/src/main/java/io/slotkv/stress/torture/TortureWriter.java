package io.slotkv.stress.torture;

import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The child process of the kill -9 torture: opens (or creates, or recovers) a store file and runs writer threads
 * on it until {@link KillTorture} kills it. Each thread owns a disjoint key range ({@link TortureKeys}) and logs
 * every operation to its own {@link OpLog} around the map call, so the driver can replay exactly what was
 * acknowledged.
 * <p>
 * The mix is dominated by inserts of new keys, so the map grows through a resize of each segment's table at every
 * doubling; the rest are updates of live keys (put, getAndAdd, a putIfAbsent that changes nothing), removes, puts
 * of removed keys (reusing a removed key's slot or claiming one in a newer table) and removes of absent keys.
 * About one operation in {@value #REKEY_ONE_IN} is a re-keying put: a live key gets the value that encodes to
 * ABSENT or FROZEN with its table's value key ({@code valueKey} or {@code valueKey ^ 1}, read by the
 * {@link ResizeProbe}), which the map can only store by replacing the table with one of a new value key (format 3);
 * so kills also land inside re-keying replacements, whose recovery re-encodes every value it copies.
 * <p>
 * Lines on stdout, for the driver: {@code OPENING new|clean|dirty}, {@code OPEN ...} once the map is built,
 * {@code RESIZE segment capacity used [rekey]} just before an insert that replaces a segment's table, or a
 * re-keying put (see {@link ResizeProbe}), {@code RESIZED segment from to micros} after an insert's replacement,
 * {@code REKEYED segment capacity changed micros} after a re-keying put, {@code LOGFULL thread}, and
 * {@code ERROR ...} if the open or a map call threw (the child then halts with status 2). It halts by itself
 * (status 3) if not killed within {@code maxMillis}.
 * <p>
 * Arguments, as {@code name=value}: {@code store}, {@code logs} (directory), {@code segments}, {@code threads},
 * {@code seed}, {@code chunk} (mapping chunk size of a new store), {@code records} (log capacity per thread),
 * {@code next} (comma-separated first unused key index per thread), {@code maxMillis}.
 */
public final class TortureWriter
{
    /** Largest magnitude of a value put: far from overflow whatever the getAndAdd deltas add up to. */
    static final long VALUE_BOUND = 1L << 40;

    /** getAndAdd deltas are from {@code -DELTA_BOUND} to {@code DELTA_BOUND}. */
    static final int DELTA_BOUND = 1000;

    /** Removed keys each thread remembers, to put or remove again. */
    static final int REMOVED_POOL = 4096;

    /** One operation in this many is a re-keying put (each copies the segment's table twice). */
    static final int REKEY_ONE_IN = 200_000;

    /**
     * A re-keying value (random, from a value key) is used only this far from the extremes of a long: its later
     * getAndAdd deltas then never wrap to the map's missing value or the model's {@link TortureOps#REMOVED}.
     */
    static final long REKEY_MARGIN = 1L << 41;

    private TortureWriter()
    {
    }

    public static void main(final String[] args) throws InterruptedException, IOException
    {
        final Map<String, String> options = parse(args);
        final Path store = Paths.get(options.get("store"));
        final Path logs = Paths.get(options.get("logs"));
        final int segments = Integer.parseInt(options.get("segments"));
        final int threads = Integer.parseInt(options.get("threads"));
        final long seed = Long.parseLong(options.get("seed"));
        final long chunk = Long.parseLong(options.get("chunk"));
        final int records = Integer.parseInt(options.get("records"));
        final long maxMillis = Long.parseLong(options.get("maxMillis"));
        final long[] next = Arrays.stream(options.get("next").split(",")).mapToLong(Long::parseLong).toArray();
        if (threads < 1 || threads > TortureKeys.MAX_WRITERS || next.length < threads)
        {
            throw new IllegalArgumentException("threads must be 1 to " + TortureKeys.MAX_WRITERS +
                ", with a next index for each: threads=" + threads + ", next=" + Arrays.toString(next));
        }

        warmUp(logs.resolve("warm-up.slotkv"));
        final StoreFile.Snapshot before = StoreFile.read(store);
        say("OPENING " + (!before.exists || StoreFile.NO_ROOT == before.rootOffset ? "new" :
            before.markedOpen() ? "dirty" : "clean"));
        final long start = System.nanoTime();
        final OffHeapLongLongMap map;
        try
        {
            map = OffHeapLongLongMap.builder().file(store).segments(segments).chunkSize(chunk).build();
        }
        catch (final RuntimeException | Error ex)
        {
            say("ERROR open: " + ex);
            ex.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(2);
            return;
        }
        final Optional<RecoveryReport> report = map.recoveryReport();
        say("OPEN millis=" + (System.nanoTime() - start) / 1_000_000 + " size=" + map.size() +
            " capacity=" + map.capacity() + " segments=" + map.segmentCount() + " recovery=" +
            report.map(r -> r.changedAnything() ? "changed" : "unchanged").orElse("none"));
        report.ifPresent(r -> say("RECOVERY " + r));

        final Writer[] writers = new Writer[threads];
        // the map wrote its seed to the directory when it created the store: read it back as the file has it
        final ResizeProbe probe = ResizeProbe.of(map, StoreFile.read(store).hashSeed);
        for (int t = 0; t < threads; t++)
        {
            writers[t] = new Writer(map, probe, t, next[t], new SplittableRandom(seed * 1_000_003L + t),
                new OpLog.Writer(OpLog.file(logs, t), records));
        }
        map.forEach((key, value) ->
        {
            final int thread = TortureKeys.thread(key);
            if (thread < threads)
            {
                writers[thread].live.add(key);
            }
        });
        for (int t = 0; t < threads; t++)
        {
            final Thread thread = new Thread(writers[t], "torture-writer-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        Thread.sleep(maxMillis);
        say("TIMEOUT after " + maxMillis + " ms: not killed");
        Runtime.getRuntime().halt(3);
    }

    /**
     * Open and close a throwaway store first: the first open of a JVM spends most of a second loading native
     * access, so that the time between OPENING and OPEN is the open of the store itself (a recovery, for a crashed
     * file), where the driver may aim a kill.
     */
    private static void warmUp(final Path file) throws IOException
    {
        OffHeapLongLongMap.builder().file(file).segments(1).chunkSize(MappedFileSpace.MIN_CHUNK_SIZE).build().close();
        Files.delete(file);
    }

    static synchronized void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    private static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("arguments are name=value: " + arg);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        for (final String required : new String[]{ "store", "logs", "segments", "threads", "seed", "chunk",
            "records", "next", "maxMillis" })
        {
            if (!options.containsKey(required))
            {
                throw new IllegalArgumentException("missing argument " + required + "=...; got " + options);
            }
        }
        return options;
    }

    /**
     * Keys as a growable array with O(1) removal of any element (the last one takes its place).
     */
    static final class KeyList
    {
        private long[] keys = new long[1024];
        private int size;

        void add(final long key)
        {
            if (size == keys.length)
            {
                keys = Arrays.copyOf(keys, size * 2);
            }
            keys[size++] = key;
        }

        long get(final int index)
        {
            return keys[index];
        }

        void removeAt(final int index)
        {
            keys[index] = keys[--size];
        }

        int size()
        {
            return size;
        }
    }

    /**
     * One writer thread: a seeded operation mix on its own keys, every call between an intent and a done record.
     */
    static final class Writer implements Runnable
    {
        private final OffHeapLongLongMap map;
        private final ResizeProbe probe;
        private final int thread;
        private final SplittableRandom random;
        private final OpLog.Writer log;
        final KeyList live = new KeyList();
        private final long[] removed = new long[REMOVED_POOL];
        private int removedCount;
        private long nextIndex;

        Writer(
            final OffHeapLongLongMap map,
            final ResizeProbe probe,
            final int thread,
            final long nextIndex,
            final SplittableRandom random,
            final OpLog.Writer log)
        {
            this.map = map;
            this.probe = probe;
            this.thread = thread;
            this.nextIndex = nextIndex;
            this.random = random;
            this.log = log;
        }

        @Override
        public void run()
        {
            try
            {
                while (log.hasRoom())
                {
                    step();
                }
                say("LOGFULL " + thread + " records=" + log.count());
            }
            catch (final Throwable ex)
            {
                say("ERROR thread " + thread + " after " + log.count() + " operations: " + ex);
                ex.printStackTrace();
                System.err.flush();
                Runtime.getRuntime().halt(2);
            }
        }

        private void step()
        {
            if (live.size() > 0 && !probe.isBlind() && 0 == random.nextInt(REKEY_ONE_IN))
            {
                rekey(live.get(random.nextInt(live.size())));
                return;
            }
            final int roll = 0 == live.size() ? 0 : random.nextInt(1000);
            if (roll < 540)
            {
                final int kind = random.nextInt(10);
                final int op = 0 == kind ? TortureOps.PUT_IF_ABSENT :
                    1 == kind ? TortureOps.GET_AND_ADD : TortureOps.PUT;
                final long key = TortureKeys.key(thread, nextIndex++);
                insert(op, key, TortureOps.GET_AND_ADD == op ? delta() : value());
            }
            else if (roll < 690)
            {
                call(TortureOps.PUT, live.get(random.nextInt(live.size())), value());
            }
            else if (roll < 820)
            {
                call(TortureOps.GET_AND_ADD, live.get(random.nextInt(live.size())), delta());
            }
            else if (roll < 920)
            {
                final int index = random.nextInt(live.size());
                final long key = live.get(index);
                call(TortureOps.REMOVE, key, 0);
                live.removeAt(index);
                remember(key);
            }
            else if (roll < 950 && removedCount > 0)
            {
                final int index = random.nextInt(removedCount);
                final long key = removed[index];
                removed[index] = removed[--removedCount];
                insert(TortureOps.PUT, key, value());
            }
            else if (roll < 970)
            {
                call(TortureOps.PUT_IF_ABSENT, live.get(random.nextInt(live.size())), value());
            }
            else
            {
                // a key removed before, or one never written: stays absent
                final long key = removedCount > 0 ? removed[random.nextInt(removedCount)] :
                    TortureKeys.key(thread, nextIndex);
                call(TortureOps.REMOVE, key, 0);
            }
        }

        /**
         * An operation that gives {@code key} a value it lacks, so it claims a slot: announce a replacement if it
         * will start one.
         */
        private void insert(final int op, final long key, final long operand)
        {
            if (probe.isBlind() || 0 == key)
            {
                call(op, key, operand);
            }
            else
            {
                final int segment = probe.segment(key);
                final Object table = probe.table(segment);
                final boolean resizes = probe.full(table);
                final long start = resizes ? System.nanoTime() : 0;
                if (resizes)
                {
                    say("RESIZE " + segment + " " + probe.capacity(table) + " " + probe.used(table));
                }
                call(op, key, operand);
                if (resizes)
                {
                    final Object after = probe.table(segment);
                    say("RESIZED " + segment + " " + probe.capacity(table) + " " +
                        (after == table ? -1 : probe.capacity(after)) + " " + (System.nanoTime() - start) / 1000);
                }
            }
            live.add(key);
        }

        /**
         * Put the one value of {@code key}'s table that it cannot hold with its value key: the segment re-keys (two
         * replacements at its capacity), unless another writer replaced the table first (then it is a plain put).
         */
        private void rekey(final long key)
        {
            final int segment = probe.segment(key);
            final Object table = probe.table(segment);
            final long value = probe.valueKey(table) ^ random.nextInt(2);
            if (value < Long.MIN_VALUE + REKEY_MARGIN || value > Long.MAX_VALUE - REKEY_MARGIN)
            {
                call(TortureOps.PUT, key, value());
                return;
            }
            final long start = System.nanoTime();
            say("RESIZE " + segment + " " + probe.capacity(table) + " " + probe.used(table) + " rekey");
            call(TortureOps.PUT, key, value);
            final Object after = probe.table(segment);
            say("REKEYED " + segment + " " + probe.capacity(table) + " " + (after != table) + " " +
                (System.nanoTime() - start) / 1000);
        }

        private void call(final int op, final long key, final long operand)
        {
            log.intent(op, key, operand);
            final long result = TortureOps.apply(map, op, key, operand);
            log.done(result);
        }

        private void remember(final long key)
        {
            if (removedCount < removed.length)
            {
                removed[removedCount++] = key;
            }
            else
            {
                removed[random.nextInt(removed.length)] = key;
            }
        }

        private long value()
        {
            return random.nextLong(-VALUE_BOUND, VALUE_BOUND);
        }

        private long delta()
        {
            return random.nextInt(-DELTA_BOUND, DELTA_BOUND + 1);
        }
    }
}
