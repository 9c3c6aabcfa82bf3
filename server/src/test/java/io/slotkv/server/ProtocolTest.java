package io.slotkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire protocol as Redis 7 speaks it: inline commands and their quoting, every protocol error with its exact
 * text and the connection closed after it, the limits before and after authentication, and commands split across
 * reads at every byte.
 */
class ProtocolTest
{
    private static RunningServer running;

    @BeforeAll
    static void start() throws Exception
    {
        running = RunningServer.start();
    }

    @AfterAll
    static void stop()
    {
        running.close();
    }

    private static RawClient client() throws IOException
    {
        return new RawClient("127.0.0.1", running.port());
    }

    private static void assertProtocolError(final String input, final String reply) throws IOException
    {
        try (RawClient client = client())
        {
            client.send(input);
            assertEquals("-ERR Protocol error: " + reply, client.line(), input);
            assertTrue(client.closedByServer(), "closed after the reply: " + input);
        }
    }

    @Test
    void protocolErrorsAreRedisTextsAndCloseTheConnection() throws IOException
    {
        assertProtocolError("*x\r\n", "invalid multibulk length");
        assertProtocolError("*-1x\r\n", "invalid multibulk length");
        assertProtocolError("*3000000000\r\n", "invalid multibulk length");
        assertProtocolError("*2\r\n$3\r\nGET\r\n:1\r\n", "expected '$', got ':'");
        assertProtocolError("*1\r\n$-1\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$abc\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$99999999999999999999\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$" + ((512L << 20) + 1) + "\r\n", "invalid bulk length");
        assertProtocolError("SET k \"unclosed\r\n", "unbalanced quotes in request");
        assertProtocolError("SET k \"a\"b\r\n", "unbalanced quotes in request");
        assertProtocolError("*" + "1".repeat(70_000), "too big mbulk count string");
        assertProtocolError("*1\r\n$" + "1".repeat(70_000), "too big bulk count string");
        assertProtocolError("x".repeat(70_000), "too big inline request");
    }

    @Test
    void inlineCommandsWithRedisQuoting() throws IOException
    {
        try (RawClient client = client())
        {
            client.send("PING\r\n");
            assertEquals("+PONG", client.line());
            client.send("SET q \"a b\\x41\\n\" \r\nGET q\r\n");
            assertEquals("+OK", client.line());
            assertEquals("$5", client.line());
            assertEquals("a bA\n", client.line());
            client.send("SET s 'it\\'s'\nGET s\n");
            assertEquals("+OK", client.line());
            assertEquals("$4", client.line());
            assertEquals("it's", client.line());
            client.send("\r\n   \r\n*0\r\n*-1\r\nPING\r\n"); // empty commands: no reply
            assertEquals("+PONG", client.line());
        }
    }

    @Test
    void aCommandSplitAtEveryByteIsOneCommand() throws IOException
    {
        final byte[] command = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$10\r\n0123456789\r\n*2\r\n$3\r\nGET\r\n$5\r\nsplit\r\n"
            .getBytes(StandardCharsets.US_ASCII);
        try (RawClient client = client())
        {
            for (final byte b : command)
            {
                client.send(new byte[] {b});
            }
            assertEquals("+OK", client.line());
            assertEquals("$10", client.line());
            assertEquals("0123456789", client.line());
        }
    }

