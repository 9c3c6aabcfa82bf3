package io.slotkv.map;

import org.agrona.DirectBuffer;

/**
 * What {@link OffHeapByteStore#forEach} hands each entry to.
 */
@FunctionalInterface
public interface ByteEntryConsumer
{
    /**
     * Receive one entry.
     *
     * @param key   the key's bytes, {@code [0, key.capacity())}; valid only during this call.
     * @param value the value's bytes, {@code [0, value.capacity())}; valid only during this call.
     */
    void accept(DirectBuffer key, DirectBuffer value);
}
