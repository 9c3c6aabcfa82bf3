package io.slotkv.server;

import io.netty.buffer.ByteBuf;
import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.SetCondition;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The string commands, each one or a few atomic operations of the store. Multi-key writes ({@code MSET},
 * {@code MSETNX}) are atomic per key, not across keys: a concurrent reader may see some of their keys written and
 * others not yet.
 */
final class StringCommands
{
    /** Redis's limit on a string's length (proto-max-bulk-len's default), for SETRANGE and APPEND. */
    private static final long MAX_STRING = 512L << 20;

    private static final byte[] EMPTY = new byte[0];

    private static final String INFINITE = "ERR increment would produce NaN or Infinity";

    private final OffHeapByteStore store;

    StringCommands(final OffHeapByteStore store)
    {
        this.store = store;
    }

    void register(final CommandTable table)
    {
        table.add("get", 2, "readonly fast", 1, 1, 1, this::get);
        table.add("set", -3, "write denyoom", 1, 1, 1, this::set);
        table.add("setnx", 3, "write denyoom fast", 1, 1, 1, this::setnx);
        table.add("setex", 4, "write denyoom", 1, 1, 1, (client, args, out) -> setWithTime(args, out, 1000));
        table.add("psetex", 4, "write denyoom", 1, 1, 1, (client, args, out) -> setWithTime(args, out, 1));
        table.add("getset", 3, "write denyoom fast", 1, 1, 1, this::getset);
        table.add("getdel", 2, "write fast", 1, 1, 1, this::getdel);
        table.add("getex", -2, "write fast", 1, 1, 1, this::getex);
        table.add("mget", -2, "readonly fast", 1, -1, 1, this::mget);
        table.add("mset", -3, "write denyoom", 1, -1, 2, this::mset);
        table.add("msetnx", -3, "write denyoom", 1, -1, 2, this::msetnx);
        table.add("append", 3, "write denyoom fast", 1, 1, 1, this::append);
        table.add("strlen", 2, "readonly fast", 1, 1, 1, this::strlen);
        table.add("getrange", 4, "readonly", 1, 1, 1, this::getrange);
        table.add("substr", 4, "readonly", 1, 1, 1, this::getrange);
        table.add("setrange", 4, "write denyoom", 1, 1, 1, this::setrange);
        table.add("incr", 2, "write denyoom fast", 1, 1, 1, (client, args, out) -> increment(args[1], 1, out));
        table.add("decr", 2, "write denyoom fast", 1, 1, 1, (client, args, out) -> increment(args[1], -1, out));
        table.add("incrby", 3, "write denyoom fast", 1, 1, 1,
            (client, args, out) -> increment(args[1], Args.integer(args[2]), out));
        table.add("decrby", 3, "write denyoom fast", 1, 1, 1, this::decrby);
        table.add("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, this::incrbyfloat);
    }

    /** GET copies the value into a buffer of the event loop thread, then into the reply: nothing allocated. */
    private void get(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final Scratch scratch = SCRATCH.get();
        scratch.key.wrap(args[1]);
        int length = store.get(scratch.key, 0, args[1].length, scratch.value, 0);
        if (length > scratch.value.capacity())
        {
            scratch.value.wrap(new byte[Math.max(length, 2 * scratch.value.capacity())]);
            length = store.get(scratch.key, 0, args[1].length, scratch.value, 0);
        }
        if (OffHeapByteStore.ABSENT == length)
        {
            Reply.nil(out);
            return;
        }
        if (length > scratch.value.capacity())
        {
            Reply.bulk(out, store.get(args[1])); // it grew again meanwhile: the allocating read
            return;
        }
        Reply.bulkHeader(out, length);
        out.writeBytes(scratch.value.byteArray(), 0, length);
        Reply.endBulk(out);
    }

    /** Views an event loop thread reuses for reads. */
    private static final class Scratch
    {
        final UnsafeBuffer key = new UnsafeBuffer(EMPTY);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[4096]);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@code SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]}, with Redis's option rules. */
    private void set(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        SetCondition condition = SetCondition.ALWAYS;
        boolean get = false;
        boolean keepTtl = false;
        String expiry = null; // the expire option given, if any
        long deadline = OffHeapByteStore.NO_TTL;
        for (int i = 3; i < args.length; i++)
        {
            final byte[] option = args[i];
            if (Args.is(option, "NX") && SetCondition.IF_PRESENT != condition)
            {
                condition = SetCondition.IF_ABSENT;
            }
            else if (Args.is(option, "XX") && SetCondition.IF_ABSENT != condition)
            {
                condition = SetCondition.IF_PRESENT;
            }
            else if (Args.is(option, "GET"))
            {
                get = true;
            }
            else if (Args.is(option, "KEEPTTL") && null == expiry)
            {
                keepTtl = true;
            }
            else if (isExpireOption(option) && !keepTtl && (null == expiry || Args.is(option, expiry)) &&
                i + 1 < args.length)
            {
                expiry = Args.lower(option).toUpperCase(java.util.Locale.ROOT);
                deadline = deadline(expiry, args[++i], "set");
            }
            else
            {
                throw new CommandError(CommandError.SYNTAX);
            }
        }
        if (keepTtl)
        {
            deadline = OffHeapByteStore.KEEP_TTL;
        }
        if (get)
        {
            Reply.bulk(out, store.setAndGet(args[1], args[2], condition, deadline));
        }
        else if (store.set(args[1], args[2], condition, deadline))
        {
            Reply.ok(out);
        }
        else
        {
            Reply.nil(out);
        }
    }

    private static boolean isExpireOption(final byte[] option)
    {
        return Args.is(option, "EX") || Args.is(option, "PX") || Args.is(option, "EXAT") || Args.is(option, "PXAT");
    }

    /**
     * The deadline of an expire option, in epoch milliseconds, as Redis computes it: the number must be positive
     * and the deadline a 64-bit integer.
     *
     * @param option EX, PX, EXAT or PXAT.
     */
    static long deadline(final String option, final byte[] argument, final String command)
    {
        final long value = Args.integer(argument);
        final boolean seconds = "EX".equals(option) || "EXAT".equals(option);
        if (value <= 0 || (seconds && value > Long.MAX_VALUE / 1000))
        {
            throw CommandError.invalidExpireTime(command);
        }
        final long millis = seconds ? value * 1000 : value;
        if ("EXAT".equals(option) || "PXAT".equals(option))
        {
            return millis;
        }
        final long now = System.currentTimeMillis();
        if (millis > Long.MAX_VALUE - now)
        {
            throw CommandError.invalidExpireTime(command);
        }
        return now + millis;
    }

    private void setnx(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.bool(out, store.set(args[1], args[2], SetCondition.IF_ABSENT, OffHeapByteStore.NO_TTL));
    }

    private void setWithTime(final byte[][] args, final ByteBuf out, final int unitMillis)
    {
        final long deadline = deadline(1000 == unitMillis ? "EX" : "PX", args[2],
            1000 == unitMillis ? "setex" : "psetex");
        store.set(args[1], args[3], SetCondition.ALWAYS, deadline);
        Reply.ok(out);
    }

    private void getset(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.bulk(out, store.setAndGet(args[1], args[2], SetCondition.ALWAYS, OffHeapByteStore.NO_TTL));
    }

    private void getdel(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.bulk(out, store.getAndRemove(args[1]));
    }

    /** {@code GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]}. */
    private void getex(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (2 == args.length)
        {
            Reply.bulk(out, store.get(args[1]));
            return;
        }
        final long deadline;
        if (3 == args.length && Args.is(args[2], "PERSIST"))
        {
            deadline = OffHeapByteStore.NO_TTL;
        }
        else if (4 == args.length && isExpireOption(args[2]))
        {
            deadline = deadline(Args.lower(args[2]).toUpperCase(java.util.Locale.ROOT), args[3], "getex");
        }
        else
        {
            throw new CommandError(CommandError.SYNTAX);
        }
        Reply.bulk(out, store.getAndExpire(args[1], deadline));
    }

    private void mget(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.arrayHeader(out, args.length - 1);
        for (int i = 1; i < args.length; i++)
        {
            Reply.bulk(out, store.get(args[i]));
        }
    }

    private static void checkPairs(final byte[][] args, final String command)
    {
        if (0 == args.length % 2)
        {
            throw new CommandError("ERR wrong number of arguments for '" + command + "' command");
        }
    }

    private void mset(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        checkPairs(args, "mset");
        for (int i = 1; i < args.length; i += 2)
        {
            store.put(args[i], args[i + 1]);
        }
        Reply.ok(out);
    }

    /**
     * {@code MSETNX}: 1 if every key was absent and is now set, else 0 with nothing left set. Not atomic across keys:
     * the keys are checked, then inserted one by one; a key a concurrent writer inserts meanwhile makes this command
     * remove the ones it inserted (each only if it still holds this command's value) and answer 0.
     */
    private void msetnx(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        checkPairs(args, "msetnx");
        for (int i = 1; i < args.length; i += 2)
        {
            if (store.containsKey(args[i]))
            {
                Reply.bool(out, false);
                return;
            }
        }
        for (int i = 1; i < args.length; i += 2)
        {
            if (!store.putIfAbsent(args[i], args[i + 1]))
            {
                for (int j = 1; j < i; j += 2)
                {
                    store.remove(args[j], args[j + 1]);
                }
                Reply.bool(out, false);
                return;
            }
        }
        Reply.bool(out, true);
    }

    private void append(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        Reply.integer(out, store.append(args[1], args[2]));
    }

    private void strlen(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final byte[] value = store.get(args[1]);
        Reply.integer(out, null == value ? 0 : value.length);
    }

    /** {@code GETRANGE key start end}: inclusive, negative indexes from the end, clamped (Redis's rules). */
    private void getrange(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        long start = Args.integer(args[2]);
        long end = Args.integer(args[3]);
        final byte[] value = store.get(args[1]);
        final int length = null == value ? 0 : value.length;
        if ((start < 0 && end < 0 && start > end) || 0 == length)
        {
            Reply.bulk(out, EMPTY);
            return;
        }
        if (start < 0)
        {
            start = Math.max(0, length + start);
        }
        if (end < 0)
        {
            end = Math.max(0, length + end);
        }
        end = Math.min(end, length - 1);
        if (start > end)
        {
            Reply.bulk(out, EMPTY);
            return;
        }
        Reply.bulk(out, value, (int)start, (int)(end - start + 1));
    }

    /** {@code SETRANGE key offset value}: overwrite from {@code offset}, padding with zero bytes; keeps the TTL. */
    private void setrange(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final long offset = Args.integer(args[2]);
        final byte[] part = args[3];
        if (offset < 0)
        {
            throw new CommandError("ERR offset is out of range");
        }
        if (0 == part.length)
        {
            final byte[] value = store.get(args[1]);
            Reply.integer(out, null == value ? 0 : value.length);
            return;
        }
        if (offset + part.length > MAX_STRING)
        {
            throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        final int[] length = new int[1];
        store.getAndUpdate(args[1], old ->
        {
            final byte[] current = null == old ? EMPTY : old;
            final byte[] next = Arrays.copyOf(current, (int)Math.max(current.length, offset + part.length));
            System.arraycopy(part, 0, next, (int)offset, part.length);
            length[0] = next.length;
            return next;
        });
        Reply.integer(out, length[0]);
    }

    private void decrby(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        final long delta = Args.integer(args[2]);
        if (Long.MIN_VALUE == delta)
        {
            throw new CommandError("ERR decrement would overflow");
        }
        increment(args[1], -delta, out);
    }

    private void increment(final byte[] key, final long delta, final ByteBuf out)
    {
        final long value;
        try
        {
            value = store.incrBy(key, delta);
        }
        catch (final NumberFormatException notAnInteger)
        {
            throw new CommandError(CommandError.NOT_AN_INTEGER);
        }
        catch (final ArithmeticException overflow)
        {
            throw new CommandError("ERR increment or decrement would overflow");
        }
        Reply.integer(out, value);
    }

    /**
     * {@code INCRBYFLOAT key increment}: in exact decimal arithmetic, rounded to 17 decimal places and written
     * without an exponent or trailing zeros, as Redis writes its (long double) result; keeps the TTL.
     */
    private void incrbyfloat(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        if (Args.isInfinity(args[2]))
        {
            throw new CommandError(INFINITE); // Redis reads inf as a float, then refuses the sum
        }
        Args.decimal(args[2]);
        final BigDecimal increment = new BigDecimal(Args.text(args[2]));
        final byte[][] result = new byte[1][];
        store.getAndUpdate(args[1], old ->
        {
            BigDecimal current = BigDecimal.ZERO;
            if (null != old)
            {
                Args.decimal(old);
                current = new BigDecimal(new String(old, StandardCharsets.US_ASCII));
            }
            final BigDecimal sum = current.add(increment);
            if (sum.abs().compareTo(BigDecimal.valueOf(Double.MAX_VALUE)) > 0)
            {
                throw new CommandError(INFINITE);
            }
            result[0] = format(sum).getBytes(StandardCharsets.US_ASCII);
            return result[0];
        });
        Reply.bulk(out, result[0]);
    }

    static String format(final BigDecimal value)
    {
        final BigDecimal rounded = value.setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros();
        final String text = rounded.signum() == 0 ? "0" : rounded.toPlainString();
        return text;
    }
}
