package io.slotkv.cli;

import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.OffHeapLongLongMap;
import io.slotkv.map.RecoveryReport;
import io.slotkv.map.StoreBackup;
import io.slotkv.map.StoreExport;
import io.slotkv.map.StoreFile;
import io.slotkv.map.StoreStatistics;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A store file of either kind, opened by a command: the one place that picks the map from the file's kind, so each
 * command is written once for both.
 */
final class OpenedStore implements AutoCloseable
{
    final StoreFile.Kind kind;
    private final OffHeapLongLongMap map;
    private final OffHeapByteStore bytes;

    private OpenedStore(final StoreFile.Kind kind, final OffHeapLongLongMap map, final OffHeapByteStore bytes)
    {
        this.kind = kind;
        this.map = map;
        this.bytes = bytes;
    }

    /**
     * Open an existing store file as {@code mode} says, with the full check if {@code verify}.
     */
    static OpenedStore open(final Path file, final OpenMode mode, final boolean verify)
    {
        return open(StoreFile.read(file).kind(), file, mode, verify);
    }

    /**
     * Open (or, with {@link OpenMode#CREATE_OR_OPEN}, create) a store file of {@code kind}.
     */
    static OpenedStore open(final StoreFile.Kind kind, final Path file, final OpenMode mode, final boolean verify)
    {
        if (StoreFile.Kind.BYTE_STORE == kind)
        {
            return new OpenedStore(kind, null, OffHeapByteStore.builder().file(file, mode).verifyOnOpen(verify)
                .expirySweeper(false).build());
        }
        return new OpenedStore(kind, OffHeapLongLongMap.builder().file(file, mode).verifyOnOpen(verify).build(), null);
    }

    long size()
    {
        return null != map ? map.size() : bytes.size();
    }

    int segments()
    {
        return null != map ? map.segmentCount() : bytes.segmentCount();
    }

    StoreStatistics statistics()
    {
        return null != map ? map.statistics() : bytes.statistics();
    }

    Optional<RecoveryReport> recoveryReport()
    {
        return null != map ? map.recoveryReport() : bytes.recoveryReport();
    }

    /** @return the byte store, or null for a long map. */
    OffHeapByteStore byteStore()
    {
        return bytes;
    }

    long export(final OutputStream out)
    {
        return null != map ? StoreExport.export(map, out) : StoreExport.export(bytes, out);
    }

    long importFrom(final InputStream in)
    {
        return null != map ? StoreExport.importInto(map, in) : StoreExport.importInto(bytes, in);
    }

    long backup(final Path destination, final LongConsumer progress)
    {
        return null != map ? StoreBackup.backup(map, destination, progress) :
            StoreBackup.backup(bytes, destination, progress);
    }

    @Override
    public void close()
    {
        if (null != map)
        {
            map.close();
        }
        else
        {
            bytes.close();
        }
    }
}
