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
     * @return the position of this region in its space: the file offset for a file-backed space.
     */
    public long offset()
    {
        return offset;
    }

    /**
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
     * @return the base address; only for diagnostics and alignment checks.
     */
    public long address()
    {
        return buffer.addressOffset();
    }

    /** Plain read: only for memory private to this thread or frozen. */
    public long getLong(final int index)
    {
        return buffer.getLong(index);
    }

    /** Plain write: only for memory not yet published. */
    public void putLong(final int index, final long value)
    {
        buffer.putLong(index, value);
    }

    /** Opaque read: atomic, no ordering. */
    public long getLongOpaque(final int index)
    {
        return buffer.getLongOpaque(index);
    }

    /** Acquire read: pairs with a release store or CAS of the same word. */
    public long getLongAcquire(final int index)
    {
        return buffer.getLongAcquire(index);
    }

    /** Release store: publishes earlier writes to an acquire read of the same word. */
    public void putLongRelease(final int index, final long value)
    {
        buffer.putLongRelease(index, value);
    }

    /** Volatile read. */
    public long getLongVolatile(final int index)
    {
        return buffer.getLongVolatile(index);
    }

    /** Volatile write. */
    public void putLongVolatile(final int index, final long value)
    {
        buffer.putLongVolatile(index, value);
    }

    /**
     * Atomic compare-and-exchange with volatile semantics.
     *
     * @return the witness value: equal to {@code expected} if and only if the exchange happened.
     */
    public long compareAndExchangeLong(final int index, final long expected, final long update)
    {
        return buffer.compareAndExchangeLong(index, expected, update);
    }

    /** Atomic compare-and-set with volatile semantics. */
    public boolean compareAndSetLong(final int index, final long expected, final long update)
    {
        return buffer.compareAndSetLong(index, expected, update);
    }

    /** Atomic add with volatile semantics; returns the previous value. */
    public long getAndAddLong(final int index, final long delta)
    {
        return buffer.getAndAddLong(index, delta);
    }

    /** Zero {@code length} bytes from {@code index} (plain writes: for unpublished memory). */
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
