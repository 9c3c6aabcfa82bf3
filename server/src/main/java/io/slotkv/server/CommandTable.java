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
    }

    /** @return the command named by {@code name} in any case, or null. */
    Command find(final byte[] name)
    {
        return name.length > 32 ? null : commands.get(Args.lower(name));
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
