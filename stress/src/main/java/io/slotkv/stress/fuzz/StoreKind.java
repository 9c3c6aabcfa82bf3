package io.slotkv.stress.fuzz;

/**
 * Which store a fuzz run's files hold: {@code OffHeapLongLongMap} files or {@code OffHeapByteStore} files. A run
 * fuzzes one kind ({@code --store long|bytes}); the seeds, the layout that aims and classifies the mutations and the
 * oracle are the kind's, the judging loop ({@link StoreFuzzer}, {@link FuzzWorker}) is shared.
 */
enum StoreKind
{
    LONG_MAP("long", "long->long map"),
    BYTE_STORE("bytes", "byte store");

    final String label;
    final String description;

    StoreKind(final String label, final String description)
    {
        this.label = label;
        this.description = description;
    }

    static StoreKind of(final String label)
    {
        for (final StoreKind kind : values())
        {
            if (kind.label.equals(label))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown store kind: " + label + " (long or bytes)");
    }

    /**
     * @return the layout of a file of this kind, read from its bytes.
     */
    FileLayout layout(final byte[] bytes)
    {
        return LONG_MAP == this ? new StoreLayout(bytes) : new ByteStoreLayout(bytes);
    }
}
