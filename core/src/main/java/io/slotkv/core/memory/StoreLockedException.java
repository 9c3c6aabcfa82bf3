package io.slotkv.core.memory;

/**
 * A store file is already open for writing, by another process or by another map in this JVM.
 */
public class StoreLockedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    public StoreLockedException(final String message)
    {
        super(message);
    }
}
