package io.slotkv.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The key and value set of the byte store benchmarks: key {@code i} is the ASCII text {@code "key:"} followed by
 * {@code i} zero-padded to {@value #DIGITS} digits ({@value #KEY_LENGTH} bytes); its fill value is
 * {@value #VALUE_LENGTH} pseudo-random bytes seeded with {@code i}. Puts write one of {@value #UPDATE_VALUES}
 * update values of the same length, seeded apart from every fill value, so an overwrite changes the bytes and never
 * the length.
 */
public final class ByteKeys
{
    /** Length of every key in bytes. */
    public static final int KEY_LENGTH = 16;

    /** Length of every value in bytes, fill and update alike. */
    public static final int VALUE_LENGTH = 100;

    /** Size of the pool of values puts write (a power of two: picked by masking the operation index). */
    public static final int UPDATE_VALUES = 256;

    private static final byte[] PREFIX = "key:".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGITS = KEY_LENGTH - PREFIX.length;

    private ByteKeys()
    {
    }

    /**
     * Write key {@code index} into {@code dst} from {@code offset}: {@value #KEY_LENGTH} bytes.
     */
    public static void key(final int index, final byte[] dst, final int offset)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("key index must not be negative: index=" + index);
        }
        System.arraycopy(PREFIX, 0, dst, offset, PREFIX.length);
        int rest = index;
        for (int i = offset + KEY_LENGTH - 1; i >= offset + PREFIX.length; i--)
        {
            dst[i] = (byte)('0' + rest % 10);
            rest /= 10;
        }
    }

    /**
     * @return a new array holding key {@code index}.
     */
    public static byte[] key(final int index)
    {
        final byte[] key = new byte[KEY_LENGTH];
        key(index, key, 0);
        return key;
    }

    /**
     * @return key {@code index} as a new {@code String} (ASCII, so its UTF-8 bytes are {@link #key(int)}).
     */
    public static String keyString(final int index)
    {
        return new String(key(index), StandardCharsets.US_ASCII);
    }

    /**
     * @return keys {@code 0..keys-1} one after another: key {@code i} at {@code i * KEY_LENGTH}.
     */
    public static byte[] keyBlock(final int keys)
    {
        final byte[] block = new byte[Math.multiplyExact(keys, KEY_LENGTH)];
        for (int i = 0; i < keys; i++)
        {
            key(i, block, i * KEY_LENGTH);
        }
        return block;
    }

    /**
     * Write the fill value of key {@code index} into {@code dst} from {@code offset}.
     */
    public static void value(final int index, final byte[] dst, final int offset)
    {
        randomBytes(index, dst, offset);
    }

    /**
     * @return a new array holding the fill value of key {@code index}.
     */
    public static byte[] value(final int index)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        value(index, value, 0);
        return value;
    }

    /**
     * @return update value {@code index} ({@code 0..UPDATE_VALUES-1}) as a new array.
     */
    public static byte[] updateValue(final int index)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        randomBytes(-1L - index, value, 0); // negative seeds: never the seed of a fill value
        return value;
    }

    /**
     * @return the update values one after another: value {@code j} at {@code j * VALUE_LENGTH}.
     */
    public static byte[] updateBlock()
    {
        final byte[] block = new byte[UPDATE_VALUES * VALUE_LENGTH];
        for (int j = 0; j < UPDATE_VALUES; j++)
        {
            System.arraycopy(updateValue(j), 0, block, j * VALUE_LENGTH, VALUE_LENGTH);
        }
        return block;
    }

    private static void randomBytes(final long seed, final byte[] dst, final int offset)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = offset, end = offset + VALUE_LENGTH; i < end; i++)
        {
            dst[i] = (byte)random.nextInt();
        }
    }
}
