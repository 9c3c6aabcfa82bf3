package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;
import io.slotkv.core.memory.MemorySpace;

import java.util.List;
import java.util.function.Supplier;

/**
 * A memory space that fails its n-th allocation with a chosen error, and delegates everything else: fault
 * injection for the paths that allocate (resize, clear, close).
 */
final class FaultySpace implements MemorySpace
{
    private final MemorySpace delegate;
    private int allocations;
    private int failAt = -1;
    private Supplier<? extends Throwable> failure;

    FaultySpace(final MemorySpace delegate)
    {
        this.delegate = delegate;
    }

    /**
     * Fail the {@code n}-th allocation from now (1 = the next one) with {@code failure}; later ones succeed.
     */
    synchronized void failAllocation(final int n, final Supplier<? extends Throwable> failure)
    {
        this.failAt = allocations + n;
        this.failure = failure;
    }

    synchronized int allocations()
    {
        return allocations;
    }

    @Override
    public MemoryRegion allocate(final int length)
    {
        final Throwable fail;
        synchronized (this)
        {
            allocations++;
            fail = allocations == failAt ? failure.get() : null;
        }
        if (fail instanceof RuntimeException)
        {
            throw (RuntimeException)fail;
        }
        if (fail instanceof Error)
        {
            throw (Error)fail;
        }
        return delegate.allocate(length);
    }

    @Override
    public int maxRegionLength()
    {
        return delegate.maxRegionLength();
    }

    @Override
    public MemoryRegion attach(final long offset, final int length)
    {
        return delegate.attach(offset, length);
    }

    @Override
    public long rootOffset()
    {
        return delegate.rootOffset();
    }

    @Override
    public void root(final MemoryRegion region)
    {
        delegate.root(region);
    }

    @Override
    public boolean isPersistent()
    {
        return delegate.isPersistent();
    }

    @Override
    public boolean isReadOnly()
    {
        return delegate.isReadOnly();
    }

    @Override
    public boolean wasClosedCleanly()
    {
        return delegate.wasClosedCleanly();
    }

    @Override
    public void markDirty()
    {
        delegate.markDirty();
    }

    @Override
    public void reuseSpaceOutside(final List<MemoryRegion> live)
    {
        delegate.reuseSpaceOutside(live);
    }

    @Override
    public void sync()
    {
        delegate.sync();
    }

    @Override
    public void close()
    {
        delegate.close();
    }

    @Override
    public void abandon()
    {
        delegate.abandon();
    }

    @Override
    public String toString()
    {
        return "FaultySpace{" + delegate + '}';
    }
}
