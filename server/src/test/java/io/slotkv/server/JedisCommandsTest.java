package io.slotkv.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command of the server through Jedis, a real Redis client, with the replies and error texts Redis 7 gives
 * (checked beside redis-server 7 by server/scripts/redis-cli-compare.sh).
 */
class JedisCommandsTest
{
    private static RunningServer running;
    private Jedis jedis;

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

    @BeforeEach
    void connect()
    {
        jedis = new Jedis("127.0.0.1", running.port());
        jedis.flushAll();
    }

    @org.junit.jupiter.api.AfterEach
    void disconnect()
    {
        jedis.close();
    }

    private static void assertError(final String expected, final Executable command)
    {
        final JedisDataException error = assertThrows(JedisDataException.class, command);
        assertEquals(expected, error.getMessage());
    }

    private Object raw(final String... args)
    {
        final String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        return jedis.sendCommand(() -> args[0].getBytes(StandardCharsets.US_ASCII), rest);
    }

    @Test
    void connectionCommands()
    {
        assertEquals("PONG", jedis.ping());
        assertEquals("hi", jedis.ping("hi"));
        assertEquals("hello", jedis.echo("hello"));
        assertEquals("OK", jedis.select(0));
        assertError("ERR DB index is out of range", () -> jedis.select(1));
        assertTrue(jedis.clientId() > 0);
        assertNull(jedis.clientGetname());
        assertEquals("OK", jedis.clientSetname("worker-1"));
        assertEquals("worker-1", jedis.clientGetname());
        assertTrue(jedis.clientList().contains("name=worker-1"), jedis.clientList());
        assertError("ERR Client names cannot contain spaces, newlines or special characters.",
            () -> jedis.clientSetname("a b"));
        assertError("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.", () -> raw("CLIENT", "NOPE"));
        assertError("ERR AUTH <password> called without any password configured for the default user. Are you " +
            "sure your configuration is correct?", () -> jedis.auth("secret"));
        assertError("NOPROTO unsupported protocol version", () -> raw("HELLO", "3"));
        final List<?> hello = (List<?>)raw("HELLO", "2");
        assertEquals("proto", new String((byte[])hello.get(4), StandardCharsets.UTF_8));
        assertEquals(2L, hello.get(5));
        assertError("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ", () -> raw("NOSUCH", "a", "b"));
        assertError("ERR wrong number of arguments for 'get' command", () -> raw("GET"));
        assertArrayEquals("OK".getBytes(StandardCharsets.UTF_8), (byte[])raw("QUIT"));
    }

