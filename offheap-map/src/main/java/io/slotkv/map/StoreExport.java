package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The portable export format of both maps (docs/spec/export.md, which wins over this comment): a header naming the
 * map's kind, one record per entry, and a trailer with the record count and a CRC32C of every byte before the
 * CRC itself. Big-endian, as {@link DataOutputStream} writes. Export and import stream: the heap they use does not
 * grow with the store (one buffer the size of the largest entry). Neither closes the caller's stream; an import
 * reads ahead in buffers, so it may consume bytes of {@code in} past the export's trailer.
 * <p>
 * <b>Consistency.</b> An export is {@code forEach}: each key with a value during the whole export is written once,
 * with a value (and, for the byte store, a deadline) it had during the export; keys written meanwhile may or may not
 * be, so an export under writers is not a point-in-time snapshot. An import merges: each record is a {@code put}
 * (a byte-store record whose deadline has passed is skipped). A damaged stream is found at the record where its
 * structure breaks, or at the trailer's count and checksum: the records before it are already imported.
 */
public final class StoreExport
{
    /** The first 8 bytes of an export: {@code SLOTKVEX} in ASCII. */
    public static final long MAGIC = 0x534C_4F54_4B56_4558L;

    /** The format version this class writes and reads. */
    public static final int VERSION = 1;

    /** Kind of an export of a {@link OffHeapLongLongMap}. */
    public static final int KIND_LONG_LONG = 1;

    /** Kind of an export of a {@link OffHeapByteStore}. */
    public static final int KIND_BYTES = 2;

    static final int ENTRY = 'E';
    static final int END = 'Z';

    private static final int BUFFER = 1 << 16;

    /** A byte-store record up to its key: tag, key length, value length, deadline. */
    private static final int BYTES_RECORD_HEAD = 1 + 4 + 4 + 8;

    /** A long-map record: tag, key, value. */
    private static final int LONG_RECORD = 1 + 8 + 8;

    private StoreExport()
    {
    }

    /**
     * Write every entry of a byte store, with its deadline, to {@code out} (not closed).
     *
     * @param store the store to export; writers may go on.
     * @param out   where the stream goes.
     * @return the number of entries written.
     * @throws UncheckedIOException  if {@code out} fails.
     * @throws IllegalStateException if the store is closed.
     */
    public static long export(final OffHeapByteStore store, final OutputStream out)
    {
        return write(out, KIND_BYTES, 0, store, data ->
        {
            long count = 0;
            final ByteCursor cursor = store.cursorWithDeadlines();
            final byte[] head = new byte[BYTES_RECORD_HEAD];
            while (cursor.advance())
            {
                for (int i = 0; i < cursor.size; i++)
                {
                    final int keyLength = cursor.keyLengths[i];
                    final int valueLength = cursor.valueLengths[i];
                    head[0] = ENTRY;
                    putInt(head, 1, keyLength);
                    putInt(head, 5, valueLength);
                    putLong(head, 9, cursor.deadlines[i]);
                    data.write(head, 0, BYTES_RECORD_HEAD);
                    data.write(cursor.bytes, cursor.keyOffsets[i], keyLength + valueLength);
                    count++;
                }
            }
            return count;
        });
    }

    /**
     * Write every entry of a long map to {@code out} (not closed). Values equal to the map's missing value (stored
     * through its {@code ConcurrentMap} view) are written like any other.
     *
     * @param map the map to export; writers may go on.
     * @param out where the stream goes.
     * @return the number of entries written.
     * @throws UncheckedIOException  if {@code out} fails.
     * @throws IllegalStateException if the map is closed.
     */
    public static long export(final OffHeapLongLongMap map, final OutputStream out)
    {
        return write(out, KIND_LONG_LONG, map.missingValue(), map, data ->
        {
            final long[] count = {0};
            final IOException[] failure = {null};
            final byte[] record = new byte[LONG_RECORD];
            record[0] = ENTRY;
            map.forEach((key, value) ->
            {
                if (null == failure[0])
                {
                    try
                    {
                        putLong(record, 1, key);
                        putLong(record, 9, value);
                        data.write(record, 0, LONG_RECORD);
                        count[0]++;
                    }
                    catch (final IOException ex)
                    {
                        failure[0] = ex; // forEach's consumer cannot throw it: rethrown below
                    }
                }
            });
            if (null != failure[0])
            {
                throw failure[0];
            }
            return count[0];
        });
    }

