package io.slotkv.server;

import io.netty.buffer.ByteBuf;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commands the server knows, by lower-case name, each with what {@code COMMAND} tells clients about it (arity as
 * Redis counts it: positive for exactly that many arguments with the name, negative for at least that many; flags;
 * the first, last and step of its key arguments).
 */
final class CommandTable
{
    /** What a command does with its arguments; replies go to {@code out}. */
    @FunctionalInterface
    interface Handler
    {
        void run(RespConnection client, byte[][] args, ByteBuf out);
    }

    /** A command as {@code COMMAND INFO} describes it, and its handler. */
    record Command(String name, int arity, List<String> flags, int firstKey, int lastKey, int step, Handler handler)
    {
        boolean hasFlag(final String flag)
        {
            return flags.contains(flag);
        }

        boolean arityAllows(final int arguments)
        {
            return arity >= 0 ? arguments == arity : arguments >= -arity;
        }
    }

    private final Map<String, Command> commands = new TreeMap<>();

    /**
     * The commands by the case-folded hash of their names, open addressing: {@link #find(byte[])} looks a name up
     * without allocating (the command line's first argument, in any case).
     */
    private Command[] byHash = new Command[64];

    /**
     * @param flags space-separated, as Redis names them ({@code write}, {@code readonly}, {@code fast},
     *              {@code no-auth}, ...).
     */
    void add(final String name, final int arity, final String flags, final int firstKey, final int lastKey,
        final int step, final Handler handler)
    {
        final Command command = new Command(name, arity, flags.isEmpty() ? List.of() : List.of(flags.split(" ")),
            firstKey, lastKey, step, handler);
        if (null != commands.putIfAbsent(name, command))
        {
            throw new IllegalStateException("command added twice: " + name);
        }
        if (commands.size() * 2 > byHash.length)
        {
            byHash = new Command[byHash.length * 2];
            commands.values().forEach(this::index);
        }
        else
        {
            index(command);
        }
    }

    private void index(final Command command)
    {
        final byte[] name = command.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int slot = foldedHash(name) & (byHash.length - 1);
        while (null != byHash[slot])
        {
            slot = (slot + 1) & (byHash.length - 1);
        }
        byHash[slot] = command;
    }

    /** A hash of the bytes with ASCII letters in lower case. */
    private static int foldedHash(final byte[] name)
    {
        int hash = 0;
        for (final byte b : name)
        {
            hash = 31 * hash + lower(b);
        }
        return hash ^ (hash >>> 16);
    }

    private static int lower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private static boolean sameName(final String name, final byte[] given)
    {
        if (name.length() != given.length)
        {
            return false;
        }
        for (int i = 0; i < given.length; i++)
        {
            if (name.charAt(i) != lower(given[i]))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the command named by {@code name} in any case, or null. */
    Command find(final byte[] name)
    {
        final Command[] table = byHash;
        for (int slot = foldedHash(name) & (table.length - 1); null != table[slot];
            slot = (slot + 1) & (table.length - 1))
        {
            if (sameName(table[slot].name(), name))
            {
                return table[slot];
            }
        }
        return null;
    }

    Command find(final String name)
    {
        return commands.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    Collection<Command> all()
    {
        return Collections.unmodifiableCollection(commands.values());
    }

    int size()
    {
        return commands.size();
    }
}
