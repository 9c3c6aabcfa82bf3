package io.slotkv.bench;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.StoreBackup;
import io.slotkv.map.StoreExport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Operations of issue #13, each a single shot:
 * <ul>
 * <li>{@link Bytes#export} and {@link Bytes#backup} of a byte store of {@code keys} keys of 16 bytes with values of
 * 100 bytes ({@link ByteKeys}): the rate is the store's {@code keyValueBytes()} (the live data) over the time. The
 * export goes to {@link OutputStream#nullOutputStream()}; the backup to a file in the temporary directory (this
 * machine: disk-backed /tmp), deleted after each shot;</li>
 * <li>{@link Restore#open}: the open of a backup of a long map of 10M entries (restore is opening the backup: a
 * clean file is mapped, not read).</li>
 * </ul>
 * The JMH annotations are on the nested classes, which hold the benchmarks.
 */
public class BackupBenchmark
{
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"})
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public static class Bytes
    {
        @Param({"1000000"})
        public int keys;

        OffHeapByteStore store;
        Path backup;

        @Setup(Level.Trial)
        public void fill() throws IOException
        {
            store = OffHeapByteStore.builder().initialCapacity(keys).build();
            final byte[] key = new byte[ByteKeys.KEY_LENGTH];
            final byte[] value = new byte[ByteKeys.VALUE_LENGTH];
            for (int i = 0; i < keys; i++)
            {
                ByteKeys.key(i, key, 0);
                ByteKeys.value(i, value, 0);
                store.put(key, value);
            }
            backup = Files.createTempDirectory("slotkv-backup-bench").resolve("backup.slotkv");
            System.out.println("live data: keyValueBytes=" + store.keyValueBytes() + " bytes, entries=" +
                store.size());
        }

        @TearDown(Level.Iteration)
        public void deleteBackup() throws IOException
        {
            Files.deleteIfExists(backup);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            store.close();
            Files.deleteIfExists(backup.getParent());
        }

        @Benchmark
        public long export()
        {
            return StoreExport.export(store, OutputStream.nullOutputStream());
        }

        @Benchmark
        public long backup()
        {
            return StoreBackup.backup(store, backup);
        }
    }

    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"})
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public static class Restore
    {
        @Param({"10000000"})
        public int entries;

        Path backup;
        OffHeapLongLongMap opened;

        @Setup(Level.Trial)
        public void makeBackup() throws IOException
        {
            backup = Files.createTempDirectory("slotkv-restore-bench").resolve("backup.slotkv");
            try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().initialCapacity(entries).build())
            {
                for (long key = 1; key <= entries; key++)
                {
                    map.put(key, key);
                }
                StoreBackup.backup(map, backup);
            }
        }

        @TearDown(Level.Invocation)
        public void closeOpened()
        {
            if (null != opened)
            {
                if (entries != opened.size())
                {
                    throw new IllegalStateException("restored map has " + opened.size() + " entries");
                }
                opened.close();
                opened = null;
            }
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException
        {
            Files.deleteIfExists(backup);
            Files.deleteIfExists(backup.getParent());
        }

        @Benchmark
        public long open()
        {
            opened = OffHeapLongLongMap.builder().file(backup).build();
            return opened.segmentCount();
        }
    }
}
