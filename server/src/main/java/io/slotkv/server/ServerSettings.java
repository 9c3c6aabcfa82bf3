package io.slotkv.server;

import java.nio.file.Path;

/**
 * How a {@link RespServer} runs: where it listens, where its store file lives, and its limits (Redis's names and
 * defaults where Redis has the setting).
 *
 * @param bind                address to listen on (Redis {@code bind}); 127.0.0.1 by default.
 * @param port                TCP port, 0 for any free one (tests); 6379 by default.
 * @param directory           where the store file ({@link #STORE_FILE}) and its backup ({@link #BACKUP_FILE}) live.
 * @param password            {@code requirepass}, or null for none.
 * @param protectedMode       Redis's {@code protected-mode}: without a password, refuse clients not on loopback.
 * @param maxClients          {@code maxclients}: connections beyond it are refused.
 * @param idleTimeoutSeconds  {@code timeout}: close a client idle this long, 0 never.
 * @param protoMaxBulkLength  {@code proto-max-bulk-len}: the longest bulk argument, at most
 *                            {@link #MAX_PROTO_BULK_LENGTH} (an argument is one Java array).
 * @param maxArguments        the most arguments a command may have (Redis: 2^31 - 1; here a bound on memory).
 * @param queryBufferLimit    {@code client-query-buffer-limit}: the most unparsed input a client may hold.
 * @param maxMemory           {@code maxmemory} of the store (noeviction), 0 for none.
 * @param maxValueLength      the longest string value the store holds.
 * @param outputHighWater     unsent reply bytes above which a client's commands wait until its replies drain.
 * @param ioThreads           event loop threads, 0 for one per core.
 */
public record ServerSettings(String bind, int port, Path directory, String password, boolean protectedMode,
    int maxClients, int idleTimeoutSeconds, long protoMaxBulkLength, int maxArguments, long queryBufferLimit,
    long maxMemory, int maxValueLength, int outputHighWater, int ioThreads)
{
    /** The store file's name in the data directory. */
    public static final String STORE_FILE = "slotkv.store";

    /** What {@code SAVE} and {@code BGSAVE} write, in the data directory. */
    public static final String BACKUP_FILE = "slotkv.backup";

    /**
     * The largest {@link #protoMaxBulkLength}: an argument is read into one {@code byte[]}, and the JVM allocates
     * arrays of up to {@code Integer.MAX_VALUE - 8} bytes (Redis allows more; its strings are still 512 MB).
     */
    public static final long MAX_PROTO_BULK_LENGTH = Integer.MAX_VALUE - 8;

    /** The default {@link #maxValueLength}: 64 MiB (the store allows up to 256 MiB - 1 with the default chunks). */
    public static final int DEFAULT_MAX_VALUE_LENGTH = 64 << 20;

    /** @return Redis's defaults: 127.0.0.1:6379, data in ./data, no password, protected mode, 10,000 clients. */
    public static ServerSettings defaults()
    {
        return new ServerSettings("127.0.0.1", 6379, Path.of("data"), null, true, 10_000, 0, 512L << 20, 1 << 20,
            1L << 30, 0, DEFAULT_MAX_VALUE_LENGTH, 1 << 20, 0);
    }

    public ServerSettings
    {
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be from 0 to 65535: port=" + port);
        }
        if (maxClients < 1 || idleTimeoutSeconds < 0 || protoMaxBulkLength < 1 || maxArguments < 1 ||
            queryBufferLimit < 1 || maxMemory < 0 || maxValueLength < 0 || outputHighWater < 1024 || ioThreads < 0)
        {
            throw new IllegalArgumentException("invalid server limits: maxClients=" + maxClients + ", timeout=" +
                idleTimeoutSeconds + ", protoMaxBulkLength=" + protoMaxBulkLength + ", maxArguments=" + maxArguments +
                ", queryBufferLimit=" + queryBufferLimit + ", maxMemory=" + maxMemory + ", maxValueLength=" +
                maxValueLength + ", outputHighWater=" + outputHighWater + ", ioThreads=" + ioThreads);
        }
        if (protoMaxBulkLength > MAX_PROTO_BULK_LENGTH)
        {
            throw new IllegalArgumentException("proto-max-bulk-len must be at most " + MAX_PROTO_BULK_LENGTH +
                " bytes (one Java array): protoMaxBulkLength=" + protoMaxBulkLength);
        }
        if (maxValueLength > io.slotkv.map.OffHeapByteStore.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException("max-value-size must be at most " +
                io.slotkv.map.OffHeapByteStore.MAX_VALUE_LENGTH + " bytes (256mb - 1, the longest value a store " +
                "entry holds): maxValueLength=" + maxValueLength);
        }
        if (null != password && password.isEmpty())
        {
            throw new IllegalArgumentException("an empty password is no password: leave requirepass unset");
        }
    }

    public ServerSettings withPort(final int port)
    {
        return new ServerSettings(bind, port, directory, password, protectedMode, maxClients, idleTimeoutSeconds,
            protoMaxBulkLength, maxArguments, queryBufferLimit, maxMemory, maxValueLength, outputHighWater,
            ioThreads);
    }

    public ServerSettings withDirectory(final Path directory)
    {
        return new ServerSettings(bind, port, directory, password, protectedMode, maxClients, idleTimeoutSeconds,
            protoMaxBulkLength, maxArguments, queryBufferLimit, maxMemory, maxValueLength, outputHighWater,
            ioThreads);
    }

    public ServerSettings withPassword(final String password)
    {
        return new ServerSettings(bind, port, directory, password, protectedMode, maxClients, idleTimeoutSeconds,
            protoMaxBulkLength, maxArguments, queryBufferLimit, maxMemory, maxValueLength, outputHighWater,
            ioThreads);
    }

    public ServerSettings withLimits(final int maxClients, final int idleTimeoutSeconds, final long maxMemory)
    {
        return new ServerSettings(bind, port, directory, password, protectedMode, maxClients, idleTimeoutSeconds,
            protoMaxBulkLength, maxArguments, queryBufferLimit, maxMemory, maxValueLength, outputHighWater,
            ioThreads);
    }
}
