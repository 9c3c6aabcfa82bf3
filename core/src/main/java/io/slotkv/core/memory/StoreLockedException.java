package io.slotkv.core.memory;

/**
 * A store file is already open for writing, by another process or by another map in this JVM.
 */
public class StoreLockedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * A refused open of a store file that another owner holds.
     *
     * @param message why the file could not be taken (open for writing in this JVM, locked by another
     *                process, or replaced by another file at every attempt) and its path.
     */
    public StoreLockedException(final String message)
    {
        super(message);
    }
}
