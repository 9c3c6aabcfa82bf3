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
 * state and root, the directory's hash seed, and each segment's directory entry (Table Offset, and Next Table
 * Offset, non-zero while a replacement of that segment is under way) with the capacity, counts and value key of
 * the tables they name. The directory and table layouts are package-private in {@code io.slotkv.map}, so their
 * offsets are restated here from {@code DirectoryDescriptor}, {@code TableDescriptor} and {@code SlotDescriptor} of
 * store format version {@value #FORMAT_VERSION} (a file of another version is refused rather than misread);
 * {@link FileHeaderDescriptor} is public.
 * <p>
 * Format 3: a key's hash is {@code LongHashing.mix(key, hashSeed)} with the directory's seed; a value {@code v} is
 * stored in a table as {@code v ^ valueKey} with that table's value key (raw words 0 and 1 stay ABSENT and FROZEN).
 */
final class StoreFile
{
    /** The store format version these offsets describe. */
    static final int FORMAT_VERSION = 4;

    /** DirectoryDescriptor: Segment Count. */
    static final int SEGMENT_COUNT_OFFSET = 8;

    /** DirectoryDescriptor: Hash Seed, its check (the complement), and the map's missing value. */
    static final int HASH_SEED_OFFSET = 40;
    static final int HASH_SEED_CHECK_OFFSET = 48;
    static final int MISSING_VALUE_OFFSET = 56;

    /** DirectoryDescriptor: the first segment entry follows the 64-byte header; 16 bytes per entry. */
    static final int SEGMENT_ENTRIES_OFFSET = 64;
    static final int SEGMENT_ENTRY_LENGTH = 16;
    static final int SEGMENT_TABLE_OFFSET_OFFSET = 0;
    static final int SEGMENT_NEXT_TABLE_OFFSET_OFFSET = 8;

    /**
     * TableDescriptor: capacity, the counts word (used in the high half, live in the low half), key 0's value word
     * (segment 0's tables), the value key XORed into every value word of the table.
     */
    static final int TABLE_CAPACITY_OFFSET = 0;
    static final int TABLE_COUNTS_OFFSET = 8;
    static final int TABLE_ZERO_KEY_VALUE_OFFSET = 16;
    static final int TABLE_VALUE_KEY_OFFSET = 24;
    static final int TABLE_HEADER_LENGTH = 64;

    /**
     * SlotDescriptor: 16-byte slots, key word then value word; 0 is an empty key and an absent value, 1 a frozen
     * value, whatever the table's value key.
     */
    static final int SLOT_LENGTH = 16;
    static final int SLOT_VALUE_OFFSET = 8;
    static final long ABSENT = 0;
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
        int version;
        int segmentCount;
        long hashSeed;
        long hashSeedCheck;
        long missingValue;
        long[] tableOffsets = new long[0];
        long[] nextOffsets = new long[0];
        long[] capacities = new long[0];
        long[] nextCapacities = new long[0];
        long[] counts = new long[0];
        long[] valueKeys = new long[0];
        long[] nextValueKeys = new long[0];

        /** @return the hash of {@code key} as the map computes it: keyed by the directory's seed. */
        long hash(final long key)
        {
            return LongHashing.mix(key, hashSeed);
        }

        /** @return the segment of {@code key}: the hash bits from {@link #SEGMENT_SHIFT} up. */
        int segmentOf(final long key)
        {
            return (int)(hash(key) >>> SEGMENT_SHIFT) & (segmentCount - 1);
        }

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

        /**
         * @return segments replacing their table by one with another value key: killed inside a re-keying
         * replacement, whose recovery re-encodes every value it copies.
         */
        int segmentsRekeying()
        {
            int rekeying = 0;
            for (int i = 0; i < segmentCount; i++)
            {
                rekeying += 0 != nextOffsets[i] && nextOffsets[i] != tableOffsets[i] &&
                    nextValueKeys[i] != valueKeys[i] ? 1 : 0;
            }
            return rekeying;
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
                .append(", version=").append(version)
                .append(", rootOffset=").append(rootOffset);
            if (NO_ROOT != rootOffset)
            {
                text.append(", hashSeed=0x").append(Long.toHexString(hashSeed))
                    .append(hashSeedCheck == ~hashSeed ? "" : " (CHECK MISMATCH: 0x" + Long.toHexString(hashSeedCheck) +
                    ")")
                    .append(", missingValue=").append(missingValue);
            }
            for (int i = 0; i < segmentCount; i++)
            {
                text.append("; segment ").append(i)
                    .append(": table=").append(tableOffsets[i])
                    .append(" capacity=").append(capacities[i])
                    .append(" used=").append(counts[i] >>> 32)
                    .append(" live=").append((int)counts[i])
                    .append(" valueKey=0x").append(Long.toHexString(valueKeys[i]));
                if (0 != nextOffsets[i])
                {
                    text.append(" NEXT=").append(nextOffsets[i]).append(" nextCapacity=").append(nextCapacities[i]);
                    if (nextOffsets[i] != tableOffsets[i])
                    {
                        text.append(" nextValueKey=0x").append(Long.toHexString(nextValueKeys[i]))
                            .append(nextValueKeys[i] != valueKeys[i] ? " (RE-KEYING)" : "");
                    }
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
            snapshot.version = readInt(channel, FileHeaderDescriptor.FORMAT_VERSION_OFFSET);
            if (FORMAT_VERSION != snapshot.version)
            {
                throw new IllegalStateException("store format version " + snapshot.version + ", this harness reads " +
                    "the layout of version " + FORMAT_VERSION + " only: " + file);
            }
            snapshot.state = readLong(channel, FileHeaderDescriptor.STATE_OFFSET);
            snapshot.rootOffset = readLong(channel, FileHeaderDescriptor.ROOT_OFFSET_OFFSET);
            if (NO_ROOT == snapshot.rootOffset)
            {
                return snapshot;
            }
            final int segments = (int)readLong(channel, snapshot.rootOffset + SEGMENT_COUNT_OFFSET);
            snapshot.segmentCount = segments;
            snapshot.hashSeed = readLong(channel, snapshot.rootOffset + HASH_SEED_OFFSET);
            snapshot.hashSeedCheck = readLong(channel, snapshot.rootOffset + HASH_SEED_CHECK_OFFSET);
            snapshot.missingValue = readLong(channel, snapshot.rootOffset + MISSING_VALUE_OFFSET);
            snapshot.tableOffsets = new long[segments];
            snapshot.nextOffsets = new long[segments];
            snapshot.capacities = new long[segments];
            snapshot.nextCapacities = new long[segments];
            snapshot.counts = new long[segments];
            snapshot.valueKeys = new long[segments];
            snapshot.nextValueKeys = new long[segments];
            for (int i = 0; i < segments; i++)
            {
                final long entry = entryOffset(snapshot.rootOffset, i);
                snapshot.tableOffsets[i] = readLong(channel, entry + SEGMENT_TABLE_OFFSET_OFFSET);
                snapshot.nextOffsets[i] = readLong(channel, entry + SEGMENT_NEXT_TABLE_OFFSET_OFFSET);
                snapshot.capacities[i] = readLong(channel, snapshot.tableOffsets[i] + TABLE_CAPACITY_OFFSET);
                snapshot.counts[i] = readLong(channel, snapshot.tableOffsets[i] + TABLE_COUNTS_OFFSET);
                snapshot.valueKeys[i] = readLong(channel, snapshot.tableOffsets[i] + TABLE_VALUE_KEY_OFFSET);
                if (0 != snapshot.nextOffsets[i])
                {
                    snapshot.nextCapacities[i] = readLong(channel, snapshot.nextOffsets[i] + TABLE_CAPACITY_OFFSET);
                    snapshot.nextValueKeys[i] = readLong(channel, snapshot.nextOffsets[i] + TABLE_VALUE_KEY_OFFSET);
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
     * already copied and frozen the slot). Raw 0 is ABSENT whatever the table's value key. Key 0 lives in segment
     * 0's table header and is not handled.
     *
     * @return the file offset of the word cleared, or -1 if the key has no value word in a table.
     */
    static long clearValue(final Path file, final Snapshot snapshot, final long key)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long hash = snapshot.hash(key);
            final int segment = snapshot.segmentOf(key);
            long valueWord =
                findValueWord(channel, snapshot.tableOffsets[segment], snapshot.capacities[segment], key, hash);
            if (valueWord >= 0 && FROZEN == readLong(channel, valueWord) && 0 != snapshot.nextOffsets[segment])
            {
                valueWord =
                    findValueWord(channel, snapshot.nextOffsets[segment], snapshot.nextCapacities[segment], key, hash);
            }
            if (valueWord < 0)
            {
                return -1;
            }
            final ByteBuffer zero = ByteBuffer.allocate(Long.BYTES); // ABSENT
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

    /** TableDescriptor.homeIndex: the probe of a key starts at its hash's low half scaled to the capacity. */
    private static long findValueWord(
        final FileChannel channel, final long table, final long capacity, final long key, final long hash)
        throws IOException
    {
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

    private static int readInt(final FileChannel channel, final long position) throws IOException
    {
        return (int)readLong(channel, position); // little-endian: the int is the low half of the word there
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
