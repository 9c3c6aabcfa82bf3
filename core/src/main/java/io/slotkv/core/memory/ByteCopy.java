package io.slotkv.core.memory;

import org.agrona.UnsafeApi;

/**
 * Copies between memory addressed as {@code Unsafe} addresses it (a base object, {@code byte[]} or null for off-heap
 * memory, and an offset). Short copies, the keys and values of most entries, move word by word in straight-line
 * code, without {@code Unsafe.copyMemory}'s argument checks and out-of-line stub; long ones use it.
 */
public final class ByteCopy
{
    /** Longest copy done word by word. */
    static final int SHORT_COPY = 128;

    private ByteCopy()
    {
    }

    /**
     * Copy {@code length} bytes. The caller has checked both ranges; they do not overlap.
     *
     * @param srcBase   the array the source is in, or null for native memory.
     * @param srcOffset the source's offset in {@code srcBase} (its array base offset included), or its address.
     * @param dstBase   the array the destination is in, or null for native memory.
     * @param dstOffset the destination's offset in {@code dstBase} (its array base offset included), or its address.
     * @param length    bytes to copy.
     */
    public static void copy(final Object srcBase, final long srcOffset, final Object dstBase, final long dstOffset,
        final int length)
    {
        if (length > SHORT_COPY)
        {
            UnsafeApi.copyMemory(srcBase, srcOffset, dstBase, dstOffset, length);
            return;
        }
        if (length >= 8)
        {
            // words, the last one ending at the last byte (it writes again up to 7 bytes of the word before; the
            // ranges do not overlap): no byte loop for the tail
            final int last = length - 8;
            for (int i = 0; i < last; i += 8)
            {
                UnsafeApi.putLong(dstBase, dstOffset + i, UnsafeApi.getLong(srcBase, srcOffset + i));
            }
            UnsafeApi.putLong(dstBase, dstOffset + last, UnsafeApi.getLong(srcBase, srcOffset + last));
            return;
        }
        for (int i = 0; i < length; i++)
        {
            UnsafeApi.putByte(dstBase, dstOffset + i, UnsafeApi.getByte(srcBase, srcOffset + i));
        }
    }
}
