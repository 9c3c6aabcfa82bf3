package io.slotkv.core.hash;

import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * A keyed 64-bit hash of a byte range, for the byte store's keys: 16 bytes per round, each round one 64x64 to 128-bit
 * multiply of the two words (folded to 64 bits) in the manner of wyhash, then {@link LongHashing#mix(long)}. The
 * bytes are read as little-endian words whatever the platform, so a key hashes the same everywhere (a store file's
 * slots depend on it).
 * <p>
 * Bytes are addressed as {@code Unsafe} does: {@code base} is a {@code byte[]} with {@code offset} counted from
 * {@link UnsafeApi#arrayBaseOffset}, or null with {@code offset} an address.
 */
public final class BytesHashing
{
    private static final long P0 = 0xA076_1D64_78BD_642FL;
    private static final long P1 = 0xE703_7ED1_A0B4_28DBL;
    private static final long P2 = 0x8EBC_6AF0_9C88_C6E3L;
    private static final long P3 = 0x5899_65CC_7537_4CC3L;
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private BytesHashing()
    {
    }

    /**
     * Hash a range of bytes.
     *
     * @param base   the array, or null for off-heap memory.
     * @param offset of the first byte (see the class documentation).
     * @param length of the range, 0 or more.
     * @param seed   random per store.
     * @return the hash.
     */
    public static long hash(final Object base, final long offset, final int length, final long seed)
    {
        long h = seed ^ (length * P0);
        int i = 0;
        for (; i + 16 <= length; i += 16)
        {
            h = fold(word(base, offset + i) ^ P1 ^ h, word(base, offset + i + 8) ^ P2);
        }
        final int rest = length - i;
        final long a;
        final long b;
        if (rest >= 8)
        {
            a = word(base, offset + i);
            b = partial(base, offset + i + 8, rest - 8);
        }
        else
        {
            a = partial(base, offset + i, rest);
            b = 0;
        }
        h = fold(a ^ P1 ^ h, b ^ P3 ^ rest);
        return LongHashing.mix(h);
    }

    private static long fold(final long a, final long b)
    {
        return a * b ^ Math.multiplyHigh(a, b);
    }

    private static long word(final Object base, final long offset)
    {
        final long word = UnsafeApi.getLong(base, offset);
        return BIG_ENDIAN ? Long.reverseBytes(word) : word;
    }

    /**
     * @return the {@code count} (0 to 7) bytes at {@code offset} as the low bytes of a little-endian word.
     */
    private static long partial(final Object base, final long offset, final int count)
    {
        long word = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            word = (word << 8) | (UnsafeApi.getByte(base, offset + i) & 0xFF);
        }
        return word;
    }
}
