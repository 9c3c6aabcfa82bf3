package io.slotkv.core.memory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The file system could not reserve the disk space a store file needs. Raised when the space is reserved, before
 * anything in the store changed; the store stays readable and every entry it held stays.
 */
public class DiskFullException extends UncheckedIOException
{
    private static final long serialVersionUID = 1L;

    /**
     * A reservation the file system refused; the cause is an {@link IOException} with the same message.
     *
     * @param message the bytes and offset that could not be reserved, the {@code errno} and the file.
     */
    public DiskFullException(final String message)
    {
        super(message, new IOException(message));
    }
}
