package io.slotkv.server;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * RESP2 replies, written into a connection's output buffer. Texts are Redis's own: clients parse them.
 */
final class Reply
{
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NIL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);

    private Reply()
    {
    }

    static void ok(final ByteBuf out)
    {
        out.writeBytes(OK);
    }

    /** A null bulk string: an absent value. */
    static void nil(final ByteBuf out)
    {
        out.writeBytes(NIL);
    }

    static void nilArray(final ByteBuf out)
    {
        out.writeBytes(NIL_ARRAY);
    }

    static void simple(final ByteBuf out, final String text)
    {
        out.writeByte('+');
        writeLine(out, text);
    }

    /**
     * An error reply: {@code text} starts with its code ({@code ERR}, {@code WRONGPASS}, ...); line breaks in it
     * become spaces, as Redis does, so a reply is always one line.
     */
    static void error(final ByteBuf out, final String text)
    {
        out.writeByte('-');
        writeLine(out, text);
    }

    static void integer(final ByteBuf out, final long value)
    {
        if (0 == value)
        {
            out.writeBytes(ZERO);
            return;
        }
        if (1 == value)
        {
            out.writeBytes(ONE);
            return;
        }
        out.writeByte(':');
        writeDecimal(out, value);
        out.writeBytes(CRLF);
    }

    static void bool(final ByteBuf out, final boolean value)
    {
        out.writeBytes(value ? ONE : ZERO);
    }

    static void bulk(final ByteBuf out, final byte[] value)
    {
        if (null == value)
        {
            nil(out);
            return;
        }
        bulk(out, value, 0, value.length);
    }

    static void bulk(final ByteBuf out, final byte[] value, final int offset, final int length)
    {
        bulkHeader(out, length);
        out.writeBytes(value, offset, length);
        out.writeBytes(CRLF);
    }

    static void bulkHeader(final ByteBuf out, final int length)
    {
        out.writeByte('$');
        writeDecimal(out, length);
        out.writeBytes(CRLF);
    }

    static void endBulk(final ByteBuf out)
    {
        out.writeBytes(CRLF);
    }

    static void bulk(final ByteBuf out, final String text)
    {
        bulk(out, text.getBytes(StandardCharsets.UTF_8));
    }

    static void arrayHeader(final ByteBuf out, final int length)
    {
        out.writeByte('*');
        writeDecimal(out, length);
        out.writeBytes(CRLF);
    }

    private static void writeLine(final ByteBuf out, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++)
        {
            if ('\r' == bytes[i] || '\n' == bytes[i])
            {
                bytes[i] = ' ';
            }
        }
        out.writeBytes(bytes);
        out.writeBytes(CRLF);
    }

    private static void writeDecimal(final ByteBuf out, final long value)
    {
        if (value >= 0 && value < 10)
        {
            out.writeByte('0' + (int)value);
            return;
        }
        out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
    }
}
