package io.slotkv.server;

import io.netty.buffer.ByteBuf;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.SetCondition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The keyspace and expiry commands. Every key holds a string, so {@code TYPE} is {@code string} or {@code none}.
 * {@code RENAME} and {@code RENAMENX} are a write of the destination then a remove of the source (only if it still
 * holds the value moved): not atomic across the two keys, so a concurrent reader may see both for a moment.
 */
final class KeyCommands
{
    /** SCAN's default COUNT, as Redis. */
    private static final int SCAN_COUNT = 10;

    private final OffHeapByteStore store;

    KeyCommands(final OffHeapByteStore store)
    {
        this.store = store;
    }

    void register(final CommandTable table)
    {
        table.add("del", -2, "write", 1, -1, 1, this::delete);
        table.add("unlink", -2, "write fast", 1, -1, 1, this::delete);
        table.add("exists", -2, "readonly fast", 1, -1, 1, this::exists);
        table.add("type", 2, "readonly fast", 1, 1, 1, this::type);
        table.add("keys", 2, "readonly", 0, 0, 0, this::keys);
        table.add("scan", -2, "readonly", 0, 0, 0, this::scan);
        table.add("randomkey", 1, "readonly", 0, 0, 0, this::randomkey);
        table.add("rename", 3, "write", 1, 2, 1, (client, args, out) -> rename(args, out, false));
        table.add("renamenx", 3, "write fast", 1, 2, 1, (client, args, out) -> rename(args, out, true));
        table.add("flushdb", -1, "write", 0, 0, 0, this::flush);
        table.add("flushall", -1, "write", 0, 0, 0, this::flush);
        table.add("expire", -3, "write fast", 1, 1, 1, (client, args, out) -> expire(args, out, "expire", 1000, true));
        table.add("pexpire", -3, "write fast", 1, 1, 1, (client, args, out) -> expire(args, out, "pexpire", 1, true));
        table.add("expireat", -3, "write fast", 1, 1, 1,
            (client, args, out) -> expire(args, out, "expireat", 1000, false));
        table.add("pexpireat", -3, "write fast", 1, 1, 1,
            (client, args, out) -> expire(args, out, "pexpireat", 1, false));
        table.add("ttl", 2, "readonly fast", 1, 1, 1, (client, args, out) -> Reply.integer(out, store.ttl(args[1])));
        table.add("pttl", 2, "readonly fast", 1, 1, 1, (client, args, out) -> Reply.integer(out, store.pttl(args[1])));
        table.add("expiretime", 2, "readonly fast", 1, 1, 1, (client, args, out) -> expireTime(args, out, 1000));
        table.add("pexpiretime", 2, "readonly fast", 1, 1, 1, (client, args, out) -> expireTime(args, out, 1));
        table.add("persist", 2, "write fast", 1, 1, 1, (client, args, out) -> Reply.bool(out, store.persist(args[1])));
    }

    private void delete(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        long removed = 0;
        for (int i = 1; i < args.length; i++)
        {
            if (store.remove(args[i]))
            {
                removed++;
            }
        }
        Reply.integer(out, removed);
    }

    private void exists(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        long found = 0;
        for (int i = 1; i < args.length; i++)
        {
            if (store.containsKey(args[i]))
            {
                found++;
            }
        }
        Reply.integer(out, found);
    }

    private void type(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.simple(out, store.containsKey(args[1]) ? "string" : "none");
    }

    /** {@code KEYS pattern}: every key, weakly consistent (a key written meanwhile may or may not be in it). */
    private void keys(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final Glob glob = new Glob(args[1]);
        final List<byte[]> keys = new ArrayList<>();
        store.forEach((key, value) ->
        {
            final byte[] bytes = new byte[key.capacity()];
            key.getBytes(0, bytes);
            if (glob.matches(bytes))
            {
                keys.add(bytes);
            }
        });
        Reply.arrayHeader(out, keys.size());
        for (final byte[] key : keys)
        {
            Reply.bulk(out, key);
        }
    }

