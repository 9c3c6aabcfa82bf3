package io.slotkv.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lettuce, as an application uses it: its handshake (it asks for RESP3 and falls back to RESP2 on NOPROTO), sync and
 * asynchronous (pipelined) commands from several threads on one connection, expiry and SCAN.
 */
class LettuceTest
{
    private static RunningServer running;
    private static RedisClient client;

    @BeforeAll
    static void start() throws Exception
    {
        running = RunningServer.start();
        final RedisURI uri = RedisURI.create("127.0.0.1", running.port());
        uri.setTimeout(Duration.ofSeconds(10));
        client = RedisClient.create(uri);
    }

    @AfterAll
    static void stop()
    {
        client.shutdown();
        running.close();
    }

    @Test
    void syncCommandsAfterTheHandshake()
    {
        try (StatefulRedisConnection<String, String> connection = client.connect())
        {
            final RedisCommands<String, String> redis = connection.sync();
            assertEquals("PONG", redis.ping());
            assertEquals("OK", redis.set("lk", "v", SetArgs.Builder.ex(100)));
            assertEquals("v", redis.get("lk"));
            assertTrue(redis.ttl("lk") > 95);
            assertEquals(5L, redis.incrby("lc", 5));
            assertEquals(3L, (long)redis.exists("lk", "lc", "lk"));
            assertNull(redis.get("absent"));
            assertEquals("OK", redis.clientSetname("lettuce-test"));
            assertEquals("lettuce-test", redis.clientGetname());
            final Set<String> keys = new HashSet<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do
            {
                final KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches("l*").limit(1));
                keys.addAll(page.getKeys());
                cursor = page;
            }
            while (!cursor.isFinished());
            assertEquals(Set.of("lk", "lc"), keys);
        }
    }

    @Test
    void asyncCommandsFromSeveralThreadsArePipelinedOnOneConnection() throws Exception
    {
        try (StatefulRedisConnection<String, String> connection = client.connect())
        {
            final RedisAsyncCommands<String, String> redis = connection.async();
            final int threads = 4;
            final int each = 5_000;
            final List<Thread> workers = new ArrayList<>();
            final List<RedisFuture<Long>> increments = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                final Thread worker = new Thread(() ->
                {
                    for (int i = 0; i < each; i++)
                    {
                        increments.add(redis.incr("shared"));
                        redis.set("t" + id + ":" + i, Integer.toString(i));
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            final Set<Long> values = new HashSet<>();
            for (final RedisFuture<Long> increment : increments)
            {
                values.add(increment.get(10, TimeUnit.SECONDS));
            }
            assertEquals(threads * each, values.size(), "every INCR got its own value");
            assertEquals(Long.toString(threads * each), redis.get("shared").get(10, TimeUnit.SECONDS));
            assertEquals("4999", redis.get("t3:4999").get(10, TimeUnit.SECONDS));
        }
    }
}
