package io.slotkv.server;

import java.nio.charset.StandardCharsets;

/**
 * Reading command arguments as Redis does: strict integers ({@code string2ll}), floats, option words (ASCII, any
 * case).
 */
final class Args
{
    /** Redis's MAX_LONG_DOUBLE_CHARS: a longer float argument is not a float. */
    private static final int MAX_FLOAT_LENGTH = 5 * 1024;

    private Args()
    {
    }

    /** @return whether {@code argument} is {@code word} (upper case ASCII) in any case. */
    static boolean is(final byte[] argument, final String word)
    {
        if (argument.length != word.length())
        {
            return false;
        }
        for (int i = 0; i < argument.length; i++)
        {
            int c = argument[i];
            if (c >= 'a' && c <= 'z')
            {
                c -= 'a' - 'A';
            }
            if (c != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the argument in lower case ASCII (a command's name as Redis names it in errors). */
    static String lower(final byte[] argument)
    {
        final char[] chars = new char[argument.length];
        for (int i = 0; i < argument.length; i++)
        {
            int c = argument[i] & 0xFF;
            if (c >= 'A' && c <= 'Z')
            {
                c += 'a' - 'A';
            }
            chars[i] = (char)c;
        }
        return new String(chars);
    }

    static String text(final byte[] argument)
    {
        return new String(argument, StandardCharsets.UTF_8);
    }

    /**
     * @return the argument as a signed 64-bit decimal, written as Redis's {@code string2ll} accepts it.
     * @throws CommandError "value is not an integer or out of range" otherwise.
     */
    static long integer(final byte[] argument)
    {
        final long value = parseInteger(argument);
        if (Long.MIN_VALUE == value && !isMinimum(argument))
        {
            throw new CommandError(CommandError.NOT_AN_INTEGER);
        }
        return value;
    }

    private static boolean isMinimum(final byte[] argument)
    {
        return "-9223372036854775808".equals(new String(argument, StandardCharsets.US_ASCII));
    }

    /** @return the value, or Long.MIN_VALUE if it is not one (the caller tells the minimum apart). */
    private static long parseInteger(final byte[] argument)
    {
        final int length = argument.length;
        if (length < 1 || length > 20)
        {
            return Long.MIN_VALUE;
        }
        int index = 0;
        final boolean negative = '-' == argument[0];
        if (negative && ++index == length)
        {
            return Long.MIN_VALUE;
        }
        if ('0' == argument[index])
        {
            return index + 1 == length && !negative ? 0 : Long.MIN_VALUE;
        }
        long value = 0;
        for (; index < length; index++)
        {
            final int digit = argument[index] - '0';
            if (digit < 0 || digit > 9)
            {
                return Long.MIN_VALUE;
            }
            // accumulate negatively: Long.MIN_VALUE has no positive counterpart
            if (value < (Long.MIN_VALUE + digit) / 10)
            {
                return Long.MIN_VALUE;
            }
            value = value * 10 - digit;
        }
        if (!negative)
        {
            return value == Long.MIN_VALUE ? Long.MIN_VALUE : -value;
        }
        return value;
    }

    /** @return whether the argument is an infinity as C's {@code strtold} reads one ({@code inf}, {@code -Infinity}). */
    static boolean isInfinity(final byte[] argument)
    {
        final String text = new String(argument, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        final String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        return "inf".equals(unsigned) || "infinity".equals(unsigned);
    }

    /**
     * @return the argument as a finite float, written as a decimal (Redis's {@code string2ld}: no spaces, no
     * {@code inf} or {@code nan}).
     * @throws CommandError "value is not a valid float" otherwise.
     */
    static double decimal(final byte[] argument)
    {
        if (0 == argument.length || argument.length > MAX_FLOAT_LENGTH)
        {
            throw new CommandError(CommandError.NOT_A_FLOAT);
        }
        for (final byte c : argument)
        {
            if (!((c >= '0' && c <= '9') || '.' == c || 'e' == c || 'E' == c || '+' == c || '-' == c))
            {
                throw new CommandError(CommandError.NOT_A_FLOAT);
            }
        }
        final double value;
        try
        {
            value = Double.parseDouble(new String(argument, StandardCharsets.US_ASCII));
        }
        catch (final NumberFormatException notOne)
        {
            throw new CommandError(CommandError.NOT_A_FLOAT);
        }
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            throw new CommandError(CommandError.NOT_A_FLOAT);
        }
        return value;
    }
}
