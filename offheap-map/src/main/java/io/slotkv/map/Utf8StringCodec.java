package io.slotkv.map;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * {@link ByteCodec#UTF_8}: Strings as their UTF-8 bytes, as {@link OffHeapByteStore#putString} stores them.
 */
final class Utf8StringCodec implements ByteCodec<String>
{
    @Override
    public Class<String> type()
    {
        return String.class;
    }

    @Override
    public byte[] encode(final String value)
    {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null == array)
        {
            return buffer.getStringWithoutLengthUtf8(offset, length);
        }
        buffer.boundsCheck(offset, length);
        return new String(array, buffer.wrapAdjustment() + offset, length, StandardCharsets.UTF_8); // no copy first
    }

    @Override
    public String toString()
    {
        return "ByteCodec.UTF_8";
    }
}