    /**
     * Write every entry of a byte store to {@code out} (not closed) as JSON Lines, for people and other tools: one
     * object per line, {@code {"key":"...","value":"..."}}, with {@code "deadline":<epoch ms>} for a key that has
     * one. A key or value that is not valid UTF-8 is written as {@code "key_base64"} / {@code "value_base64"}
     * instead. Not read back by {@link #importInto}: the binary stream is the format for moving data.
     *
     * @param store the store to export; writers may go on.
     * @param out   where the lines go, as UTF-8.
     * @return the number of entries written.
     * @throws UncheckedIOException  if {@code out} fails.
     * @throws IllegalStateException if the store is closed.
     */
    public static long exportJsonLines(final OffHeapByteStore store, final OutputStream out)
    {
        try
        {
            final Writer writer = new BufferedWriter(
                new OutputStreamWriter(out, StandardCharsets.UTF_8), BUFFER);
            final StringBuilder line = new StringBuilder(256);
            long count = 0;
            final ByteCursor cursor = store.cursorWithDeadlines();
            while (cursor.advance())
            {
                for (int i = 0; i < cursor.size; i++)
                {
                    final int keyOffset = cursor.keyOffsets[i];
                    final int keyLength = cursor.keyLengths[i];
                    line.setLength(0);
                    line.append('{');
                    jsonField(line, "key", cursor.bytes, keyOffset, keyLength);
                    line.append(',');
                    jsonField(line, "value", cursor.bytes, keyOffset + keyLength, cursor.valueLengths[i]);
                    if (0 != cursor.deadlines[i])
                    {
                        line.append(",\"deadline\":").append(cursor.deadlines[i]);
                    }
                    writer.append(line.append("}\n"));
                    count++;
                }
            }
            writer.flush();
            return count;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("export of " + store + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Append {@code "name":"text"} if the bytes are valid UTF-8, else {@code "name_base64":"..."}.
     */
    private static void jsonField(final StringBuilder line, final String name, final byte[] bytes, final int offset,
        final int length)
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        try
        {
            final CharSequence text = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
            line.append('"').append(name).append("\":\"");
            for (int i = 0; i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if ('"' == c || '\\' == c)
                {
                    line.append('\\').append(c);
                }
                else if (c < 0x20)
                {
                    line.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                }
                else
                {
                    line.append(c);
                }
            }
            line.append('"');
        }
        catch (final CharacterCodingException notText)
        {
            line.append('"').append(name).append("_base64\":\"")
                .append(Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, offset,
                    offset + length))).append('"');
        }
    }

    /**
     * Put every entry of a byte-store export into {@code store} (merging: keys it has are overwritten), reading
     * {@code in} to its trailer (not closed). A record whose deadline has passed is skipped.
     *
     * @param store the store to put the entries into.
     * @param in    the export stream of a byte store.
     * @return the number of records read (imported or skipped as expired).
     * @throws CorruptStoreException    if the stream is not a byte-store export of this version, or is damaged
     *                                  (the message says where); the records before are imported.
     * @throws IllegalArgumentException if a key or value is longer than the store's limits (the records before are
     *                                  imported).
     * @throws UncheckedIOException     if {@code in} fails or ends early.
     */
    public static long importInto(final OffHeapByteStore store, final InputStream in)
    {
        final byte[][] buffers = {new byte[64], new byte[256]}; // key, value: grown to the longest record
        return read(in, KIND_BYTES, store, (data, index) ->
        {
            final int keyLength = data.readInt();
            final int valueLength = data.readInt();
            final long deadline = data.readLong();
            if (keyLength < 0 || valueLength < 0 || deadline < 0)
            {
                throw damaged("record " + index + " has keyLength=" + keyLength + ", valueLength=" + valueLength +
                    ", deadline=" + deadline);
            }
            if (keyLength > store.maxKeyLength() || valueLength > store.maxValueLength())
            {
                throw new IllegalArgumentException("record " + index + " does not fit the store's limits: " +
                    "keyLength=" + keyLength + ", maxKeyLength=" + store.maxKeyLength() + ", valueLength=" +
                    valueLength + ", maxValueLength=" + store.maxValueLength());
            }
            final byte[] key = buffers[0] = room(buffers[0], keyLength);
            final byte[] value = buffers[1] = room(buffers[1], valueLength);
            data.readFully(key, 0, keyLength);
            data.readFully(value, 0, valueLength);
            store.putEntry(key, keyLength, value, valueLength, deadline);
        });
    }

    /**
     * Put every entry of a long-map export into {@code map} (merging), reading {@code in} to its trailer (not
     * closed). Every value is stored, the map's missing value too (as its {@code ConcurrentMap} view stores it).
     *
     * @param map the map to put the entries into.
     * @param in  the export stream of a long map.
     * @return the number of records read.
     * @throws CorruptStoreException if the stream is not a long-map export of this version, or is damaged (the
     *                               message says where); the records before are imported.
     * @throws UncheckedIOException  if {@code in} fails or ends early.
     */
    public static long importInto(final OffHeapLongLongMap map, final InputStream in)
    {
        return read(in, KIND_LONG_LONG, map, (data, index) ->
        {
            final long key = data.readLong();
            final long value = data.readLong();
            map.boxedWrite(key, ValueUpdate.PUT, value);
        });
    }

    /** Writes the records of one export. */
    @FunctionalInterface
    private interface RecordWriter
    {
        /**
         * @return the number of records written.
         */
        long writeAll(DataOutputStream data) throws IOException;
    }

