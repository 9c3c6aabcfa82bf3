package io.slotkv.stress.torture;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.FileHeaderDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a store file's raw bytes, as a killed process left them and before anything reopens it: the header's
 * state and root, and each segment's directory entry (Table Offset, and Next Table Offset, non-zero while a
 * replacement of that segment is under way). The directory and table layouts are package-private in
 * {@code io.slotkv.map}, so their offsets are restated here from {@code DirectoryDescriptor} and
 * {@code TableDescriptor}; {@link FileHeaderDescriptor} is public.
 */
final class StoreFile
{
    /** DirectoryDescriptor: Segment Count. */
    static final int SEGMENT_COUNT_OFFSET = 8;

    /** DirectoryDescriptor: the first segment entry follows the 64-byte header; 16 bytes per entry. */
    static final int SEGMENT_ENTRIES_OFFSET = 64;
    static final int SEGMENT_ENTRY_LENGTH = 16;
    static final int SEGMENT_TABLE_OFFSET_OFFSET = 0;
    static final int SEGMENT_NEXT_TABLE_OFFSET_OFFSET = 8;

    /** TableDescriptor: capacity, then the counts word (used in the high half, live in the low half). */
    static final int TABLE_CAPACITY_OFFSET = 0;
    static final int TABLE_COUNTS_OFFSET = 8;
    static final int TABLE_HEADER_LENGTH = 64;

    /** SlotDescriptor: 16-byte slots, key word then value word; 0 is an empty key and an absent value. */
    static final int SLOT_LENGTH = 16;
    static final int SLOT_VALUE_OFFSET = 8;
    static final long FROZEN = 1;

    /** OffHeapLongLongMap: the segment index is taken from the hash bits from 40 up. */
    static final int SEGMENT_SHIFT = 40;

    /** No map in the file (the header's Root Offset). */
    static final long NO_ROOT = -1;

    private StoreFile()
    {
    }

    /**
     * What the file looked like.
     */
    static final class Snapshot
    {
        boolean exists;
        long size;
        long state = -1;
        long rootOffset = NO_ROOT;
        int segmentCount;
        long[] tableOffsets = new long[0];
        long[] nextOffsets = new long[0];
        long[] capacities = new long[0];
        long[] nextCapacities = new long[0];
        long[] counts = new long[0];

        /** @return true if the header says the file is open (its last owner did not close it). */
        boolean markedOpen()
        {
            return FileHeaderDescriptor.STATE_OPEN == state;
        }

        /** @return segments whose Next Table Offset is set: a replacement had begun and not finished. */
        int segmentsReplacing()
        {
            int replacing = 0;
            for (final long next : nextOffsets)
            {
                replacing += 0 != next ? 1 : 0;
            }
            return replacing;
        }

        /** @return segments whose Next names the current table: killed between the commit and clearing Next. */
        int segmentsCommittedNotCleared()
        {
            int committed = 0;
            for (int i = 0; i < segmentCount; i++)
            {
                committed += 0 != nextOffsets[i] && nextOffsets[i] == tableOffsets[i] ? 1 : 0;
            }
            return committed;
        }

        @Override
        public String toString()
        {
            if (!exists)
            {
                return "no file";
            }
            final StringBuilder text = new StringBuilder()
                .append("size=").append(size)
                .append(", state=").append(FileHeaderDescriptor.STATE_OPEN == state ? "open" :
                    FileHeaderDescriptor.STATE_CLOSED == state ? "closed" : Long.toString(state))
                .append(", rootOffset=").append(rootOffset);
            for (int i = 0; i < segmentCount; i++)
            {
                text.append("; segment ").append(i)
                    .append(": table=").append(tableOffsets[i])
                    .append(" capacity=").append(capacities[i])
                    .append(" used=").append(counts[i] >>> 32)
                    .append(" live=").append((int)counts[i]);
                if (0 != nextOffsets[i])
                {
                    text.append(" NEXT=").append(nextOffsets[i]).append(" nextCapacity=").append(nextCapacities[i]);
                }
            }
            return text.toString();
        }
    }

