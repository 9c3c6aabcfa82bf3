package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.FileHeaderDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a store file's headers say, read with plain reads and without taking its lock or mapping it: the format
 * version, which map it holds, its chunk size, how much of it is allocated, and whether it was closed cleanly. For
 * tools (the {@code slotkv} command) that must pick the right map before opening a file. A file a running process
 * writes is read as it is at that moment. Every field that locates another is checked before it is followed.
 *
 * @param path           the file.
 * @param formatVersion  the store format version in its header (only {@link FileHeaderDescriptor#FORMAT_VERSION}
 *                       is described; others are refused).
 * @param kind           the map the file holds.
 * @param chunkSize      the size of its mappings.
 * @param allocatedBytes the header's end of allocated space.
 * @param fileBytes      the file's length.
 * @param closedCleanly  false if a process had it open for writing and did not close it (it needs recovery).
 */
public record StoreFile(Path path, int formatVersion, Kind kind, long chunkSize, long allocatedBytes, long fileBytes,
                        boolean closedCleanly)
{
    /** The maps a store file can hold. */
    public enum Kind
    {
        /** An {@link OffHeapLongLongMap}. */
        LONG_LONG_MAP,
        /** An {@link OffHeapByteStore}. */
        BYTE_STORE
    }

    /**
     * Read the headers of the store file at {@code path}.
     *
     * @param path the file.
     * @return what its headers say.
     * @throws CorruptStoreException if it is not a SlotKV store file of this format version, or its headers do
     *                               not locate a directory of a known kind (the message names the field).
     * @throws UncheckedIOException  if it cannot be read (a missing file: the cause is a
     *                               {@link java.nio.file.NoSuchFileException}).
     */
    public static StoreFile read(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final long size = channel.size();
            final ByteBuffer header = readAt(channel, 0, FileHeaderDescriptor.HEADER_LENGTH, size, path);
            final long magic = header.getLong(FileHeaderDescriptor.MAGIC_OFFSET);
            if (FileHeaderDescriptor.MAGIC != magic)
            {
                throw new CorruptStoreException("not a SlotKV store file: magic=0x" + Long.toHexString(magic) +
                    ", expected: 0x" + Long.toHexString(FileHeaderDescriptor.MAGIC) + ", file=" + path);
            }
            final int version = header.getInt(FileHeaderDescriptor.FORMAT_VERSION_OFFSET);
            if (FileHeaderDescriptor.FORMAT_VERSION != version)
            {
                throw new CorruptStoreException("store format version " + version + " is not readable by this " +
                    "version, which reads version " + FileHeaderDescriptor.FORMAT_VERSION + ", file=" + path);
            }
            final long end = header.getLong(FileHeaderDescriptor.END_OFFSET);
            final long root = header.getLong(FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
            if (root < FileHeaderDescriptor.HEADER_LENGTH || root > end - DirectoryDescriptor.HEADER_LENGTH ||
                end > size)
            {
                throw new CorruptStoreException("store file has no directory: rootOffset=" + root + ", end=" + end +
                    ", size=" + size + ", file=" + path);
            }
            final ByteBuffer directory = readAt(channel, root, DirectoryDescriptor.HEADER_LENGTH, size, path);
            final long kindWord = directory.getLong(DirectoryDescriptor.KIND_OFFSET);
            final Kind kind = DirectoryDescriptor.KIND_LONG_LONG == kindWord ? Kind.LONG_LONG_MAP :
                DirectoryDescriptor.KIND_BYTES == kindWord ? Kind.BYTE_STORE : null;
            if (null == kind)
            {
                throw new CorruptStoreException("store directory of an unknown kind: kind=0x" +
                    Long.toHexString(kindWord) + ", file=" + path);
            }
            return new StoreFile(path, version, kind, header.getLong(FileHeaderDescriptor.CHUNK_SIZE_OFFSET), end,
                size, FileHeaderDescriptor.STATE_CLOSED == header.getLong(FileHeaderDescriptor.STATE_OFFSET));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read store file: " + path + ": " + ex.getMessage(), ex);
        }
    }

    private static ByteBuffer readAt(final FileChannel channel, final long offset, final int length, final long size,
        final Path path) throws IOException
    {
        if (size < offset + length)
        {
            throw new CorruptStoreException("store file too short: size=" + size + ", needed: " + (offset + length) +
                ", file=" + path);
        }
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) >= 0)
        {
            // read it all
        }
        return bytes;
    }
}
