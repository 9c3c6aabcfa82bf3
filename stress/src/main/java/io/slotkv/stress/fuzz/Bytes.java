package io.slotkv.stress.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Little-endian words in byte arrays (a read or write out of bounds reads 0 or writes nothing), file contents,
 * hashes, and the one-line encoding of texts in the worker protocol.
 */
final class Bytes
{
    private Bytes()
    {
    }

    static long getLong(final byte[] bytes, final long offset)
    {
        if (offset < 0 || offset + 8 > bytes.length)
        {
            return 0;
        }
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[(int)offset + i] & 0xFF);
        }
        return value;
    }

    static boolean putLong(final byte[] bytes, final long offset, final long value)
    {
        if (offset < 0 || offset + 8 > bytes.length)
        {
            return false;
        }
        for (int i = 0; i < 8; i++)
        {
            bytes[(int)offset + i] = (byte)(value >>> (8 * i));
        }
        return true;
    }

    static int getInt(final byte[] bytes, final long offset)
    {
        if (offset < 0 || offset + 4 > bytes.length)
        {
            return 0;
        }
        int value = 0;
        for (int i = 3; i >= 0; i--)
        {
            value = (value << 8) | (bytes[(int)offset + i] & 0xFF);
        }
        return value;
    }

    static boolean putInt(final byte[] bytes, final long offset, final int value)
    {
        if (offset < 0 || offset + 4 > bytes.length)
        {
            return false;
        }
        for (int i = 0; i < 4; i++)
        {
            bytes[(int)offset + i] = (byte)(value >>> (8 * i));
        }
        return true;
    }

    /**
     * Replace the contents of {@code file} in place (the same inode, so a lock left on it would be seen).
     */
    static void overwrite(final Path file, final byte[] contents) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE))
        {
            channel.truncate(0);
            final ByteBuffer buffer = ByteBuffer.wrap(contents);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, buffer.position());
            }
        }
    }

    static byte[] read(final Path file) throws IOException
    {
        return Files.readAllBytes(file);
    }

    static String sha256(final byte[] bytes)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            final StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++)
            {
                hex.append(String.format("%02x", digest[i]));
            }
            return hex.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return a description of where {@code after} differs from {@code before}: lengths and up to four offsets.
     */
    static String differences(final byte[] before, final byte[] after)
    {
        final StringBuilder text = new StringBuilder();
        if (before.length != after.length)
        {
            text.append("length ").append(before.length).append(" -> ").append(after.length).append("; ");
        }
        int shown = 0;
        int count = 0;
        final int common = Math.min(before.length, after.length);
        for (int i = 0; i < common; i++)
        {
            if (before[i] != after[i])
            {
                count++;
                if (shown < 4)
                {
                    text.append("byte ").append(i).append(": ").append(before[i] & 0xFF).append(" -> ")
                        .append(after[i] & 0xFF).append("; ");
                    shown++;
                }
            }
        }
        return text.append(count).append(" bytes differ").toString();
    }

    /**
     * @return a 64-bit fingerprint of a byte-store value, for the seeds' models of what was written.
     */
    static long fingerprint(final byte[] value)
    {
        return io.slotkv.core.hash.BytesHashing.hash(value, ByteStoreLayout.BYTE_ARRAY_BASE, value.length,
            0x5EED_F1A6_E4B1_7E55L) * 31 + value.length;
    }

    /** @return the bytes as an ISO-8859-1 string: one char per byte, as the byte-store models hold them. */
    static String text(final byte[] bytes)
    {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** @return the bytes of an ISO-8859-1 string. */
    static byte[] bytes(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** @return a short printable form of a byte string for messages: its length and first bytes in hex. */
    static String show(final String text)
    {
        final StringBuilder out = new StringBuilder().append(text.length()).append(":");
        for (int i = 0; i < Math.min(12, text.length()); i++)
        {
            out.append(String.format("%02x", (int)text.charAt(i) & 0xFF));
        }
        return out.append(text.length() > 12 ? ".." : "").toString();
    }

    /** One line, no tabs: for the worker protocol. */
    static String oneLine(final String text)
    {
        return null == text ? "" : text.replace("\\", "\\\\").replace("\t", "    ").replace("\r", "")
            .replace("\n", "\\n");
    }

    static String multiLine(final String line)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if ('\\' == c && i + 1 < line.length())
            {
                final char n = line.charAt(++i);
                text.append('n' == n ? '\n' : n);
            }
            else
            {
                text.append(c);
            }
        }
        return text.toString();
    }
}