    /**
     * @return what {@code file} holds now; a missing, empty or mapless file gives a snapshot that says so.
     */
    static Snapshot read(final Path file)
    {
        final Snapshot snapshot = new Snapshot();
        if (!Files.exists(file))
        {
            return snapshot;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            snapshot.exists = true;
            snapshot.size = channel.size();
            if (snapshot.size < FileHeaderDescriptor.HEADER_LENGTH)
            {
                return snapshot;
            }
            if (FileHeaderDescriptor.MAGIC != readLong(channel, FileHeaderDescriptor.MAGIC_OFFSET))
            {
                throw new IllegalStateException("not a SlotKV store: " + file);
            }
            snapshot.state = readLong(channel, FileHeaderDescriptor.STATE_OFFSET);
            snapshot.rootOffset = readLong(channel, FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
            if (NO_ROOT == snapshot.rootOffset)
            {
                return snapshot;
            }
            final int segments = (int)readLong(channel, snapshot.rootOffset + SEGMENT_COUNT_OFFSET);
            snapshot.segmentCount = segments;
            snapshot.tableOffsets = new long[segments];
            snapshot.nextOffsets = new long[segments];
            snapshot.capacities = new long[segments];
            snapshot.nextCapacities = new long[segments];
            snapshot.counts = new long[segments];
            for (int i = 0; i < segments; i++)
            {
                final long entry = entryOffset(snapshot.rootOffset, i);
                snapshot.tableOffsets[i] = readLong(channel, entry + SEGMENT_TABLE_OFFSET_OFFSET);
                snapshot.nextOffsets[i] = readLong(channel, entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
                snapshot.capacities[i] = readLong(channel, snapshot.tableOffsets[i] + TABLE_CAPACITY_OFFSET);
                snapshot.counts[i] = readLong(channel, snapshot.tableOffsets[i] + TABLE_COUNTS_OFFSET);
                if (0 != snapshot.nextOffsets[i])
                {
                    snapshot.nextCapacities[i] = readLong(channel, snapshot.nextOffsets[i] + TABLE_CAPACITY_OFFSET);
                }
            }
            return snapshot;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read store file " + file, ex);
        }
    }

    /**
     * Fault injection, to show the harness catches a lost write: set the value word of {@code key} to absent in
     * the raw file, where the map keeps it (the current table, or the next table if a replacement in progress had
     * already copied and frozen the slot). Key 0 lives in the directory and is not handled.
     *
     * @return the file offset of the word cleared, or -1 if the key has no value word in a table.
     */
    static long clearValue(final Path file, final Snapshot snapshot, final long key)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long hash = LongHashing.mix(key);
            final int segment = (int)(hash >>> SEGMENT_SHIFT) & (snapshot.segmentCount - 1);
            long valueWord = findValueWord(channel, snapshot.tableOffsets[segment], snapshot.capacities[segment], key);
            if (valueWord >= 0 && FROZEN == readLong(channel, valueWord) && 0 != snapshot.nextOffsets[segment])
            {
                valueWord =
                    findValueWord(channel, snapshot.nextOffsets[segment], snapshot.nextCapacities[segment], key);
            }
            if (valueWord < 0)
            {
                return -1;
            }
            final ByteBuffer zero = ByteBuffer.allocate(Long.BYTES);
            channel.write(zero, valueWord);
            return valueWord;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write store file " + file, ex);
        }
    }

    /**
     * Polls one segment's Next Table Offset in a file another process is writing (the page cache is shared, so
     * a read sees the writer's stores at once).
     */
    static final class NextTableWatch implements AutoCloseable
    {
        private final FileChannel channel;
        private final long position;

        NextTableWatch(final Path file, final int segment) throws IOException
        {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            final long root = readLong(channel, FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
            this.position = entryOffset(root, segment) + SEGMENT_NEXT_TABLE_OFFSET_OFFSET;
        }

        /** @return true if the segment's replacement has recorded its intent and not yet finished. */
        boolean replacing() throws IOException
        {
            return 0 != readLong(channel, position);
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    private static long findValueWord(final FileChannel channel, final long table, final long capacity, final long key)
        throws IOException
    {
        final long hash = LongHashing.mix(key);
        long index = ((hash & 0xFFFF_FFFFL) * capacity) >>> 32;
        for (long probes = capacity; probes > 0; probes--)
        {
            final long slot = table + TABLE_HEADER_LENGTH + index * SLOT_LENGTH;
            final long keyWord = readLong(channel, slot);
            if (key == keyWord)
            {
                return slot + SLOT_VALUE_OFFSET;
            }
            if (0 == keyWord)
            {
                return -1;
            }
            index = ++index == capacity ? 0 : index;
        }
        return -1;
    }

    private static long entryOffset(final long rootOffset, final int segment)
    {
        return rootOffset + SEGMENT_ENTRIES_OFFSET + (long)segment * SEGMENT_ENTRY_LENGTH;
    }

    private static long readLong(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, position + buffer.position()) < 0)
            {
                throw new IOException("store file ends at " + (position + buffer.position()) + ", reading 8 bytes at " +
                    position);
            }
        }
        return buffer.getLong(0);
    }
}
