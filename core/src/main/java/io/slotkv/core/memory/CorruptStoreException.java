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

    /**
     * A corrupt store found by a step that {@code cause} describes (e.g. a backup's check of the file it wrote).
     *
     * @param message what is wrong, and where.
     * @param cause   the refusal it is built on.
     */
    public CorruptStoreException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