    /**
     * {@code SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]}: the store's {@code scan}, whose cursor is a
     * position in hash order that table growth does not move: a key present for the whole scan comes out once.
     */
    private void scan(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final long cursor;
        try
        {
            cursor = Long.parseUnsignedLong(Args.text(args[1]));
        }
        catch (final NumberFormatException notOne)
        {
            throw new CommandError("ERR invalid cursor");
        }
        Glob glob = null;
        int count = SCAN_COUNT;
        boolean strings = true;
        for (int i = 2; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                throw new CommandError(CommandError.SYNTAX);
            }
            if (Args.is(args[i], "MATCH"))
            {
                glob = new Glob(args[i + 1]);
            }
            else if (Args.is(args[i], "COUNT"))
            {
                final long wanted = Args.integer(args[i + 1]);
                if (wanted < 1)
                {
                    throw new CommandError(CommandError.SYNTAX);
                }
                count = (int)Math.min(wanted, 1 << 20);
            }
            else if (Args.is(args[i], "TYPE"))
            {
                strings = Args.is(args[i + 1], "STRING");
            }
            else
            {
                throw new CommandError(CommandError.SYNTAX);
            }
        }
        final List<byte[]> keys = new ArrayList<>();
        final Glob match = glob;
        final boolean wanted = strings;
        final long next;
        try
        {
            next = store.scan(cursor, count, (key, value) ->
            {
                final byte[] bytes = new byte[key.capacity()];
                key.getBytes(0, bytes);
                if (wanted && (null == match || match.matches(bytes)))
                {
                    keys.add(bytes);
                }
            });
        }
        catch (final IllegalArgumentException foreign)
        {
            throw new CommandError("ERR invalid cursor");
        }
        Reply.arrayHeader(out, 2);
        Reply.bulk(out, Long.toUnsignedString(next));
        Reply.arrayHeader(out, keys.size());
        for (final byte[] key : keys)
        {
            Reply.bulk(out, key);
        }
    }

    /** {@code RANDOMKEY}: the first key after a random position in hash order (wrapping), or nil if none. */
    private void randomkey(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long start = ((long)random.nextInt(store.segmentCount()) << 32) | (random.nextInt() & 0xFFFF_FFFFL);
        final byte[][] found = new byte[1][];
        long cursor = start;
        for (int pass = 0; pass < 2 && null == found[0]; pass++)
        {
            do
            {
                cursor = store.scan(cursor, 1, (key, value) ->
                {
                    if (null == found[0])
                    {
                        found[0] = new byte[key.capacity()];
                        key.getBytes(0, found[0]);
                    }
                });
            }
            while (null == found[0] && 0 != cursor);
        }
        Reply.bulk(out, found[0]);
    }

    private void rename(final byte[][] args, final ByteBuf out, final boolean onlyIfAbsent)
    {
        final byte[] source = args[1];
        final byte[] target = args[2];
        final byte[] value = store.get(source);
        if (null == value)
        {
            throw new CommandError("ERR no such key");
        }
        if (Arrays.equals(source, target))
        {
            if (onlyIfAbsent)
            {
                Reply.bool(out, false);
            }
            else
            {
                Reply.ok(out);
            }
            return;
        }
        final long expireTime = store.expireTime(source);
        final long deadline = expireTime > 0 ? expireTime : OffHeapByteStore.NO_TTL;
        if (!store.set(target, value, onlyIfAbsent ? SetCondition.IF_ABSENT : SetCondition.ALWAYS, deadline))
        {
            Reply.bool(out, false);
            return;
        }
        store.remove(source, value);
        if (onlyIfAbsent)
        {
            Reply.bool(out, true);
        }
        else
        {
            Reply.ok(out);
        }
    }

    private void flush(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (args.length > 2 || (2 == args.length && !Args.is(args[1], "ASYNC") && !Args.is(args[1], "SYNC")))
        {
            throw new CommandError(CommandError.SYNTAX);
        }
        store.clear();
        Reply.ok(out);
    }

    /**
     * {@code EXPIRE key time [NX|XX|GT|LT]} and its three siblings, with Redis's checks. The options read the key's
     * deadline, then write the new one: not atomic with a concurrent write of the same key.
     */
    private void expire(final byte[][] args, final ByteBuf out, final String command, final long unitMillis,
        final boolean relative)
    {
        final byte[] key = args[1];
        long when = Args.integer(args[2]);
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.length; i++)
        {
            if (Args.is(args[i], "NX"))
            {
                nx = true;
            }
            else if (Args.is(args[i], "XX"))
            {
                xx = true;
            }
            else if (Args.is(args[i], "GT"))
            {
                gt = true;
            }
            else if (Args.is(args[i], "LT"))
            {
                lt = true;
            }
            else
            {
                throw new CommandError("ERR Unsupported option " + Args.text(args[i]));
            }
        }
        if (nx && (xx || gt || lt))
        {
            throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt)
        {
            throw new CommandError("ERR GT and LT options at the same time are not compatible");
        }
        if (1000 == unitMillis)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                throw CommandError.invalidExpireTime(command);
            }
            when *= 1000;
        }
        if (relative)
        {
            final long now = System.currentTimeMillis();
            if (when > Long.MAX_VALUE - now)
            {
                throw CommandError.invalidExpireTime(command);
            }
            when += now;
        }
        if (nx || xx || gt || lt)
        {
            final long current = store.expireTime(key);
            if (OffHeapByteStore.TTL_ABSENT == current)
            {
                Reply.bool(out, false);
                return;
            }
            final boolean none = OffHeapByteStore.TTL_NONE == current;
            if ((nx && !none) || (xx && none) || (gt && (none || when <= current)) || (lt && !none && when >= current))
            {
                Reply.bool(out, false);
                return;
            }
        }
        Reply.bool(out, store.pexpireAt(key, when));
    }

    private void expireTime(final byte[][] args, final ByteBuf out, final long unitMillis)
    {
        final long time = store.expireTime(args[1]);
        Reply.integer(out, time < 0 ? time : time / unitMillis);
    }
}
