package io.slotkv.server;

import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads commands from a connection's input as Redis 7 does: multibulk ({@code *N\r\n$len\r\n...}) or inline (a line
 * of words, with Redis's quoting), with the same limits and the same protocol errors. The parser consumes each
 * header and each argument as soon as it is whole (its state carries over between reads), so a command that arrives
 * slowly is never parsed twice, and the input buffer holds at most the part of one argument that has arrived.
 * <p>
 * Limits, as Redis: a header or inline line longer than {@link #MAX_LINE} bytes without its end is a protocol error;
 * a bulk longer than the configured {@code proto-max-bulk-len}; before authentication, more than 10 arguments or a
 * bulk over 16 KiB. Beyond Redis, a command of more than {@code maxArguments} arguments is refused as an invalid
 * multibulk length (Redis allows up to 2^31 - 1).
 */
final class RespParser
{
    /** Redis's PROTO_INLINE_MAX_SIZE. */
    static final int MAX_LINE = 64 * 1024;

    /** Redis: before authentication, at most this many arguments ... */
    static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;

    /** ... and bulks of at most this many bytes. */
    static final int UNAUTHENTICATED_MAX_BULK = 16 * 1024;

    private static final byte[][] NO_ARGUMENTS = new byte[0][];

    private final long maxBulk;
    private final int maxArguments;

    /**
     * Arguments of the multibulk being read, the first {@link #filled} of them read; null between commands. Sized
     * for the count the header gave, up to 1024 at first (a claimed count allocates nothing before its bulks come)
     * and doubled as bulks arrive, up to the count: a whole command is this array, not a copy.
     */
    private byte[][] arguments;
    private int filled;
    /** Arguments the multibulk being read still lacks. */
    private int missing;
    /** Length of the bulk whose header was read, -1 before its header. */
    private long bulkLength = -1;

    RespParser(final long maxBulk, final int maxArguments)
    {
        this.maxBulk = maxBulk;
        this.maxArguments = maxArguments;
    }

    /**
     * Read the next command from {@code in}, consuming what it reads.
     *
     * @param authenticated whether the connection may send large commands.
     * @return the command's arguments (the name first); an empty array for an empty command (nothing to run, as
     * {@code *0} or a blank line); null if the input ends before the command does.
     * @throws ProtocolError if the input is not a valid command.
     */
    byte[][] next(final ByteBuf in, final boolean authenticated) throws ProtocolError
    {
        if (null == arguments)
        {
            if (!in.isReadable())
            {
                return null;
            }
            if ('*' != in.getByte(in.readerIndex()))
            {
                return inline(in);
            }
            final int end = lineEnd(in, "too big mbulk count string");
            if (end < 0)
            {
                return null;
            }
            final long count = parseLong(in, in.readerIndex() + 1, end);
            if (Long.MIN_VALUE == count || count > Integer.MAX_VALUE || count > maxArguments)
            {
                throw new ProtocolError("invalid multibulk length");
            }
            if (count > UNAUTHENTICATED_MAX_ARGUMENTS && !authenticated)
            {
                throw new ProtocolError("unauthenticated multibulk length");
            }
            in.readerIndex(end + 2);
            if (count <= 0)
            {
                return NO_ARGUMENTS;
            }
            arguments = new byte[(int)Math.min(count, 1024)][];
            filled = 0;
            missing = (int)count;
        }
        while (missing > 0)
        {
            if (bulkLength < 0)
            {
                final int end = lineEnd(in, "too big bulk count string");
                if (end < 0)
                {
                    return null;
                }
                final int start = in.readerIndex();
                final byte type = in.getByte(start);
                if ('$' != type)
                {
                    throw new ProtocolError("expected '$', got '" + (char)(type & 0xFF) + "'");
                }
                final long length = parseLong(in, start + 1, end);
                if (length < 0 || length > maxBulk)
                {
                    throw new ProtocolError("invalid bulk length");
                }
                if (length > UNAUTHENTICATED_MAX_BULK && !authenticated)
                {
                    throw new ProtocolError("unauthenticated bulk length");
                }
                in.readerIndex(end + 2);
                bulkLength = length;
            }
            if (in.readableBytes() < bulkLength + 2)
            {
                return null;
            }
            final byte[] argument = new byte[(int)bulkLength];
            in.readBytes(argument);
            in.skipBytes(2); // Redis does not check the CRLF after a bulk either
            if (filled == arguments.length)
            {
                arguments = java.util.Arrays.copyOf(arguments, (int)Math.min((long)filled + missing, 2L * filled));
            }
            arguments[filled++] = argument;
            bulkLength = -1;
            missing--;
        }
        final byte[][] command = arguments;
        arguments = null;
        return command;
    }

    /**
     * @return the index of the {@code \r} that ends the line at the reader index, with its {@code \n} readable; -1
     * if the line has not arrived whole.
     * @throws ProtocolError ({@code tooLong}) if more than {@link #MAX_LINE} bytes arrived without the line's end.
     */
    private static int lineEnd(final ByteBuf in, final String tooLong) throws ProtocolError
    {
        final int start = in.readerIndex();
        final int end = in.indexOf(start, in.writerIndex(), (byte)'\r');
        if (end < 0)
        {
            if (in.readableBytes() > MAX_LINE)
            {
                throw new ProtocolError(tooLong);
            }
            return -1;
        }
        return end + 1 < in.writerIndex() ? end : -1;
    }

    /**
     * Parse a decimal as Redis's {@code string2ll}: an optional minus, digits without a leading zero (just
     * {@code 0} for zero), no sign for zero, no spaces, within a signed 64-bit integer.
     *
     * @return the number, or {@link Long#MIN_VALUE} if the bytes are not one (Long.MIN_VALUE itself is refused too:
     * no count or length is negative).
     */
    static long parseLong(final ByteBuf in, final int from, final int to)
    {
        final int length = to - from;
        if (length < 1 || length > 20)
        {
            return Long.MIN_VALUE;
        }
        int index = from;
        final boolean negative = '-' == in.getByte(index);
        if (negative && ++index == to)
        {
            return Long.MIN_VALUE;
        }
        if ('0' == in.getByte(index))
        {
            return index + 1 == to && !negative ? 0 : Long.MIN_VALUE;
        }
        long value = 0;
        for (; index < to; index++)
        {
            final int digit = in.getByte(index) - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10)
            {
                return Long.MIN_VALUE;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /** An inline command: one line, split into words as Redis's {@code sdssplitargs} does. */
    private static byte[][] inline(final ByteBuf in) throws ProtocolError
    {
        final int start = in.readerIndex();
        final int newline = in.indexOf(start, in.writerIndex(), (byte)'\n');
        if (newline < 0)
        {
            if (in.readableBytes() > MAX_LINE)
            {
                throw new ProtocolError("too big inline request");
            }
            return null;
        }
        int end = newline;
        if (end > start && '\r' == in.getByte(end - 1))
        {
            end--;
        }
        final byte[] line = new byte[end - start];
        in.getBytes(start, line);
        in.readerIndex(newline + 1);
        final byte[][] words = splitArguments(line);
        if (null == words)
        {
            throw new ProtocolError("unbalanced quotes in request");
        }
        return words;
    }

    /**
     * Split a line into arguments as Redis's {@code sdssplitargs}: words separated by white space; a word in
     * double quotes may hold escapes ({@code \n \r \t \b \a \\ \" \xHH}), one in single quotes only {@code \'}; a
     * closing quote must be followed by white space or the end.
     *
     * @return the arguments, or null if a quote is not closed (or is followed by something else).
     */
    static byte[][] splitArguments(final byte[] line)
    {
        final List<byte[]> words = new ArrayList<>();
        int i = 0;
        final int n = line.length;
        while (true)
        {
            while (i < n && isSpace(line[i]))
            {
                i++;
            }
            if (i == n)
            {
                return words.toArray(NO_ARGUMENTS);
            }
            final ByteArrayOutputStream word = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (i == n)
                    {
                        return null;
                    }
                    final byte c = line[i];
                    if ('\\' == c && i + 3 < n && 'x' == line[i + 1] && isHex(line[i + 2]) && isHex(line[i + 3]))
                    {
                        word.write(Character.digit(line[i + 2], 16) * 16 + Character.digit(line[i + 3], 16));
                        i += 3;
                    }
                    else if ('\\' == c && i + 1 < n)
                    {
                        i++;
                        word.write(unescape(line[i]));
                    }
                    else if ('"' == c)
                    {
                        if (i + 1 < n && !isSpace(line[i + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        word.write(c);
                    }
                }
                else if (inSingle)
                {
                    if (i == n)
                    {
                        return null;
                    }
                    final byte c = line[i];
                    if ('\\' == c && i + 1 < n && '\'' == line[i + 1])
                    {
                        i++;
                        word.write('\'');
                    }
                    else if ('\'' == c)
                    {
                        if (i + 1 < n && !isSpace(line[i + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        word.write(c);
                    }
                }
                else if (i == n || isSpace(line[i]))
                {
                    done = true;
                }
                else if ('"' == line[i])
                {
                    inDouble = true;
                }
                else if ('\'' == line[i])
                {
                    inSingle = true;
                }
                else
                {
                    word.write(line[i]);
                }
                if (i < n)
                {
                    i++;
                }
            }
            words.add(word.toByteArray());
        }
    }

    private static int unescape(final byte c)
    {
        switch (c)
        {
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'b':
                return '\b';
            case 'a':
                return 7;
            default:
                return c;
        }
    }

    private static boolean isSpace(final byte c)
    {
        return ' ' == c || '\t' == c || '\n' == c || '\r' == c || 0x0b == c || '\f' == c;
    }

    private static boolean isHex(final byte c)
    {
        return Character.digit(c, 16) >= 0;
    }
}
