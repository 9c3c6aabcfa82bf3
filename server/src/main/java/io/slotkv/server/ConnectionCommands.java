package io.slotkv.server;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** {@code PING ECHO QUIT HELLO AUTH SELECT CLIENT}: the connection's own state. */
final class ConnectionCommands
{
    private static final List<String> CLIENT_HELP = List.of(
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "LIST", "    Return information about client connections.",
        "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "HELP", "    Print this help.");

    private final RespServer server;
    /** SHA-256 of the password, or null: compared in constant time, whatever the length of a guess. */
    private final byte[] passwordDigest;

    ConnectionCommands(final RespServer server)
    {
        this.server = server;
        final String password = server.settings().password();
        this.passwordDigest = null == password ? null : digest(password.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] digest(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final NoSuchAlgorithmException missing)
        {
            throw new IllegalStateException("every JDK has SHA-256", missing);
        }
    }

    void register(final CommandTable table)
    {
        table.add("ping", -1, "fast", 0, 0, 0, this::ping);
        table.add("echo", 2, "fast", 0, 0, 0, (client, args, out) -> Reply.bulk(out, args[1]));
        table.add("quit", -1, "no-auth fast", 0, 0, 0, (client, args, out) ->
        {
            Reply.ok(out);
            client.closeAfterReply();
        });
        table.add("auth", -2, "no-auth fast", 0, 0, 0, this::auth);
        table.add("hello", -1, "no-auth fast", 0, 0, 0, this::hello);
        table.add("select", 2, "fast", 0, 0, 0, this::select);
        table.add("client", -2, "", 0, 0, 0, this::client);
    }

    private void ping(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (args.length > 2)
        {
            throw new CommandError("ERR wrong number of arguments for 'ping' command");
        }
        if (2 == args.length)
        {
            Reply.bulk(out, args[1]);
        }
        else
        {
            Reply.simple(out, "PONG");
        }
    }

    /** {@code AUTH [username] password}: the one user is {@code default}. */
    private void auth(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (args.length > 3)
        {
            throw new CommandError(CommandError.SYNTAX);
        }
        if (null == passwordDigest && 2 == args.length)
        {
            throw new CommandError("ERR AUTH <password> called without any password configured for the default " +
                "user. Are you sure your configuration is correct?");
        }
        checkPassword(client, 3 == args.length ? args[1] : null, args[args.length - 1]);
        Reply.ok(out);
    }

    private void checkPassword(final RespConnection client, final byte[] user, final byte[] password)
    {
        final boolean userOk = null == user || "default".equals(Args.text(user));
        final boolean passwordOk = null == passwordDigest || MessageDigest.isEqual(passwordDigest, digest(password));
        if (!userOk || !passwordOk)
        {
            throw new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
        }
        client.authenticate();
    }

    /** {@code HELLO [protover [AUTH username password] [SETNAME clientname]]}: RESP2 only. */
    private void hello(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        int i = 1;
        if (args.length > 1)
        {
            final long version;
            try
            {
                version = Args.integer(args[1]);
            }
            catch (final CommandError notOne)
            {
                throw new CommandError("ERR Protocol version is not an integer or out of range");
            }
            if (2 != version)
            {
                throw new CommandError("NOPROTO unsupported protocol version");
            }
            i = 2;
        }
        String name = null;
        boolean named = false;
        for (; i < args.length; i++)
        {
            if (Args.is(args[i], "AUTH") && i + 2 < args.length)
            {
                checkPassword(client, args[i + 1], args[i + 2]);
                i += 2;
            }
            else if (Args.is(args[i], "SETNAME") && i + 1 < args.length)
            {
                name = validName(args[++i], "Client names");
                named = true;
            }
            else
            {
                throw new CommandError("ERR Syntax error in HELLO option '" + Args.text(args[i]) + "'");
            }
        }
        if (!client.authenticated())
        {
            throw new CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise " +
                "the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the " +
                "RESP protocol version at the same time");
        }
        if (named)
        {
            client.name(name);
        }
        Reply.arrayHeader(out, 14);
        Reply.bulk(out, "server");
        Reply.bulk(out, "redis");
        Reply.bulk(out, "version");
        Reply.bulk(out, RespServer.REDIS_VERSION);
        Reply.bulk(out, "proto");
        Reply.integer(out, 2);
        Reply.bulk(out, "id");
        Reply.integer(out, client.id);
        Reply.bulk(out, "mode");
        Reply.bulk(out, "standalone");
        Reply.bulk(out, "role");
        Reply.bulk(out, "master");
        Reply.bulk(out, "modules");
        Reply.arrayHeader(out, 0);
    }

    private void select(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final long index = Args.integer(args[1]);
        if (0 != index)
        {
            throw new CommandError("ERR DB index is out of range");
        }
        Reply.ok(out);
    }

    /**
     * A client name or library attribute: printable ASCII without spaces, as Redis requires.
     *
     * @return the name, or null for an empty one (which clears it).
     */
    private static String validName(final byte[] name, final String what)
    {
        for (final byte c : name)
        {
            if (c < '!' || c > '~')
            {
                throw new CommandError("ERR " + what + " cannot contain spaces, newlines or special characters.");
            }
        }
        return 0 == name.length ? null : Args.text(name);
    }

    private void client(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final String sub = Args.lower(args[1]);
        switch (sub)
        {
            case "setname" ->
            {
                arity(args, 3, "client|setname");
                client.name(validName(args[2], "Client names"));
                Reply.ok(out);
            }
            case "getname" ->
            {
                arity(args, 2, "client|getname");
                final String name = client.name();
                if (null == name)
                {
                    Reply.nil(out);
                }
                else
                {
                    Reply.bulk(out, name);
                }
            }
            case "id" ->
            {
                arity(args, 2, "client|id");
                Reply.integer(out, client.id);
            }
            case "setinfo" ->
            {
                arity(args, 4, "client|setinfo");
                if (Args.is(args[2], "LIB-NAME"))
                {
                    client.library(validName(args[3], "lib-name"), null);
                }
                else if (Args.is(args[2], "LIB-VER"))
                {
                    client.library(null, validName(args[3], "lib-ver"));
                }
                else
                {
                    throw new CommandError("ERR Unrecognized option '" + Args.text(args[2]) + "'");
                }
                Reply.ok(out);
            }
            case "info" ->
            {
                arity(args, 2, "client|info");
                Reply.bulk(out, client.describe() + "\n");
            }
            case "list" ->
            {
                final StringBuilder list = new StringBuilder();
                for (final RespConnection each : server.clients())
                {
                    list.append(each.describe()).append('\n');
                }
                Reply.bulk(out, list.toString());
            }
            case "help" ->
            {
                Reply.arrayHeader(out, CLIENT_HELP.size());
                for (final String line : CLIENT_HELP)
                {
                    Reply.simple(out, line);
                }
            }
            default -> throw new CommandError("ERR unknown subcommand '" + Args.text(args[1]) +
                "'. Try CLIENT HELP.");
        }
    }

    static void arity(final byte[][] args, final int expected, final String command)
    {
        if (args.length != expected)
        {
            throw new CommandError("ERR wrong number of arguments for '" + command + "' command");
        }
    }
}
