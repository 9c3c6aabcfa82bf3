package io.slotkv.server;

import io.netty.buffer.ByteBuf;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.StoreStatistics;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code COMMAND CONFIG INFO DBSIZE TIME SAVE BGSAVE LASTSAVE SHUTDOWN}: what tools ask a server about itself, and
 * its lifecycle.
 */
final class ServerCommands
{
    private static final Set<String> DEFAULT_SECTIONS = Set.of("server", "clients", "memory", "persistence", "stats",
        "keyspace");

    private final RespServer server;
    private final OffHeapByteStore store;
    private final String runId;

    ServerCommands(final RespServer server)
    {
        this.server = server;
        this.store = server.store();
        final StringBuilder id = new StringBuilder();
        final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 40; i++)
        {
            id.append(Character.forDigit(random.nextInt(16), 16));
        }
        this.runId = id.toString();
    }

    void register(final CommandTable table)
    {
        table.add("command", -1, "loading stale", 0, 0, 0, this::command);
        table.add("config", -2, "admin", 0, 0, 0, this::config);
        table.add("info", -1, "loading stale", 0, 0, 0, this::info);
        table.add("dbsize", 1, "readonly fast", 0, 0, 0, (client, args, out) -> Reply.integer(out, store.size()));
        table.add("time", 1, "loading stale fast", 0, 0, 0, this::time);
        table.add("save", 1, "admin", 0, 0, 0, this::save);
        table.add("bgsave", -1, "admin", 0, 0, 0, this::bgsave);
        table.add("lastsave", 1, "loading stale fast", 0, 0, 0,
            (client, args, out) -> Reply.integer(out, server.persistence().lastSaveSeconds()));
        table.add("shutdown", -1, "admin loading stale", 0, 0, 0, this::shutdown);
    }

    /** {@code COMMAND}, {@code COMMAND COUNT}, {@code COMMAND INFO name...}, {@code COMMAND DOCS}, {@code LIST}. */
    private void command(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final CommandTable table = server.commands();
        if (1 == args.length)
        {
            Reply.arrayHeader(out, table.size());
            for (final CommandTable.Command command : table.all())
            {
                describe(out, command);
            }
            return;
        }
        final String sub = Args.lower(args[1]);
        switch (sub)
        {
            case "count" -> Reply.integer(out, table.size());
            case "info" ->
            {
                Reply.arrayHeader(out, args.length - 2);
                for (int i = 2; i < args.length; i++)
                {
                    final CommandTable.Command command = table.find(args[i]);
                    if (null == command)
                    {
                        Reply.nilArray(out);
                    }
                    else
                    {
                        describe(out, command);
                    }
                }
            }
            case "docs" -> Reply.arrayHeader(out, 0); // no documentation: clients fall back to their own
            case "list" ->
            {
                Reply.arrayHeader(out, table.size());
                for (final CommandTable.Command command : table.all())
                {
                    Reply.bulk(out, command.name());
                }
            }
            default -> throw new CommandError("ERR unknown subcommand '" + Args.text(args[1]) +
                "'. Try COMMAND HELP.");
        }
    }

    /** A command as Redis 7's {@code COMMAND INFO} gives it: ten fields. */
    private static void describe(final ByteBuf out, final CommandTable.Command command)
    {
        Reply.arrayHeader(out, 10);
        Reply.bulk(out, command.name());
        Reply.integer(out, command.arity());
        Reply.arrayHeader(out, command.flags().size());
        for (final String flag : command.flags())
        {
            Reply.simple(out, flag);
        }
        Reply.integer(out, command.firstKey());
        Reply.integer(out, command.lastKey());
        Reply.integer(out, command.step());
        Reply.arrayHeader(out, 0); // ACL categories
        Reply.arrayHeader(out, 0); // tips
        Reply.arrayHeader(out, 0); // key specifications
        Reply.arrayHeader(out, 0); // subcommands
    }

    /** The settings {@code CONFIG GET} reports, by Redis's names. */
    private Map<String, String> configuration()
    {
        final ServerSettings settings = server.settings();
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("bind", settings.bind());
        values.put("port", Integer.toString(server.address().getPort()));
        values.put("dir", settings.directory().toAbsolutePath().toString());
        values.put("dbfilename", ServerSettings.BACKUP_FILE);
        values.put("requirepass", null == settings.password() ? "" : settings.password());
        values.put("protected-mode", settings.protectedMode() ? "yes" : "no");
        values.put("maxclients", Integer.toString(settings.maxClients()));
        values.put("timeout", Integer.toString(settings.idleTimeoutSeconds()));
        values.put("proto-max-bulk-len", Long.toString(settings.protoMaxBulkLength()));
        values.put("client-query-buffer-limit", Long.toString(settings.queryBufferLimit()));
        values.put("maxmemory", Long.toString(settings.maxMemory()));
        values.put("maxmemory-policy", "noeviction");
        values.put("databases", "1");
        values.put("save", ""); // no snapshot schedule: the store file is always current
        values.put("appendonly", "no");
        values.put("io-threads", Integer.toString(settings.ioThreads()));
        return values;
    }

    private void config(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final String sub = Args.lower(args[1]);
        if ("get".equals(sub))
        {
            if (args.length < 3)
            {
                throw new CommandError("ERR wrong number of arguments for 'config|get' command");
            }
            final Map<String, String> values = configuration();
            final List<String> found = new ArrayList<>();
            for (final Map.Entry<String, String> entry : values.entrySet())
            {
                for (int i = 2; i < args.length; i++)
                {
                    final byte[] pattern = Args.lower(args[i]).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    if (new Glob(pattern).matches(entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    {
                        found.add(entry.getKey());
                        found.add(entry.getValue());
                        break;
                    }
                }
            }
            Reply.arrayHeader(out, found.size());
            for (final String text : found)
            {
                Reply.bulk(out, text);
            }
            return;
        }
        if ("set".equals(sub))
        {
            final String name = args.length > 2 ? Args.text(args[2]) : "";
            throw new CommandError("ERR Unknown option or number of arguments for CONFIG SET - '" + name +
                "' (settings are given on the command line at start)");
        }
        if ("resetstat".equals(sub))
        {
            Reply.ok(out);
            return;
        }
        throw new CommandError("ERR unknown subcommand '" + Args.text(args[1]) + "'. Try CONFIG HELP.");
    }

    private void info(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final Set<String> sections = new java.util.HashSet<>();
        for (int i = 1; i < args.length; i++)
        {
            final String section = Args.lower(args[i]);
            if ("all".equals(section) || "everything".equals(section) || "default".equals(section))
            {
                sections.addAll(DEFAULT_SECTIONS);
            }
            else
            {
                sections.add(section);
            }
        }
        if (sections.isEmpty())
        {
            sections.addAll(DEFAULT_SECTIONS);
        }
        final StringBuilder text = new StringBuilder();
        final long uptime = (System.currentTimeMillis() - server.startMillis()) / 1000;
        if (sections.contains("server"))
        {
            section(text, "Server");
            line(text, "redis_version", RespServer.REDIS_VERSION);
            line(text, "slotkv_version", version());
            line(text, "redis_mode", "standalone");
            line(text, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch"));
            line(text, "arch_bits", "64");
            line(text, "multiplexing_api", server.usesEpoll() ? "epoll" : "nio");
            line(text, "java_version", System.getProperty("java.version"));
            line(text, "process_id", Long.toString(ProcessHandle.current().pid()));
            line(text, "run_id", runId);
            line(text, "tcp_port", Integer.toString(server.address().getPort()));
            line(text, "uptime_in_seconds", Long.toString(uptime));
            line(text, "uptime_in_days", Long.toString(uptime / 86_400));
            line(text, "executable", "");
            line(text, "config_file", "");
        }
        if (sections.contains("clients"))
        {
            section(text, "Clients");
            line(text, "connected_clients", Integer.toString(server.clients().size()));
            line(text, "maxclients", Integer.toString(server.settings().maxClients()));
            line(text, "blocked_clients", "0");
        }
        if (sections.contains("memory"))
        {
            section(text, "Memory");
            final long used = store.offHeapBytes();
            line(text, "used_memory", Long.toString(used));
            line(text, "used_memory_human", human(used));
            line(text, "used_memory_dataset", Long.toString(store.keyValueBytes()));
            line(text, "maxmemory", Long.toString(server.settings().maxMemory()));
            line(text, "maxmemory_human", human(server.settings().maxMemory()));
            line(text, "maxmemory_policy", "noeviction");
            line(text, "slotkv_entry_bytes", Long.toString(store.entryBytes()));
            line(text, "slotkv_free_bytes", Long.toString(store.freeBytes()));
            line(text, "slotkv_fragmentation", String.format(Locale.ROOT, "%.3f", store.fragmentation()));
        }
        if (sections.contains("persistence"))
        {
            section(text, "Persistence");
            line(text, "loading", "0");
            line(text, "rdb_bgsave_in_progress", server.persistence().inProgress() ? "1" : "0");
            line(text, "rdb_last_save_time", Long.toString(server.persistence().lastSaveSeconds()));
            line(text, "rdb_last_bgsave_status", server.persistence().lastSaveFailed() ? "err" : "ok");
            line(text, "aof_enabled", "0");
            line(text, "slotkv_store_file", server.settings().directory().resolve(ServerSettings.STORE_FILE)
                .toAbsolutePath().toString());
        }
        if (sections.contains("stats"))
        {
            section(text, "Stats");
            final StoreStatistics statistics = store.statistics();
            line(text, "total_connections_received", Long.toString(server.connectionsReceived()));
            line(text, "total_commands_processed", Long.toString(server.commandsProcessed()));
            line(text, "rejected_connections", Long.toString(server.connectionsRejected()));
            line(text, "expired_keys", Long.toString(statistics.expired()));
            line(text, "evicted_keys", "0");
            line(text, "keyspace_hits", Long.toString(statistics.hits()));
            line(text, "keyspace_misses", Long.toString(statistics.misses()));
        }
        if (sections.contains("keyspace"))
        {
            section(text, "Keyspace");
            final long keys = store.size();
            if (keys > 0)
            {
                line(text, "db0", "keys=" + keys);
            }
        }
        Reply.bulk(out, text.toString());
    }

    private static void section(final StringBuilder text, final String name)
    {
        if (text.length() > 0)
        {
            text.append("\r\n");
        }
        text.append("# ").append(name).append("\r\n");
    }

    private static void line(final StringBuilder text, final String field, final String value)
    {
        text.append(field).append(':').append(value).append("\r\n");
    }

    private static String human(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        final String[] units = {"K", "M", "G", "T"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }

    private static String version()
    {
        final String version = ServerCommands.class.getPackage().getImplementationVersion();
        return null == version ? "development" : version;
    }

    private void time(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final Instant now = Instant.now();
        Reply.arrayHeader(out, 2);
        Reply.bulk(out, Long.toString(now.getEpochSecond()));
        Reply.bulk(out, Long.toString(now.getNano() / 1000));
    }

    private void save(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        try
        {
            if (!server.persistence().save())
            {
                throw new CommandError("ERR Background save already in progress");
            }
        }
        catch (final UncheckedIOException failed)
        {
            throw new CommandError("ERR saving to " + ServerSettings.BACKUP_FILE + " failed: " + failed.getMessage());
        }
        Reply.ok(out);
    }

    private void bgsave(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (args.length > 2 || (2 == args.length && !Args.is(args[1], "SCHEDULE")))
        {
            throw new CommandError(CommandError.SYNTAX);
        }
        if (!server.persistence().saveInBackground())
        {
            throw new CommandError("ERR Background save already in progress");
        }
        Reply.simple(out, "Background saving started");
    }

    /**
     * {@code SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]}: closes the store (synced, marked clean) and exits; no reply, the
     * connection closes. {@code SAVE} backs up first. {@code ABORT}: nothing to abort, as in Redis without a
     * shutdown in progress.
     */
    private void shutdown(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        boolean save = false;
        for (int i = 1; i < args.length; i++)
        {
            if (Args.is(args[i], "SAVE"))
            {
                save = true;
            }
            else if (Args.is(args[i], "ABORT"))
            {
                throw new CommandError("ERR No shutdown in progress.");
            }
            else if (!Args.is(args[i], "NOSAVE") && !Args.is(args[i], "NOW") && !Args.is(args[i], "FORCE"))
            {
                throw new CommandError(CommandError.SYNTAX);
            }
        }
        if (save)
        {
            save(client, args, out);
            out.clear();
        }
        server.log("SHUTDOWN from client id=" + client.id);
        client.closeAfterReply();
        server.shutdownSoon();
    }
}
