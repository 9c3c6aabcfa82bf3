package io.slotkv.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A server for a test class: in this JVM, on a free port, with its data in a fresh directory. */
final class RunningServer implements AutoCloseable
{
    final Path directory;
    final RespServer server;

    private RunningServer(final Path directory, final RespServer server)
    {
        this.directory = directory;
        this.server = server;
    }

    static RunningServer start() throws IOException
    {
        return start(ServerSettings.defaults());
    }

    static RunningServer start(final ServerSettings settings) throws IOException
    {
        final Path directory = Files.createTempDirectory("slotkv-server-test");
        return new RunningServer(directory, RespServer.start(settings.withPort(0).withDirectory(directory)));
    }

    int port()
    {
        return server.address().getPort();
    }

    @Override
    public void close()
    {
        server.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