    /** Reads the fields of one record after its tag, and applies it. */
    @FunctionalInterface
    private interface RecordReader
    {
        void read(DataInputStream data, long index) throws IOException;
    }

    /**
     * Write a whole export: header, the records, trailer, through one CRC32C.
     */
    private static long write(final OutputStream out, final int kind, final long missingValue, final Object source,
        final RecordWriter records)
    {
        try
        {
            final CRC32C crc = new CRC32C();
            // the checksum under the buffer: it is updated a whole buffer at a time, not byte by byte
            final DataOutputStream data = new DataOutputStream(new BufferedOutputStream(
                new CheckedOutputStream(out, crc), BUFFER));
            header(data, kind, missingValue);
            final long count = records.writeAll(data);
            trailer(data, crc, count);
            return count;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("export of " + source + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Read a whole export: the header, each record (its tag checked, then {@code records}), the trailer's count and
     * checksum.
     */
    private static long read(final InputStream in, final int kind, final Object target, final RecordReader records)
    {
        final CRC32C crc = new CRC32C();
        final DataInputStream data = new DataInputStream(new CheckedInputStream(
            new BufferedInputStream(in, BUFFER), crc));
        try
        {
            readHeader(data, kind);
            long count = 0;
            while (true)
            {
                final int tag = data.readUnsignedByte();
                if (END == tag)
                {
                    readTrailer(data, crc, count);
                    return count;
                }
                if (ENTRY != tag)
                {
                    throw damaged("record " + count + " has tag " + tag);
                }
                records.read(data, count);
                count++;
            }
        }
        catch (final EOFException ex)
        {
            throw damaged("the stream ends before its trailer");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("import into " + target + " failed: " + ex.getMessage(), ex);
        }
    }

    private static void putInt(final byte[] bytes, final int at, final int value)
    {
        bytes[at] = (byte)(value >>> 24);
        bytes[at + 1] = (byte)(value >>> 16);
        bytes[at + 2] = (byte)(value >>> 8);
        bytes[at + 3] = (byte)value;
    }

    private static void putLong(final byte[] bytes, final int at, final long value)
    {
        putInt(bytes, at, (int)(value >>> 32));
        putInt(bytes, at + 4, (int)value);
    }

    private static void header(final DataOutputStream data, final int kind, final long missingValue)
        throws IOException
    {
        data.writeLong(MAGIC);
        data.writeShort(VERSION);
        data.writeShort(kind);
        data.writeInt(0); // flags
        data.writeLong(System.currentTimeMillis());
        data.writeLong(missingValue); // the long map's, for information; 0 for a byte store
    }

    private static void trailer(final DataOutputStream data, final CRC32C crc, final long count) throws IOException
    {
        data.writeByte(END);
        data.writeLong(count);
        data.flush(); // through the checksum
        final int checksum = (int)crc.getValue(); // of every byte up to here
        data.writeInt(checksum);
        data.flush();
    }

    private static void readHeader(final DataInputStream data, final int kind) throws IOException
    {
        final long magic = data.readLong();
        if (MAGIC != magic)
        {
            throw new CorruptStoreException("not a SlotKV export: magic=0x" + Long.toHexString(magic) +
                ", expected=0x" + Long.toHexString(MAGIC));
        }
        final int version = data.readUnsignedShort();
        final int found = data.readUnsignedShort();
        if (VERSION != version)
        {
            throw new CorruptStoreException("export format version " + version + " is not readable by this " +
                "version, which reads version " + VERSION);
        }
        if (kind != found)
        {
            throw new CorruptStoreException("export is of another kind of map: kind=" + kindName(found) +
                ", expected=" + kindName(kind));
        }
        data.readInt(); // flags: none defined
        data.readLong(); // written at
        data.readLong(); // missing value, for information
    }

    private static void readTrailer(final DataInputStream data, final CRC32C crc, final long count) throws IOException
    {
        final long written = data.readLong();
        final int expected = (int)crc.getValue(); // of every byte up to here
        final int checksum = data.readInt();
        if (written != count)
        {
            throw damaged("the trailer counts " + written + " records, the stream holds " + count);
        }
        if (checksum != expected)
        {
            throw damaged("checksum mismatch: crc32c=0x" + Integer.toHexString(expected) + ", trailer=0x" +
                Integer.toHexString(checksum));
        }
    }

    private static String kindName(final int kind)
    {
        return KIND_LONG_LONG == kind ? "long->long map" : KIND_BYTES == kind ? "byte store" : "unknown " + kind;
    }

    private static CorruptStoreException damaged(final String what)
    {
        return new CorruptStoreException("export stream is damaged: " + what);
    }

    private static byte[] room(final byte[] buffer, final int length)
    {
        return length <= buffer.length ? buffer : new byte[Math.max(length, Math.min(Integer.MAX_VALUE - 8,
            2 * buffer.length))];
    }
}
