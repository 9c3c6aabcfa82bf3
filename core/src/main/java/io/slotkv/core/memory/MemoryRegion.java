package io.slotkv.core.memory;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A contiguous, 64-byte aligned range of off-heap memory, addressed by byte index from its start.
 * <p>
 * The access methods are the vocabulary defined in {@link io.slotkv.core.memory the package documentation};
 * all indexes must be 8-byte aligned. A region keeps its backing memory alive for as long as the region object
 * is reachable (see the package documentation), and it is never released by anything else.
 */
public final class MemoryRegion
{
    private final AtomicBuffer buffer;
    private final long offset;
    private final int length;
    private final Object backing;

    MemoryRegion(final long address, final int length, final long offset, final Object backing)
    {
        this.buffer = new UnsafeBuffer(address, length);
        this.offset = offset;
        this.length = length;
        this.backing = backing;
    }

    MemoryRegion(final UnsafeBuffer buffer, final long offset, final Object backing)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = buffer.capacity();
        this.backing = backing;
    }

    /**
     * Where the region lies in its space: what a structure records to find the region again with
     * {@link MemorySpace#attach(long, int)}.
     *
     * @return the position of this region in its space: the file offset for a file-backed space.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * The number of bytes the region addresses: every index is below it.
     *
     * @return the length of this region in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the object that owns the memory (kept reachable by this region).
     */
    Object backing()
    {
        return backing;
    }

    /**
     * The address of the first byte, 64-byte aligned; it differs between processes, so never stored.
     *
     * @return the base address; only for diagnostics and alignment checks.
     */
    public long address()
    {
        return buffer.addressOffset();
    }

    /**
     * A direct {@link java.nio.ByteBuffer} over the whole region (native byte order), for JDK methods that take
     * one, such as {@link java.util.zip.CRC32C#update(java.nio.ByteBuffer)}. The buffer does not keep the memory
     * alive: use it only while this region is reachable. Each call makes a new buffer (a native call): keep it.
     *
     * @return a buffer of {@link #length()} bytes at {@link #address()}.
     */
    public java.nio.ByteBuffer byteBuffer()
    {
        return new com.sun.jna.Pointer(address()).getByteBuffer(0, length).order(java.nio.ByteOrder.nativeOrder());
    }

    /**
     * Plain read: only for memory private to this thread or frozen.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @return the word at {@code index}.
     */
    public long getLong(final int index)
    {
        return buffer.getLong(index);
    }

    /**
     * Plain write: only for memory not yet published.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @param value to store.
     */
    public void putLong(final int index, final long value)
    {
        buffer.putLong(index, value);
    }

    /**
     * Opaque read: atomic, no ordering.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @return the word at {@code index}.
     */
    public long getLongOpaque(final int index)
    {
        return buffer.getLongOpaque(index);
    }

    /**
     * Acquire read: pairs with a release store or CAS of the same word.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @return the word at {@code index}.
     */
    public long getLongAcquire(final int index)
    {
        return buffer.getLongAcquire(index);
    }

    /**
     * Release store: publishes earlier writes to an acquire read of the same word.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @param value to store.
     */
    public void putLongRelease(final int index, final long value)
    {
        buffer.putLongRelease(index, value);
    }

    /**
     * Volatile read: sequentially consistent with every other volatile access and CAS.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @return the word at {@code index}.
     */
    public long getLongVolatile(final int index)
    {
        return buffer.getLongVolatile(index);
    }

    /**
     * Volatile write: sequentially consistent with every other volatile access and CAS.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @param value to store.
     */
    public void putLongVolatile(final int index, final long value)
    {
        buffer.putLongVolatile(index, value);
    }

    /**
     * Atomic compare-and-exchange with volatile semantics.
     *
     * @param index    of the word in bytes from the start of the region, 8-byte aligned.
     * @param expected the word the exchange requires.
     * @param update   the word stored if the exchange happens.
     * @return the witness value: equal to {@code expected} if and only if the exchange happened.
     */
    public long compareAndExchangeLong(final int index, final long expected, final long update)
    {
        return buffer.compareAndExchangeLong(index, expected, update);
    }

    /**
     * Atomic compare-and-set with volatile semantics.
     *
     * @param index    of the word in bytes from the start of the region, 8-byte aligned.
     * @param expected the word the set requires.
     * @param update   the word stored if the set happens.
     * @return true if the word was {@code expected} and is now {@code update}; false if it was left unchanged.
     */
    public boolean compareAndSetLong(final int index, final long expected, final long update)
    {
        return buffer.compareAndSetLong(index, expected, update);
    }

    /**
     * Atomic add with volatile semantics.
     *
     * @param index of the word in bytes from the start of the region, 8-byte aligned.
     * @param delta to add (wrapping on overflow).
     * @return the word before the addition.
     */
    public long getAndAddLong(final int index, final long delta)
    {
        return buffer.getAndAddLong(index, delta);
    }

    /**
     * Zero {@code length} bytes from {@code index} (plain writes: for unpublished memory).
     *
     * @param index  of the first byte, from the start of the region.
     * @param length number of bytes to zero.
     */
    public void setZero(final int index, final int length)
    {
        buffer.setMemory(index, length, (byte)0);
    }

    @Override
    public String toString()
    {
        return "MemoryRegion{offset=" + offset + ", length=" + length + '}';
    }
}
