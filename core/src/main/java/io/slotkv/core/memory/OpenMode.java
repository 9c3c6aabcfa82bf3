package io.slotkv.core.memory;

/**
 * How to open a store file.
 */
public enum OpenMode
{
    /**
     * Open the store if the file exists, else create it. A zero-length file counts as absent (it is what a
     * creation killed before its first write leaves) and becomes a new store.
     */
    CREATE_OR_OPEN,

    /**
     * Open an existing store; a missing or empty file is an error, so a mistyped path never creates a store.
     */
    OPEN_EXISTING,

    /**
     * Open an existing, cleanly closed store for reading only. The file is mapped read-only and held with a shared
     * lock: any number of read-only opens, no writer, at the same time. Every write throws.
     */
    READ_ONLY,

    /**
     * Open an existing store as a private copy: the file is mapped copy-on-write ({@code MAP_PRIVATE}) and held
     * with a shared lock, so recovery (of a file that was not closed cleanly, or a full {@code verifyOnOpen} scan)
     * and writes change only this process's memory and never the file; closing discards them. For checking a file
     * without changing it ({@code slotkv verify}, {@code slotkv stats}); like {@link #READ_ONLY}, refused while a
     * writer holds the file, and it keeps writers out while open. Its memory grows with what it writes.
     */
    PRIVATE
}
