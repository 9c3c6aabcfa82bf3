package io.slotkv.core.memory;

/**
 * A store file, or a structure inside it, does not hold what its header says: wrong magic, unsupported
 * version, or an offset or length that points outside the file.
 */
public class CorruptStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A corrupt store, described by {@code message}.
     *
     * @param message what is wrong, with the field, the value found, what is allowed and the file.
     */
    public CorruptStoreException(final String message)
    {
        super(message);
    }
}
