package io.slotkv.core.memory;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ByteCopyTest
{
    private static final long BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    @Test
    void shouldCopyEveryLengthAtEveryAlignmentBetweenArraysAndOffHeapMemory()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final int max = 2 * ByteCopy.SHORT_COPY + 9; // both sides of the word-by-word limit
        final byte[] source = new byte[max + 16];
        random.nextBytes(source);
        final AnonymousMemorySpace space = new AnonymousMemorySpace(false, false);
        final MemoryRegion region = space.allocate(4096);
        for (int length = 0; length <= max; length++)
        {
            for (int from = 0; from < 8; from++)
            {
                final int to = (from * 3 + length) & 7;
                final byte[] target = new byte[max + 16];
                final byte[] expected = new byte[max + 16];
                System.arraycopy(source, from, expected, to, length);
                // array to off-heap, off-heap to array: the bytes around the range stay as they were
                UnsafeApi.setMemory(null, region.address(), 4096, (byte)0x5A);
                ByteCopy.copy(source, BASE + from, null, region.address() + to, length);
                ByteCopy.copy(null, region.address() + to, target, BASE + to, length);
                assertArrayEquals(expected, target, "length " + length + ", from " + from + ", to " + to);
                if (to > 0)
                {
                    final byte before = UnsafeApi.getByte(null, region.address() + to - 1);
                    assertArrayEquals(new byte[]{0x5A}, new byte[]{before}, "byte before, length " + length);
                }
                final byte after = UnsafeApi.getByte(null, region.address() + to + length);
                assertArrayEquals(new byte[]{0x5A}, new byte[]{after}, "byte after, length " + length);
                // array to array
                final byte[] direct = new byte[max + 16];
                ByteCopy.copy(source, BASE + from, direct, BASE + to, length);
                assertArrayEquals(expected, direct, "array to array, length " + length);
            }
        }
        space.close();
    }
}
