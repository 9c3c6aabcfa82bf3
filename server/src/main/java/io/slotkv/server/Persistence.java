package io.slotkv.server;

import io.slotkv.map.StoreBackup;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code SAVE}, {@code BGSAVE} and {@code LASTSAVE}: the store file is always persistent (every write is in the
 * mapped file; {@code close} syncs it), so a save here is an online backup of it ({@link StoreBackup}) to
 * {@link ServerSettings#BACKUP_FILE}: a compacted, verified store file written beside and renamed into place, which
 * {@code slotkv restore} puts back. One save at a time.
 */
final class Persistence
{
    private final RespServer server;
    private final Path backup;
    private final ExecutorService saver = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "slotkv-bgsave");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean saving = new AtomicBoolean();
    private volatile long lastSaveSeconds = System.currentTimeMillis() / 1000;
    private volatile boolean lastSaveFailed;
    private volatile long lastSaveEntries = -1;

    Persistence(final RespServer server, final Path backup)
    {
        this.server = server;
        this.backup = backup;
    }

    /**
     * Back the store up now, on the calling thread ({@code SAVE}).
     *
     * @return false if a save is already running (nothing done).
     * @throws UncheckedIOException if the backup cannot be written (the previous backup is untouched).
     */
    boolean save()
    {
        if (!saving.compareAndSet(false, true))
        {
            return false;
        }
        try
        {
            backUp();
        }
        finally
        {
            saving.set(false);
        }
        return true;
    }

    /**
     * Back the store up on the saver thread ({@code BGSAVE}).
     *
     * @return false if a save is already running.
     */
    boolean saveInBackground()
    {
        if (!saving.compareAndSet(false, true))
        {
            return false;
        }
        saver.execute(() ->
        {
            try
            {
                backUp();
            }
            catch (final RuntimeException failed)
            {
                server.log("background saving failed: " + failed);
            }
            finally
            {
                saving.set(false);
            }
        });
        return true;
    }

    private void backUp()
    {
        final long begin = System.nanoTime();
        try
        {
            lastSaveEntries = StoreBackup.backup(server.store(), backup);
            lastSaveFailed = false;
            lastSaveSeconds = System.currentTimeMillis() / 1000;
            server.log("saved " + lastSaveEntries + " keys to " + backup + " in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " ms");
        }
        catch (final RuntimeException failed)
        {
            lastSaveFailed = true;
            throw failed;
        }
    }

    boolean inProgress()
    {
        return saving.get();
    }

    long lastSaveSeconds()
    {
        return lastSaveSeconds;
    }

    boolean lastSaveFailed()
    {
        return lastSaveFailed;
    }

    /** Wait for a running save, then stop the saver. */
    void close()
    {
        saver.shutdown();
        try
        {
            if (!saver.awaitTermination(10, TimeUnit.MINUTES))
            {
                server.log("a background save is still running after 10 minutes; closing anyway");
            }
        }
        catch (final InterruptedException interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
