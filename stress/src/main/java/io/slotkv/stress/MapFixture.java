package io.slotkv.stress;

import io.slotkv.map.OffHeapLongLongMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The map under test, built small so that a handful of inserts resizes it inside a race.
 * <p>
 * Every fixture has one segment (so every key shares one table) of {@value #INITIAL_CAPACITY} slots and the default
 * max load of 0.7: the table holds {@value #FILLER_COUNT} + 1 keys, and the next insert of a new key replaces
 * it with a larger table. {@link #fill()} puts {@value #FILLER_COUNT} filler keys in, so that two more new keys
 * inserted by the actors force a resize while they race. The missing value is {@value #MISSING}, so outcomes read
 * as small numbers.
 * <p>
 * Backings: {@link #anonymous()} memory is freed by the GC once the fixture is unreachable; {@link #mapped()} is a
 * fresh store file per fixture (one open per file per JVM), on tmpfs when there is one, with 64 KiB mapping chunks.
 * {@link #close()} closes the map and deletes its file; call it from the test's {@code @Arbiter}. Files a failed
 * test left behind are deleted when the JVM exits.
 * <p>
 * A closed store-file map pins no memory, but its chunks are unmapped by a cleaner, i.e. only after a GC. jcstress
 * creates store files far faster than its small heap needs collecting, so without help tens of thousands of
 * closed stores could wait for a GC, up to the kernel's limit on mappings ({@code vm.max_map_count}, 65530 by
 * default), where each new store pays for a GC-and-retry. {@link #mapped()} therefore asks for a full GC every
 * {@value #MAPPED_PER_GC} stores.
 * This is harness hygiene, not part of any claim: the test actors never see it.
 */
public final class MapFixture implements AutoCloseable
{
    /** What {@code get} returns for an absent key. */
    public static final long MISSING = -1;

    /** What a test records when an operation threw {@link IllegalStateException} because the map was closed. */
    public static final long CLOSED = -2;

    /** Slots of the fixture's only table before any resize. */
    public static final int INITIAL_CAPACITY = 16;

    /** Keys {@link #fill()} inserts: one short of the table's resize threshold. */
    public static final int FILLER_COUNT = 10;

    /** First filler key; filler key {@code k} has value {@code k}. */
    public static final long FIRST_FILLER = 1000;

    private static final long CHUNK_SIZE = 1 << 16;
    private static final long MAPPED_PER_GC = 4096;
    private static final AtomicLong FILE_IDS = new AtomicLong();
    private static volatile Path directory;

    public final OffHeapLongLongMap map;
    private final Path file;

    private MapFixture(final Path file)
    {
        this.file = file;
        final OffHeapLongLongMap.Builder builder = OffHeapLongLongMap.builder()
            .segments(1)
            .maxLoad(OffHeapLongLongMap.DEFAULT_MAX_LOAD)
            .missingValue(MISSING);
        if (null != file)
        {
            builder.file(file).chunkSize(CHUNK_SIZE);
        }
        this.map = builder.build();
        if (INITIAL_CAPACITY != map.capacity())
        {
            map.close();
            throw new IllegalStateException("the stress tests assume a first table of " + INITIAL_CAPACITY +
                " slots, so that a few inserts resize it: capacity=" + map.capacity());
        }
    }

    /**
     * @return a fixture in anonymous off-heap memory.
     */
    public static MapFixture anonymous()
    {
        return new MapFixture(null);
    }

    /**
     * @return a fixture in a new store file.
     */
    public static MapFixture mapped()
    {
        final long id = FILE_IDS.incrementAndGet();
        if (0 == id % MAPPED_PER_GC)
        {
            // A closed store keeps its mapping until the GC finds it unreachable (see the class comment).
            System.gc();
        }
        return new MapFixture(directory().resolve("map-" + id + ".slotkv"));
    }

    /**
     * Insert the {@value #FILLER_COUNT} filler keys: the table is now one new key short of its resize threshold.
     *
     * @return this fixture.
     */
    public MapFixture fill()
    {
        for (long key = FIRST_FILLER; key < FIRST_FILLER + FILLER_COUNT; key++)
        {
            map.put(key, key);
        }
        return this;
    }

    /**
     * @return true if every filler key but {@code skipped} has its own value, and so has every key of
     * {@code ownKeys} (keys the actors inserted with themselves as value): nothing lost, nothing overwritten.
     */
    public boolean intactExcept(final long skipped, final long... ownKeys)
    {
        for (long key = FIRST_FILLER; key < FIRST_FILLER + FILLER_COUNT; key++)
        {
            if (key != skipped && key != map.get(key))
            {
                return false;
            }
        }
        for (final long key : ownKeys)
        {
            if (key != map.get(key))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true if every filler key has its own value and so has every key of {@code ownKeys}.
     */
    public boolean intact(final long... ownKeys)
    {
        return intactExcept(Long.MIN_VALUE, ownKeys);
    }

    /**
     * @return true if the table was replaced by a larger one since the fixture was built.
     */
    public boolean resized()
    {
        return map.capacity() > INITIAL_CAPACITY;
    }

    /**
     * Open the store file again (the map must have been closed), to see what the closed map left in it.
     */
    public OffHeapLongLongMap reopen()
    {
        if (null == file)
        {
            throw new IllegalStateException("anonymous memory cannot be reopened");
        }
        return OffHeapLongLongMap.builder().missingValue(MISSING).file(file).build();
    }

    /**
     * Close the map (again: closing twice is allowed) and delete its store file.
     */
    @Override
    public void close()
    {
        map.close();
        if (null != file)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete " + file, ex);
            }
        }
    }

    private static Path directory()
    {
        Path dir = directory;
        if (null == dir)
        {
            synchronized (MapFixture.class)
            {
                dir = directory;
                if (null == dir)
                {
                    dir = createDirectory();
                    directory = dir;
                }
            }
        }
        return dir;
    }

    private static Path createDirectory()
    {
        final Path shm = Paths.get("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Paths.get(System.getProperty("java.io.tmpdir"));
        try
        {
            final Path dir = Files.createTempDirectory(base, "slotkv-stress-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "slotkv-stress-cleanup"));
            return dir;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a directory for store files in " + base, ex);
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(path -> path.toFile().delete());
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            System.err.println("cannot delete " + dir + ": " + ex);
        }
    }
}
