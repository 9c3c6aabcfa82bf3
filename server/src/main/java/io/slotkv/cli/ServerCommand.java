package io.slotkv.cli;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.server.RespServer;
import io.slotkv.server.ServerSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code slotkv server}: the RESP server on a store file in the data directory, until {@code SHUTDOWN} or SIGTERM
 * (both close the store cleanly). Options use Redis's names and defaults.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Serve a store file in DIR over Redis's protocol (RESP2): redis-cli, redis-benchmark, Jedis and " +
        "Lettuce work unchanged. The store is recovered at start if it was not closed cleanly; SHUTDOWN or SIGTERM " +
        "close it cleanly. Sizes take Redis's units: 100mb, 1gb, or bytes.",
        "The password may also come from the environment variable SLOTKV_REQUIREPASS (not visible to ps)."})
final class ServerCommand implements Callable<Integer>
{
    private static final ServerSettings DEFAULTS = ServerSettings.defaults();

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind = DEFAULTS.bind();

    @Option(names = {"-p", "--port"}, description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port = DEFAULTS.port();

    @Option(names = "--dir", paramLabel = "DIR", description = "data directory, made if missing (default: " +
        "${DEFAULT-VALUE}): the store file " + ServerSettings.STORE_FILE + " and SAVE's " + ServerSettings.BACKUP_FILE)
    Path directory = DEFAULTS.directory();

    @Option(names = "--requirepass", paramLabel = "PASSWORD", description = "clients must AUTH with it")
    String password = System.getenv("SLOTKV_REQUIREPASS");

    @Option(names = "--protected-mode", paramLabel = "yes|no", description = "without a password, refuse clients " +
        "that are not on loopback (default: yes)")
    String protectedMode = "yes";

    @Option(names = "--maxclients", description = "most connections at once (default: ${DEFAULT-VALUE})")
    int maxClients = DEFAULTS.maxClients();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "close clients idle this long, 0 never " +
        "(default: ${DEFAULT-VALUE})")
    int timeout = DEFAULTS.idleTimeoutSeconds();

    @Option(names = "--maxmemory", paramLabel = "SIZE", description = "the store's memory limit (noeviction), 0 " +
        "for none (default: 0)")
    String maxMemory = "0";

    @Option(names = "--proto-max-bulk-len", paramLabel = "SIZE", description = "longest bulk argument (default: " +
        "512mb)")
    String protoMaxBulkLength = "512mb";

    @Option(names = "--client-query-buffer-limit", paramLabel = "SIZE", description = "most unparsed input per " +
        "client (default: 1gb)")
    String queryBufferLimit = "1gb";

    @Option(names = "--max-value-size", paramLabel = "SIZE", description = "longest string value (default: 64mb, " +
        "at most 256mb - 1)")
    String maxValueLength = "64mb";

    @Option(names = "--io-threads", description = "event loop threads, 0 for one per core (default: 0)")
    int ioThreads = DEFAULTS.ioThreads();

    @Override
    public Integer call() throws Exception
    {
        final ServerSettings settings;
        final long valueSize = size(maxValueLength);
        if (valueSize > OffHeapByteStore.MAX_VALUE_LENGTH)
        {
            throw new CommandLine.ParameterException(new CommandLine(ServerCommand.class), "--max-value-size must be " +
                "at most " + OffHeapByteStore.MAX_VALUE_LENGTH + " bytes (256mb - 1, the longest value a store entry " +
                "holds): " + maxValueLength + " (" + valueSize + " bytes)");
        }
        try
        {
            settings = new ServerSettings(bind, port, directory, password, yesOrNo(protectedMode), maxClients, timeout,
                size(protoMaxBulkLength), DEFAULTS.maxArguments(), size(queryBufferLimit), size(maxMemory),
                (int)valueSize, DEFAULTS.outputHighWater(), ioThreads);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(new CommandLine(ServerCommand.class), ex.getMessage());
        }
        final RespServer server = RespServer.start(settings, listening ->
            Runtime.getRuntime().addShutdownHook(new Thread(listening::close, "slotkv-sigterm")));
        server.awaitClose();
        return SlotKv.OK;
    }

    private static boolean yesOrNo(final String value)
    {
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "yes":
                return true;
            case "no":
                return false;
            default:
                throw new CommandLine.ParameterException(new CommandLine(ServerCommand.class),
                    "--protected-mode must be yes or no: " + value);
        }
    }

    /** A size as Redis writes it: bytes, or a number with k, kb, m, mb, g or gb (k = 1000, kb = 1024). */
    static long size(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
            {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        long multiplier = 1;
        String number = value;
        for (final String[] unit : units)
        {
            if (value.endsWith(unit[0]))
            {
                multiplier = Long.parseLong(unit[1]);
                number = value.substring(0, value.length() - unit[0].length());
                break;
            }
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(number), multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new CommandLine.ParameterException(new CommandLine(ServerCommand.class),
                "not a size: " + text + " (bytes, or a number with kb, mb or gb)");
        }
    }
}
