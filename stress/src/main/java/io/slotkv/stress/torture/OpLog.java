package io.slotkv.stress.torture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer thread's operation log: a memory-mapped file of fixed-size records. A store into a shared file
 * mapping is in the page cache as soon as it is executed, and the page cache outlives a process killed by
 * {@code kill -9}, so the log says exactly which operations the thread had started and which had returned.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     State     |      Op       |           Reserved            |
 *  +---------------------------------------------------------------+
 *  |                  Sequence (1, 2, 3, ...)                      |
 *  +---------------------------------------------------------------+
 *  |                            Key                                |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Operand (value or delta)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Result (what the map returned; once done)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * The first word (state, op, sequence) is stored last, with release, so a record with a sequence number is
 * complete. {@link Writer#intent} writes the record as {@link #INTENT} and then issues a full fence before the
 * caller touches the map; {@link Writer#done} issues a full fence after the map call returned, then stores the
 * result and marks the record {@link #DONE}. So after a kill at any instant every record but possibly the last is
 * done, and the last one is done (the call returned), or an intent (the call may or may not have taken effect).
 */
final class OpLog
{
    /** The record is written; the map call may or may not have run. */
    static final int INTENT = 1;

    /** The map call returned; the result word holds what it returned. */
    static final int DONE = 2;

    static final int HEADER_OFFSET = 0;
    static final int KEY_OFFSET = 8;
    static final int OPERAND_OFFSET = 16;
    static final int RESULT_OFFSET = 24;
    static final int RECORD_LENGTH = 32;

    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private OpLog()
    {
    }

    static long header(final long sequence, final int op, final int state)
    {
        return sequence << 32 | (long)op << 8 | state;
    }

    static Path file(final Path directory, final int thread)
    {
        return directory.resolve("thread-" + thread + ".log");
    }

    /**
     * The writing side, owned by one thread.
     */
    static final class Writer
    {
        private final MappedByteBuffer buffer;
        private final int capacity;
        private int next;
        private int position;
        private long pendingHeader;

        /**
         * @param records the log's capacity; the file is created (sparse) with room for exactly that many.
         */
        Writer(final Path file, final int records)
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
            {
                this.capacity = records;
                this.buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long)records * RECORD_LENGTH);
                this.buffer.order(ByteOrder.LITTLE_ENDIAN);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create operation log " + file, ex);
            }
        }

        boolean hasRoom()
        {
            return next < capacity;
        }

        /**
         * @return records written.
         */
        int count()
        {
            return next;
        }

        /**
         * Log the operation about to be called; ordered before every memory access that follows.
         */
        void intent(final int op, final long key, final long operand)
        {
            final int at = next * RECORD_LENGTH;
            buffer.putLong(at + KEY_OFFSET, key);
            buffer.putLong(at + OPERAND_OFFSET, operand);
            final long header = header(next + 1, op, INTENT);
            WORD.setRelease(buffer, at + HEADER_OFFSET, header);
            position = at;
            pendingHeader = header;
            VarHandle.fullFence(); // the intent is in memory before the map call's first access
        }

        /**
         * Mark the last intent done with what the map returned; ordered after every memory access before it.
         */
        void done(final long result)
        {
            VarHandle.fullFence(); // the map call's effects are in memory before the record says it returned
            buffer.putLong(position + RESULT_OFFSET, result);
            WORD.setRelease(buffer, position + HEADER_OFFSET, (pendingHeader & ~0xFFL) | DONE);
            next++;
        }
    }

    /**
     * What a reader of a log is told, in log order.
     */
    interface Visitor
    {
        /** An operation that returned {@code result}. */
        void done(int op, long key, long operand, long result);

        /** The last operation, started but not known to have returned: it may or may not have taken effect. */
        void pending(int op, long key, long operand);
    }

    /**
     * Read a log written by a process that is gone.
     *
     * @return the number of records read (done and pending).
     * @throws IllegalStateException if the log is not a sequence of done records with at most one intent at its
     *                               end: the harness, not the map, is broken.
     */
    static long read(final Path file, final Visitor visitor)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long length = channel.size();
            final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            final long records = length / RECORD_LENGTH;
            boolean pending = false;
            long count = 0;
            for (int i = 0; i < records; i++)
            {
                final int position = i * RECORD_LENGTH;
                final long header = buffer.getLong(position + HEADER_OFFSET);
                if (0 == header)
                {
                    break;
                }
                final long sequence = header >>> 32;
                final int op = (int)(header >>> 8) & 0xFF;
                final int state = (int)header & 0xFF;
                if (pending || sequence != i + 1 || (INTENT != state && DONE != state))
                {
                    throw new IllegalStateException("operation log is inconsistent at record " + i + ": header=0x" +
                        Long.toHexString(header) + (pending ? " after an unfinished intent" : "") + ", in " + file);
                }
                final long key = buffer.getLong(position + KEY_OFFSET);
                final long operand = buffer.getLong(position + OPERAND_OFFSET);
                if (DONE == state)
                {
                    visitor.done(op, key, operand, buffer.getLong(position + RESULT_OFFSET));
                }
                else
                {
                    visitor.pending(op, key, operand);
                    pending = true;
                }
                count++;
            }
            return count;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read operation log " + file, ex);
        }
    }
}
