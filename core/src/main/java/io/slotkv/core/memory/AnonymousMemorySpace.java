package io.slotkv.core.memory;

import io.slotkv.core.jvm.JvmAccess;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap memory that is not backed by a file. Each region is its own 64-byte aligned direct buffer, which the
 * JDK frees when the region is no longer reachable, so memory an in-flight operation still holds is never freed.
 */
public final class AnonymousMemorySpace implements MemorySpace
{
    private final AtomicLong nextOffset = new AtomicLong(REGION_ALIGNMENT); // no region at 0: offset 0 means "none"
    private volatile boolean closed;

    public AnonymousMemorySpace()
    {
        JvmAccess.requireOffHeapAccess();
    }

    @Override
    public MemoryRegion allocate(final int length)
    {
        MemorySpace.checkRegionLength(length);
        if (closed)
        {
            throw new IllegalStateException("memory space is closed");
        }
        final ByteBuffer buffer = BufferUtil.allocateDirectAligned(length, REGION_ALIGNMENT); // zeroed by the JDK
        final long offset = nextOffset.getAndAdd(length);
        return new MemoryRegion(new UnsafeBuffer(buffer), offset, buffer);
    }

    @Override
    public int maxRegionLength()
    {
        return MAX_REGION_LENGTH;
    }

    @Override
    public MemoryRegion attach(final long offset, final int length)
    {
        throw new UnsupportedOperationException("anonymous memory cannot be re-attached");
    }

    @Override
    public long rootOffset()
    {
        return NO_ROOT;
    }

    @Override
    public void root(final MemoryRegion region)
    {
        // nothing outlives the process, so nobody will look for the root
    }

    @Override
    public boolean isPersistent()
    {
        return false;
    }

    @Override
    public void sync()
    {
    }

    @Override
    public void close()
    {
        closed = true;
    }

    @Override
    public String toString()
    {
        return "AnonymousMemorySpace";
    }
}