    @Test
    void setWithEveryOption()
    {
        assertEquals("OK", jedis.set("k", "v"));
        assertNull(jedis.set("k", "w", SetParams.setParams().nx()));
        assertEquals("OK", jedis.set("k", "w", SetParams.setParams().xx()));
        assertNull(jedis.set("absent", "w", SetParams.setParams().xx()));
        assertEquals("w", jedis.setGet("k", "x"));
        assertEquals("x", jedis.get("k"));
        assertEquals("OK", jedis.set("k", "y", SetParams.setParams().ex(100)));
        assertTrue(jedis.ttl("k") > 95 && jedis.ttl("k") <= 100, "ttl " + jedis.ttl("k"));
        assertEquals("OK", jedis.set("k", "z", SetParams.setParams().keepTtl()));
        assertTrue(jedis.ttl("k") > 95, "KEEPTTL kept it: " + jedis.ttl("k"));
        assertEquals("OK", jedis.set("k", "z"));
        assertEquals(-1, jedis.ttl("k"), "a plain SET clears the TTL");
        assertEquals("OK", jedis.set("k", "p", SetParams.setParams().px(100_000)));
        assertTrue(jedis.pttl("k") > 99_000);
        final long at = System.currentTimeMillis() / 1000 + 1000;
        assertEquals("OK", jedis.set("k", "q", SetParams.setParams().exAt(at)));
        assertEquals(at, jedis.expireTime("k"));
        assertEquals("OK", jedis.set("k", "r", SetParams.setParams().pxAt(at * 1000 + 5)));
        assertEquals(at * 1000 + 5, jedis.pexpireTime("k"));
        assertEquals("OK", jedis.set("gone", "v", SetParams.setParams().pxAt(1)));
        assertNull(jedis.get("gone"), "a deadline in the past");
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "NX", "XX"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX", "10", "PX", "10"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX"));
        assertError("ERR invalid expire time in 'set' command", () -> raw("SET", "k", "v", "EX", "0"));
        assertError("ERR invalid expire time in 'set' command", () -> raw("SET", "k", "v", "PX", "-1"));
        assertError("ERR value is not an integer or out of range", () -> raw("SET", "k", "v", "EX", "1.5"));
        assertEquals("r", jedis.get("k"), "refused SETs changed nothing");
        assertNull(jedis.setGet("new", "v", SetParams.setParams().nx()));
        assertEquals("v", jedis.setGet("new", "w", SetParams.setParams().nx()), "NX GET: the old value, unchanged");
        assertEquals("v", jedis.get("new"));
    }

    @Test
    void stringCommands()
    {
        assertEquals(1, jedis.setnx("a", "1"));
        assertEquals(0, jedis.setnx("a", "2"));
        assertEquals("OK", jedis.setex("s", 100, "v"));
        assertTrue(jedis.ttl("s") > 95);
        assertEquals("OK", jedis.psetex("p", 100_000, "v"));
        assertError("ERR invalid expire time in 'setex' command", () -> jedis.setex("s", 0, "v"));
        assertError("ERR invalid expire time in 'psetex' command", () -> jedis.psetex("p", -5, "v"));
        assertEquals("1", jedis.getSet("a", "10"));
        assertEquals("10", jedis.getDel("a"));
        assertNull(jedis.getDel("a"));
        assertEquals("OK", jedis.mset("m1", "x", "m2", "y"));
        assertEquals(List.of("x", "y"), jedis.mget("m1", "m2"));
        final List<String> withAbsent = jedis.mget("m1", "none");
        assertEquals("x", withAbsent.get(0));
        assertNull(withAbsent.get(1));
        assertError("ERR wrong number of arguments for 'mset' command", () -> raw("MSET", "a", "1", "b"));
        assertEquals(0, jedis.msetnx("m1", "z", "m3", "z"));
        assertNull(jedis.get("m3"), "MSETNX set nothing");
        assertEquals(1, jedis.msetnx("m3", "z", "m4", "z"));
        assertEquals(3, jedis.append("ap", "abc"));
        assertEquals(6, jedis.append("ap", "def"));
        assertEquals(6, jedis.strlen("ap"));
        assertEquals(0, jedis.strlen("none"));
        assertEquals("bcd", jedis.getrange("ap", 1, 3));
        assertEquals("def", jedis.getrange("ap", -3, -1));
        assertEquals("abcdef", jedis.getrange("ap", 0, 100));
        assertEquals("", jedis.getrange("ap", 5, 2));
        assertEquals("", jedis.getrange("none", 0, -1));
        assertEquals(8, jedis.setrange("ap", 6, "gh"));
        assertEquals(11, jedis.setrange("sr", 6, "hello"));
        assertArrayEquals("\0\0\0\0\0\0hello".getBytes(StandardCharsets.UTF_8), jedis.get("sr".getBytes()));
        assertEquals(0, jedis.setrange("none2", 0, ""));
        assertFalse(jedis.exists("none2"), "an empty SETRANGE of an absent key makes none");
        assertError("ERR offset is out of range", () -> jedis.setrange("ap", -1, "x"));
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            () -> jedis.setrange("ap", 536_870_911, "xy"));
        assertEquals("v", jedis.getEx("s", GetExParams.getExParams().persist()));
        assertEquals(-1, jedis.ttl("s"));
        assertEquals("v", jedis.getEx("s", GetExParams.getExParams().ex(50)));
        assertTrue(jedis.ttl("s") > 45);
        assertEquals("v", jedis.getEx("s", GetExParams.getExParams().pxAt(System.currentTimeMillis() + 90_000)));
        assertTrue(jedis.pttl("s") > 80_000);
        assertNull(jedis.getEx("none", GetExParams.getExParams().ex(5)));
        assertError("ERR syntax error", () -> raw("GETEX", "s", "FOO"));
        assertError("ERR invalid expire time in 'getex' command", () -> raw("GETEX", "s", "EX", "0"));
    }

    @Test
    void counters()
    {
        assertEquals(1, jedis.incr("c"));
        assertEquals(11, jedis.incrBy("c", 10));
        assertEquals(10, jedis.decr("c"));
        assertEquals(-90, jedis.decrBy("c", 100));
        jedis.set("c", "9223372036854775807");
        assertError("ERR increment or decrement would overflow", () -> jedis.incr("c"));
        assertError("ERR decrement would overflow", () -> raw("DECRBY", "c", "-9223372036854775808"));
        jedis.set("c", "abc");
        assertError("ERR value is not an integer or out of range", () -> jedis.incr("c"));
        assertError("ERR value is not an integer or out of range", () -> raw("INCRBY", "c", "1x"));
        jedis.set("c", " 1");
        assertError("ERR value is not an integer or out of range", () -> jedis.incr("c"));
        jedis.set("f", "10.50");
        assertEquals(10.6, jedis.incrByFloat("f", 0.1), 0);
        assertEquals("10.6", jedis.get("f"));
        jedis.set("f", "5.0e3");
        assertEquals("5200", new String((byte[])raw("INCRBYFLOAT", "f", "2.0e2"), StandardCharsets.UTF_8));
        assertError("ERR value is not a valid float", () -> raw("INCRBYFLOAT", "f", "abc"));
        assertError("ERR increment would produce NaN or Infinity", () -> raw("INCRBYFLOAT", "f", "inf"));
        jedis.set("c", "1", SetParams.setParams().ex(100));
        jedis.incr("c");
        assertTrue(jedis.ttl("c") > 95, "INCR keeps the TTL");
    }

    @Test
    void keyspaceCommands()
    {
        jedis.mset("a", "1", "b", "2", "c", "3");
        assertEquals(3, jedis.dbSize());
        assertEquals(3, jedis.exists("a", "b", "c", "none"));
        assertEquals(2, jedis.exists("a", "a"));
        assertEquals("string", jedis.type("a"));
        assertEquals("none", jedis.type("none"));
        assertEquals(Set.of("a", "b", "c"), jedis.keys("*"));
        assertEquals(Set.of("a"), jedis.keys("[a]"));
        assertTrue(Set.of("a", "b", "c").contains(jedis.randomKey()));
        assertEquals("OK", jedis.rename("a", "a2"));
        assertNull(jedis.get("a"));
        assertEquals("1", jedis.get("a2"));
        assertError("ERR no such key", () -> jedis.rename("none", "x"));
        assertEquals(0, jedis.renamenx("a2", "b"));
        assertEquals(1, jedis.renamenx("a2", "a3"));
        jedis.expire("a3", 100);
        jedis.rename("a3", "a4");
        assertTrue(jedis.ttl("a4") > 95, "RENAME moves the TTL");
        assertEquals(2, jedis.del("a4", "b", "none"));
        assertEquals(1, jedis.unlink("c"));
        assertEquals(0, jedis.dbSize());
        assertNull(jedis.randomKey());
        jedis.set("x", "1");
        assertEquals("OK", jedis.flushDB());
        assertEquals(0, jedis.dbSize());
        assertError("ERR syntax error", () -> raw("FLUSHALL", "NOW"));
    }

    @Test
    void scanVisitsEveryKeyOnceWithMatchAndCount()
    {
        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 3_000; i++)
        {
            jedis.set("key:" + i, "v");
            expected.add("key:" + i);
        }
        jedis.set("other", "v");
        final List<String> seen = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int calls = 0;
        do
        {
            final ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("key:*").count(100));
            seen.addAll(page.getResult());
            cursor = page.getCursor();
            calls++;
        }
        while (!"0".equals(cursor));
        assertEquals(expected.size(), seen.size(), "each key once");
        assertEquals(expected, new HashSet<>(seen));
        assertTrue(calls > 10, "paged: " + calls);
        assertError("ERR invalid cursor", () -> raw("SCAN", "abc"));
        assertError("ERR invalid cursor", () -> raw("SCAN", "999999999999999"));
        assertError("ERR syntax error", () -> raw("SCAN", "0", "COUNT", "0"));
        final List<?> none = (List<?>)raw("SCAN", "0", "TYPE", "hash", "COUNT", "10000");
        assertEquals(0, ((List<?>)none.get(1)).size());
    }

    @Test
    void expiryCommands()
    {
        jedis.set("k", "v");
        assertEquals(-1, jedis.ttl("k"));
        assertEquals(-2, jedis.ttl("none"));
        assertEquals(-1, jedis.expireTime("k"));
        assertEquals(-2, jedis.pexpireTime("none"));
        assertEquals(1, jedis.expire("k", 100));
        assertEquals(0, jedis.expire("k", 200, ExpiryOption.NX));
        assertEquals(1, jedis.expire("k", 200, ExpiryOption.XX));
        assertEquals(0, jedis.expire("k", 50, ExpiryOption.GT));
        assertEquals(1, jedis.expire("k", 50, ExpiryOption.LT));
        assertTrue(jedis.ttl("k") <= 50);
        assertEquals(1, jedis.pexpire("k", 80_000));
        assertTrue(jedis.pttl("k") > 70_000);
        final long at = System.currentTimeMillis() / 1000 + 500;
        assertEquals(1, jedis.expireAt("k", at));
        assertEquals(at, jedis.expireTime("k"));
        assertEquals(1, jedis.pexpireAt("k", at * 1000 + 1));
        assertEquals(at * 1000 + 1, jedis.pexpireTime("k"));
        assertEquals(1, jedis.persist("k"));
        assertEquals(0, jedis.persist("k"));
        assertEquals(0, jedis.expire("none", 10));
        assertError("ERR NX and XX, GT or LT options at the same time are not compatible",
            () -> raw("EXPIRE", "k", "10", "NX", "XX"));
        assertError("ERR GT and LT options at the same time are not compatible",
            () -> raw("EXPIRE", "k", "10", "GT", "LT"));
        assertError("ERR Unsupported option FOO", () -> raw("EXPIRE", "k", "10", "FOO"));
        assertError("ERR invalid expire time in 'expire' command",
            () -> raw("EXPIRE", "k", "9223372036854775807"));
        assertEquals(1, jedis.expire("k", -1), "a TTL not in the future deletes the key");
        assertFalse(jedis.exists("k"));
        jedis.set("short", "v", SetParams.setParams().px(30));
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (jedis.exists("short") && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertFalse(jedis.exists("short"), "expired");
        assertNull(jedis.get("short"));
    }

    @Test
    void serverCommands()
    {
        jedis.set("k", "v");
        final String info = jedis.info();
        for (final String section : List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
            "# Keyspace"))
        {
            assertTrue(info.contains(section), section);
        }
        assertTrue(info.contains("redis_version:7.2.0\r\n"), info);
        assertTrue(info.contains("db0:keys=1\r\n"), info);
        assertTrue(jedis.info("memory").startsWith("# Memory\r\nused_memory:"), jedis.info("memory"));
        assertEquals(java.util.Map.of("maxmemory", "0"), jedis.configGet("maxmemory"));
        assertEquals(java.util.Map.of("save", "", "appendonly", "no"), jedis.configGet("save", "appendonly"));
        assertEquals("10000", jedis.configGet("max*").get("maxclients"));
        assertError("ERR Unknown option or number of arguments for CONFIG SET - 'maxmemory' (settings are given " +
            "on the command line at start)", () -> jedis.configSet("maxmemory", "1"));
        final long commands = (Long)raw("COMMAND", "COUNT");
        assertEquals(57, commands, "every command of docs/server.md");
        final List<?> get = (List<?>)((List<?>)raw("COMMAND", "INFO", "get")).get(0);
        assertEquals("get", new String((byte[])get.get(0), StandardCharsets.UTF_8));
        assertEquals(2L, get.get(1));
        assertEquals(10, get.size());
        final List<String> time = jedis.time();
        assertTrue(Math.abs(Long.parseLong(time.get(0)) - System.currentTimeMillis() / 1000) < 5);
        final long before = jedis.lastsave();
        assertEquals("OK", jedis.save());
        assertTrue(jedis.lastsave() >= before);
        assertTrue(running.directory.resolve(ServerSettings.BACKUP_FILE).toFile().isFile(), "the backup");
        assertEquals("Background saving started", jedis.bgsave());
    }

    @Test
    void pipelinedCommandsAnswerInOrder()
    {
        final Pipeline pipeline = jedis.pipelined();
        final List<Response<Long>> counts = new ArrayList<>();
        for (int i = 0; i < 10_000; i++)
        {
            pipeline.set("p" + (i % 100), Integer.toString(i));
            counts.add(pipeline.incr("counter"));
        }
        final Response<String> last = pipeline.get("p99");
        pipeline.sync();
        for (int i = 0; i < counts.size(); i++)
        {
            assertEquals(i + 1, counts.get(i).get());
        }
        assertEquals("9999", last.get());
    }

    @Test
    void binarySafeKeysAndValues()
    {
        final byte[] key = {0, 1, '\r', '\n', (byte)0xFF};
        final byte[] value = new byte[100_000];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)i;
        }
        assertEquals("OK", jedis.set(key, value));
        assertArrayEquals(value, jedis.get(key));
        assertEquals("OK", jedis.set("", ""));
        assertEquals("", jedis.get(""));
        assertEquals("OK", jedis.set("ключ", "значение ✓"));
        assertEquals("значение ✓", jedis.get("ключ"));
        assertError("ERR value too long: length=67108865, maxValueLength=67108864", () -> raw("SET", "big",
            "x".repeat((64 << 20) + 1)));
        assertFalse(jedis.exists("big"));
    }
}
