package io.slotkv.map;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Values that hold a signed 64-bit integer as decimal text, the way Redis reads and writes them ({@code string2ll}
 * and {@code ll2string}): an optional {@code -}, then digits with no leading zero, or just {@code 0}; nothing else
 * (no {@code +}, no spaces, no {@code -0}).
 */
final class Decimal
{
    /** Longest text shown in an error message. */
    private static final int SHOWN = 64;

    private Decimal()
    {
    }

    /**
     * @param value the bytes.
     * @param key   the key holding them, for the message.
     * @return the integer.
     * @throws NumberFormatException if {@code value} is not such a text, or out of range.
     */
    static long parse(final byte[] value, final byte[] key)
    {
        final int length = value.length;
        final boolean negative = length > 0 && '-' == value[0];
        int i = negative ? 1 : 0;
        if (1 == length && '0' == value[0])
        {
            return 0;
        }
        if (i >= length || value[i] < '1' || value[i] > '9')
        {
            throw notAnInteger(value, key);
        }
        long accumulated = 0; // negative, so Long.MIN_VALUE fits
        for (; i < length; i++)
        {
            final int digit = value[i] - '0';
            if (digit < 0 || digit > 9 || accumulated < Long.MIN_VALUE / 10 ||
                accumulated * 10 < Long.MIN_VALUE + digit)
            {
                throw notAnInteger(value, key);
            }
            accumulated = accumulated * 10 - digit;
        }
        if (!negative && Long.MIN_VALUE == accumulated)
        {
            throw notAnInteger(value, key);
        }
        return negative ? accumulated : -accumulated;
    }

    /**
     * @return the decimal text of {@code value}, ASCII.
     */
    static byte[] bytes(final long value)
    {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static NumberFormatException notAnInteger(final byte[] value, final byte[] key)
    {
        return new NumberFormatException("value is not an integer or out of range: value=" + describe(value) +
            ", key=" + describe(key));
    }

    /**
     * @return {@code bytes} for a message: quoted text if they are UTF-8 without control characters, else hex; the
     * first {@value #SHOWN} bytes, with the length if longer.
     */
    static String describe(final byte[] bytes)
    {
        final int shown = Math.min(SHOWN, bytes.length);
        final String rest = shown < bytes.length ? "... (" + bytes.length + " bytes)" : "";
        try
        {
            final String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, shown)).toString();
            if (text.chars().noneMatch(Character::isISOControl))
            {
                return '"' + text + '"' + rest;
            }
        }
        catch (final CharacterCodingException ex)
        {
            // not text (or cut inside a character): hex below
        }
        final StringBuilder hex = new StringBuilder("0x");
        for (int i = 0; i < shown; i++)
        {
            hex.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return hex + rest;
    }
}
