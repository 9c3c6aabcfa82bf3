package io.slotkv.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A socket that sends bytes as they are and reads raw replies: for protocol tests. */
final class RawClient implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(final String host, final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(final String text) throws IOException
    {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawClient send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** @return one reply line, without its CRLF. */
    String line() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true)
        {
            final int c = in.read();
            if (c < 0)
            {
                throw new IOException("closed after: " + line.toString(StandardCharsets.UTF_8));
            }
            if ('\n' == c && '\r' == previous)
            {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(c);
            previous = c;
        }
    }

    /** @return exactly {@code length} bytes. */
    byte[] bytes(final int length) throws IOException
    {
        return in.readNBytes(length);
    }

    /**
     * Read and discard whatever the server still sends, until the end of the stream or the socket's timeout.
     *
     * @return whether the server closed the connection (the stream ended, or was reset, within the timeout).
     */
    boolean closedByServer() throws IOException
    {
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException open)
        {
            return false;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }

    void timeout(final int millis) throws IOException
    {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