    /**
     * A multibulk of more arguments than the parser first makes room for (1024), arriving in pieces that end
     * anywhere: one command with every argument in order.
     */
    @Test
    void aCommandOfThousandsOfArgumentsInPiecesIsOneCommand() throws IOException
    {
        final int pairs = 1_500;
        final StringBuilder command = new StringBuilder("*" + (1 + 2 * pairs) + "\r\n$4\r\nMSET\r\n");
        final StringBuilder get = new StringBuilder("*" + (1 + pairs) + "\r\n$4\r\nMGET\r\n");
        for (int i = 0; i < pairs; i++)
        {
            final String key = "many:" + i;
            final String value = "v" + i;
            command.append('$').append(key.length()).append("\r\n").append(key).append("\r\n")
                .append('$').append(value.length()).append("\r\n").append(value).append("\r\n");
            get.append('$').append(key.length()).append("\r\n").append(key).append("\r\n");
        }
        final byte[] bytes = (command.toString() + get).getBytes(StandardCharsets.US_ASCII);
        try (RawClient client = client())
        {
            for (int at = 0; at < bytes.length; at += 997)
            {
                client.send(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 997)));
            }
            assertEquals("+OK", client.line());
            assertEquals("*" + pairs, client.line());
            for (int i = 0; i < pairs; i++)
            {
                final String value = "v" + i;
                assertEquals("$" + value.length(), client.line());
                assertEquals(value, client.line());
            }
        }
    }

    @Test
    void aBulkMayHoldAnyBytesAndNulsEverywhere() throws IOException
    {
        try (RawClient client = client())
        {
            client.send("*3\r\n$3\r\nSET\r\n$2\r\n\0\0\r\n$4\r\n\r\n\0\n\r\n*2\r\n$3\r\nGET\r\n$2\r\n\0\0\r\n");
            assertEquals("+OK", client.line());
            assertEquals("$4", client.line());
            final byte[] value = client.bytes(6);
            assertEquals("\r\n\0\n\r\n", new String(value, StandardCharsets.ISO_8859_1));
            client.send("GET \0\r\n"); // inline, a NUL key: absent
            assertEquals("$-1", client.line());
        }
    }

    @Test
    void passwordLimitsAndAuthentication() throws IOException
    {
        try (RunningServer secured = RunningServer.start(ServerSettings.defaults().withPassword("s3cret")))
        {
            try (RawClient client = new RawClient("127.0.0.1", secured.port()))
            {
                client.send("GET k\r\n");
                assertEquals("-NOAUTH Authentication required.", client.line());
                client.send("NOSUCH\r\n");
                assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: ", client.line());
                client.send("AUTH wrong\r\n");
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", client.line());
                client.send("AUTH bob s3cret\r\n");
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", client.line());
                client.send("HELLO 2\r\n");
                assertTrue(client.line().startsWith("-NOAUTH HELLO must be called with the client already " +
                    "authenticated"));
                client.send("AUTH s3cret\r\nGET k\r\n");
                assertEquals("+OK", client.line());
                assertEquals("$-1", client.line());
            }
            try (RawClient client = new RawClient("127.0.0.1", secured.port()))
            {
                client.send("*11\r\n");
                assertEquals("-ERR Protocol error: unauthenticated multibulk length", client.line());
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient("127.0.0.1", secured.port()))
            {
                client.send("*2\r\n$3\r\nGET\r\n$16385\r\n");
                assertEquals("-ERR Protocol error: unauthenticated bulk length", client.line());
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient("127.0.0.1", secured.port()))
            {
                client.send("HELLO 2 AUTH default s3cret SETNAME app\r\n");
                assertEquals("*14", client.line());
                client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n" + "v".repeat(20_000) + "\r\n");
                for (int i = 0; i < 25; i++)
                {
                    client.line(); // the rest of HELLO's reply
                }
                assertEquals("+OK", client.line(), "large commands once authenticated");
            }
            try (Jedis jedis = new Jedis("127.0.0.1", secured.port()))
            {
                assertThrows(JedisDataException.class, jedis::ping);
                jedis.auth("s3cret");
                assertEquals("PONG", jedis.ping());
            }
        }
    }

    @Test
    void protectedModeRefusesClientsOffLoopbackWithoutAPassword() throws IOException
    {
        final String address = java.net.NetworkInterface.networkInterfaces()
            .flatMap(java.net.NetworkInterface::inetAddresses)
            .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
            .map(java.net.InetAddress::getHostAddress).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(null != address, "this machine has a non-loopback address");
        final ServerSettings everywhere = new ServerSettings("0.0.0.0", 0, null, null, true, 100, 0, 512L << 20,
            1 << 20, 1L << 30, 0, 1 << 20, 1 << 20, 1);
        try (RunningServer open = RunningServer.start(everywhere))
        {
            try (RawClient client = new RawClient(address, open.port()))
            {
                assertTrue(client.line().startsWith("-DENIED Redis is running in protected mode"));
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient("127.0.0.1", open.port()))
            {
                client.send("PING\r\n");
                assertEquals("+PONG", client.line(), "loopback is served");
            }
        }
        final ServerSettings withPassword = everywhere.withPassword("pw");
        try (RunningServer open = RunningServer.start(withPassword); RawClient client = new RawClient(address,
            open.port()))
        {
            client.send("AUTH pw\r\nPING\r\n");
            assertEquals("+OK", client.line());
            assertEquals("+PONG", client.line(), "a password lifts protected mode");
        }
    }

    @Test
    void clientsBeyondMaxClientsAreRefused() throws IOException
    {
        final ServerSettings two = ServerSettings.defaults().withLimits(2, 0, 0);
        try (RunningServer small = RunningServer.start(two);
            RawClient first = new RawClient("127.0.0.1", small.port());
            RawClient second = new RawClient("127.0.0.1", small.port()))
        {
            first.send("PING\r\n");
            second.send("PING\r\n");
            assertEquals("+PONG", first.line());
            assertEquals("+PONG", second.line());
            try (RawClient third = new RawClient("127.0.0.1", small.port()))
            {
                assertEquals("-ERR max number of clients reached", third.line());
                assertTrue(third.closedByServer());
            }
        }
    }

    @Test
    void idleClientsAreClosedAfterTheTimeout() throws IOException
    {
        try (RunningServer idle = RunningServer.start(ServerSettings.defaults().withLimits(100, 1, 0));
            RawClient client = new RawClient("127.0.0.1", idle.port()))
        {
            client.send("PING\r\n");
            assertEquals("+PONG", client.line());
            client.timeout(5_000);
            assertTrue(client.closedByServer(), "closed after a second idle");
        }
    }

    @Test
    void aPortInUseFailsTheStartNamingItAndLeavesTheStoreClosedCleanly() throws IOException
    {
        final java.nio.file.Path directory = java.nio.file.Files.createTempDirectory("slotkv-bind-test");
        final ServerSettings taken = ServerSettings.defaults().withPort(running.port()).withDirectory(directory);
        final IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
            () -> RespServer.start(taken));
        assertTrue(refused.getMessage().startsWith("cannot listen on 127.0.0.1:" + running.port() + ": "),
            refused.getMessage());
        // the store the failed start opened was closed: not locked, and clean
        try (io.slotkv.map.OffHeapByteStore store = io.slotkv.map.OffHeapByteStore.builder()
            .file(directory.resolve(ServerSettings.STORE_FILE)).build())
        {
            assertTrue(store.recoveryReport().isEmpty(), "closed cleanly by the failed start");
        }
    }

    @Test
    void quitRepliesThenCloses() throws IOException
    {
        try (RawClient client = client())
        {
            client.send("QUIT\r\nPING\r\n");
            assertEquals("+OK", client.line());
            assertTrue(client.closedByServer());
        }
        try (Jedis jedis = new Jedis("127.0.0.1", running.port()))
        {
            assertFalse(jedis.ping().isEmpty(), "the server goes on");
        }
    }
}
