package io.slotkv.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server jar as a process: started without flags but a port and a directory, killed with SIGKILL under writes
 * (every acknowledged write is there after the restart, which recovers the store and logs it), stopped with SIGTERM
 * and with SHUTDOWN (the store closed cleanly: the next start needs no recovery).
 */
class ServerProcessIT
{
    private static final Path JAR = Path.of(System.getProperty("slotkv.server.jar", "target/slotkv-server.jar"));
    private static final Pattern READY = Pattern.compile("ready to accept connections on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path directory;

    /** A server process and the lines it prints. */
    private record Server(Process process, int port, List<String> startup, BlockingQueue<String> log)
    {
        String await(final String fragment) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final List<String> seen = new ArrayList<>();
            while (System.nanoTime() < deadline)
            {
                final String line = log.poll(1, TimeUnit.SECONDS);
                if (null != line && line.contains(fragment))
                {
                    return line;
                }
                if (null != line)
                {
                    seen.add(line);
                }
            }
            throw new AssertionError("the server never printed '" + fragment + "': " + seen);
        }
    }

    private Server start() throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
            "java").toString(), "-jar", JAR.toString(), "--port", "0", "--dir", directory.toString()));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                for (String line = lines.readLine(); null != line; line = lines.readLine())
                {
                    log.add(line);
                }
            }
            catch (final IOException ended)
            {
                // the process is gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final List<String> before = new ArrayList<>();
        while (System.nanoTime() < deadline)
        {
            final String line = log.poll(1, TimeUnit.SECONDS);
            if (null == line)
            {
                assertTrue(process.isAlive(), "the server exited: " + before);
                continue;
            }
            before.add(line);
            final Matcher ready = READY.matcher(line);
            if (ready.find())
            {
                return new Server(process, Integer.parseInt(ready.group(1)), before, log);
            }
        }
        throw new AssertionError("the server did not start: " + before);
    }

    @Test
    void everyAcknowledgedWriteSurvivesAKillAndTheRestartRecovers() throws Exception
    {
        for (int kill = 0; kill < 3; kill++)
        {
            final Server server = start();
            final String prefix = "kill" + kill + ":";
            int acknowledged = 0;
            try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
            {
                final long killAt = 2_000 + kill * 1_500L;
                for (int i = 0; ; i++)
                {
                    if (i == killAt)
                    {
                        server.process().toHandle().destroyForcibly(); // SIGKILL, with more writes in flight
                    }
                    try
                    {
                        jedis.set(prefix + i, "value-" + i);
                        jedis.incr("counter");
                        acknowledged = i + 1;
                    }
                    catch (final RuntimeException gone)
                    {
                        break;
                    }
                }
            }
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, server.process().exitValue());
            final Server restarted = start();
            assertTrue(String.join("\n", restarted.startup()).contains("was not closed cleanly"),
                "the restart recovered the store and said so: " + restarted.startup());
            try (Jedis jedis = new Jedis("127.0.0.1", restarted.port()))
            {
                for (int i = 0; i < acknowledged; i++)
                {
                    assertEquals("value-" + i, jedis.get(prefix + i), "acknowledged " + prefix + i);
                }
                final long counter = Long.parseLong(jedis.get("counter"));
                assertTrue(counter >= acknowledged, "counter " + counter + " after " + acknowledged);
                jedis.shutdown();
            }
            catch (final RuntimeException closedByShutdown)
            {
                // SHUTDOWN closes the connection without a reply
            }
            assertTrue(restarted.process().waitFor(60, TimeUnit.SECONDS), "SHUTDOWN ends the process");
            assertEquals(0, restarted.process().exitValue());
        }
        final Server clean = start();
        assertNotNull(clean.process());
        clean.process().toHandle().destroy(); // SIGTERM; Process.destroy would close our end of its output
        assertTrue(clean.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, clean.process().exitValue(), "SIGTERM: " + clean.log());
        clean.await("store closed cleanly");
        final Server again = start();
        try (Jedis jedis = new Jedis("127.0.0.1", again.port()))
        {
            assertTrue(jedis.dbSize() > 3 * 2_000, "the keys of every round");
        }
        again.process().toHandle().destroy();
        assertTrue(again.process().waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.isRegularFile(directory.resolve(ServerSettings.STORE_FILE)));
    }
}
