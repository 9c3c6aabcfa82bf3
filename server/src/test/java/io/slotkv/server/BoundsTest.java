package io.slotkv.server;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's memory stays bounded whatever a client sends: a client that pipelines without reading its replies
 * stops being served (its commands wait in the socket) until it reads; and a fuzz of malformed and random frames
 * (huge lengths, NUL bytes, cut frames, slow senders) never stops the server from serving others. Bounded in time.
 */
class BoundsTest
{
    @Test
    void aClientThatDoesNotReadItsRepliesIsNotServedPastTheOutputBound() throws Exception
    {
        try (RunningServer running = RunningServer.start())
        {
            final int valueLength = 256 * 1024;
            try (Jedis jedis = new Jedis("127.0.0.1", running.port()))
            {
                jedis.set("big".getBytes(StandardCharsets.UTF_8), new byte[valueLength]);
            }
            final int commands = 2_000; // 500 MB of replies if all were produced
            final byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < commands; i++)
            {
                all.write(get);
            }
            final long before = running.server.commandsProcessed();
            try (RawClient client = new RawClient("127.0.0.1", running.port()))
            {
                final Thread sender = new Thread(() ->
                {
                    try
                    {
                        client.send(all.toByteArray());
                    }
                    catch (final IOException closed)
                    {
                        // the test's end closes the socket under a blocked send
                    }
                });
                sender.setDaemon(true);
                sender.start();
                // wait until the server stops reading this client: its unsent replies passed the high water mark
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (0 == running.server.pausedConnections.get() && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertEquals(1, running.server.pausedConnections.get(), "the connection was paused");
                final long served = running.server.commandsProcessed() - before;
                assertTrue(served < commands / 4, "served " + served + " of " + commands + " without a read");
                // now read everything: every reply arrives, whole and in order
                for (int i = 0; i < commands; i++)
                {
                    assertEquals("$" + valueLength, client.line(), "reply " + i);
                    assertEquals(valueLength + 2, client.bytes(valueLength + 2).length);
                }
                assertEquals(commands, running.server.commandsProcessed() - before);
                assertEquals(0, running.server.pausedConnections.get(), "reading again once the replies drained");
            }
        }
    }

    @Test
    void fuzzedFramesNeverStopTheServerFromServingOthers() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(Long.getLong("slotkv.fuzz.seed", 20261204L));
        final int rounds = Integer.getInteger("slotkv.fuzz.rounds", 300);
        final String[] pieces = {"*", "$", "\r\n", "\r", "\n", "-1", "0", "1", "3", "99999999999", "-99", "GET",
            "SET", "PING", "k", "\0", "\"", "'", "\\x4", " ", "*3000000000", "$536870913", "*1048577", "ECHO",
            "INCR", "SCAN", "CLIENT", "SETNAME", "HELLO", "AUTH", "MSET", "SETRANGE", "100000000", "GETRANGE"};
        int closed = 0;
        try (RunningServer running = RunningServer.start(ServerSettings.defaults().withLimits(100, 0, 64L << 20));
            Jedis witness = new Jedis("127.0.0.1", running.port()))
        {
            for (int round = 0; round < rounds; round++)
            {
                final StringBuilder frame = new StringBuilder();
                final int parts = 1 + random.nextInt(30);
                for (int i = 0; i < parts; i++)
                {
                    if (random.nextInt(8) == 0)
                    {
                        final char[] noise = new char[random.nextInt(20)];
                        for (int j = 0; j < noise.length; j++)
                        {
                            noise[j] = (char)random.nextInt(256);
                        }
                        frame.append(noise);
                    }
                    else
                    {
                        frame.append(pieces[random.nextInt(pieces.length)]);
                    }
                }
                final byte[] bytes = frame.toString().getBytes(StandardCharsets.ISO_8859_1);
                try (RawClient client = new RawClient("127.0.0.1", running.port()))
                {
                    client.timeout(50);
                    if (random.nextBoolean())
                    {
                        client.send(bytes);
                    }
                    else
                    {
                        for (int i = 0; i < bytes.length; i += 1 + random.nextInt(4)) // a slow sender
                        {
                            client.send(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length,
                                i + 1 + random.nextInt(4))));
                        }
                    }
                    if (client.closedByServer())
                    {
                        closed++;
                    }
                }
                catch (final IOException reset)
                {
                    closed++;
                }
                assertEquals("PONG", witness.ping(), "round " + round + ": " + frame);
            }
            System.out.println("protocol fuzz: " + rounds + " rounds, " + closed + " connections closed by the server");
            assertTrue(closed > 0, "some frames were protocol errors");
            assertTrue(running.server.store().offHeapBytes() <= 64L << 20, "within maxmemory");
        }
    }
}
