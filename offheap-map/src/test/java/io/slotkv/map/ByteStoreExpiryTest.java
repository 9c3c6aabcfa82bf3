package io.slotkv.map;

import io.slotkv.core.memory.OpenMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry of the byte store against a model with the same clock ({@link ManualClock}: no test waits for wall time),
 * and its semantics one by one: an expired key is absent to every operation at once, which writes keep or clear a
 * deadline (as Redis), deadlines across a clean reopen and a crash, reclamation by the sweep and by a table
 * replacement.
 */
class ByteStoreExpiryTest
{
    @TempDir
    Path dir;

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anExpiredKeyIsAbsentToEveryOperationAtOnce()
    {
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().clock(clock).expirySweeper(false).build())
        {
            final byte[] key = bytes("session");
            assertFalse(store.put(key, bytes("v1"), 100));
            clock.advance(99);
            assertArrayEquals(bytes("v1"), store.get(key));
            assertEquals(1, store.pttl(key));
            assertEquals(0, store.ttl(key));
            clock.advance(1); // the deadline itself: no value from it on
            assertNull(store.get(key));
            assertEquals(OffHeapByteStore.ABSENT, store.get(new UnsafeBuffer(key), 0, key.length,
                new UnsafeBuffer(new byte[8]), 0));
            assertFalse(store.containsKey(key));
            assertNull(store.getString("session"));
            assertNull(store.asConcurrentMap().get("session"));
            final int[] seen = {0};
            store.forEach((k, v) -> seen[0]++);
            assertEquals(0, seen[0], "forEach hands out no expired key");
            assertEquals(OffHeapByteStore.TTL_ABSENT, store.pttl(key));
            assertEquals(OffHeapByteStore.TTL_ABSENT, store.ttl(key));
            assertFalse(store.replace(key, bytes("v2")), "replace of an expired key");
            assertFalse(store.replace(key, bytes("v1"), bytes("v2")), "compare-and-set against an expired value");
            assertFalse(store.remove(key, bytes("v1")));
            assertFalse(store.remove(key));
            assertFalse(store.pexpire(key, 1000));
            assertFalse(store.persist(key));
            assertNull(store.getAndRemove(key));
            assertEquals(1, store.size(), "an expired entry is counted until it is reclaimed");
            assertTrue(store.putIfAbsent(key, bytes("v3")), "an expired value counts as none");
            assertArrayEquals(bytes("v3"), store.get(key));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key));
            assertEquals(1, store.size());
        }
    }

    @Test
    void readModifyWritesKeepTheDeadlineAndWholeValueWritesClearIt()
    {
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().clock(clock).expirySweeper(false).build())
        {
            final byte[] key = bytes("k");
            store.put(key, bytes("10"), 5_000);
            assertEquals(11, store.incrBy(key, 1));
            assertEquals(5_000, store.pttl(key), "INCR keeps the time to live");
            assertEquals(4, store.append(key, bytes("xy")));
            assertEquals(5_000, store.pttl(key), "APPEND keeps it");
            assertEquals(5, store.ttl(key));

            store.put(key, bytes("a"));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "SET clears it");
            store.put(key, bytes("a"), 5_000);
            assertArrayEquals(bytes("a"), store.getAndSet(key, bytes("b")));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "GETSET clears it");
            store.put(key, bytes("a"), 5_000);
            assertTrue(store.replace(key, bytes("c")));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "SET XX clears it");
            store.put(key, bytes("a"), 5_000);
            assertTrue(store.replace(key, bytes("a"), bytes("d")));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "a compare-and-set writes a whole value");

            assertTrue(store.pexpire(key, 2_000));
            assertEquals(2_000, store.pttl(key));
            assertArrayEquals(bytes("d"), store.get(key), "expire keeps the value");
            assertTrue(store.expire(key, 7));
            assertEquals(7_000, store.pttl(key));
            assertTrue(store.pexpireAt(key, clock.millis() + 1_234));
            assertEquals(1_234, store.pttl(key));
            assertTrue(store.expireAt(key, clock.millis() / 1000 + 60));
            assertEquals((clock.millis() / 1000 + 60) * 1000 - clock.millis(), store.pttl(key));
            assertTrue(store.persist(key));
            assertFalse(store.persist(key), "nothing to persist the second time");
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key));
            assertArrayEquals(bytes("d"), store.get(key));

            assertTrue(store.pexpire(key, 0), "a time to live of 0 removes the value, as in Redis");
            assertNull(store.get(key));
            assertEquals(0, store.size(), "removed, not just expired");
            store.put(key, bytes("e"));
            assertTrue(store.expireAt(key, clock.millis() / 1000 - 1), "a past deadline removes it too");
            assertNull(store.get(key));
            assertFalse(store.putUntil(key, bytes("f"), clock.millis()), "stored already expired");
            assertNull(store.get(key));
            assertTrue(store.putIfAbsent(bytes("lease"), bytes("a"), 100), "SET NX PX: the first holder");
            assertFalse(store.putIfAbsent(bytes("lease"), bytes("b"), 100), "the second holder is refused");
            clock.advance(100);
            assertTrue(store.putIfAbsent(bytes("lease"), bytes("b"), 100), "the lease is free once it expired");
        }
    }

    @Test
    void expiryArgumentsAreCheckedWithTheirValues()
    {
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().clock(clock).expirySweeper(false).build())
        {
            final byte[] key = bytes("k");
            final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> store.put(key, key, 0));
            assertTrue(zero.getMessage().contains("ttlMillis=0"), zero.getMessage());
            final IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
                () -> store.put(key, key, Long.MAX_VALUE));
            assertTrue(overflow.getMessage().contains("now=" + clock.millis()), overflow.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.putIfAbsent(key, key, -1));
            assertThrows(IllegalArgumentException.class, () -> store.expire(key, Long.MAX_VALUE));
            store.put(key, key);
            assertThrows(IllegalArgumentException.class, () -> store.pexpire(key, Long.MAX_VALUE));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "a refused expire changes nothing");
            assertThrows(IllegalArgumentException.class, () -> store.sweepExpired(0));
        }
    }

    @Test
    void deadlinesSurviveACleanReopenAndExpireWhileTheStoreIsClosed()
    {
        final Path file = dir.resolve("expiry.store");
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).clock(clock).build())
        {
            store.put(bytes("short"), bytes("1"), 10_000);
            store.put(bytes("long"), bytes("2"), 100_000);
            store.put(bytes("forever"), bytes("3"));
        }
        clock.advance(4_000);
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).clock(clock).build())
        {
            assertTrue(store.recoveryReport().isEmpty());
            assertEquals(6_000, store.pttl(bytes("short")));
            assertEquals(96_000, store.pttl(bytes("long")));
            assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(bytes("forever")));
        }
        clock.advance(6_000); // past the short deadline while closed
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).clock(clock).build())
        {
            assertNull(store.get(bytes("short")), "expired while the store was closed");
            assertArrayEquals(bytes("2"), store.get(bytes("long")));
            assertArrayEquals(bytes("3"), store.get(bytes("forever")));
            assertThrows(UnsupportedOperationException.class, () -> store.sweepExpired(10));
        }
    }

    @Test
    void aDeadlineIsCrashAtomicWithItsValue()
    {
        final Path file = dir.resolve("crash.store");
        final ManualClock clock = new ManualClock();
        final OffHeapByteStore crashed = OffHeapByteStore.builder().file(file).clock(clock).build();
        for (int i = 0; i < 2_000; i++)
        {
            crashed.put(bytes("k" + i), bytes("v" + i), 1_000 + i);
        }
        for (int i = 0; i < 2_000; i += 2)
        {
            crashed.persist(bytes("k" + i));
        }
        crashed.abandon(); // as kill -9: no fence, no sync, no clean mark
        clock.advance(1_500);
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).clock(clock).build())
        {
            assertTrue(store.recoveryReport().isPresent(), "recovered");
            assertEquals(0, store.recoveryReport().get().purged(), store.recoveryReport().get().toString());
            for (int i = 0; i < 2_000; i++)
            {
                final byte[] key = bytes("k" + i);
                if (i % 2 == 0)
                {
                    assertEquals(OffHeapByteStore.TTL_NONE, store.pttl(key), "persisted before the crash: " + i);
                    assertArrayEquals(bytes("v" + i), store.get(key));
                }
                else if (1_000 + i > 1_500)
                {
                    assertEquals(1_000 + i - 1_500, store.pttl(key), "the deadline as written: " + i);
                }
                else
                {
                    assertNull(store.get(key), "expired: " + i);
                }
            }
        }
    }

    @Test
    void aDamagedDeadlineFailsItsEntrysChecksum() throws java.io.IOException
    {
        final Path file = dir.resolve("damaged.store");
        final ManualClock clock = new ManualClock();
        final long deadline = ManualClock.START + 987_654_321L; // a byte pattern found once in the file
        final OffHeapByteStore crashed = OffHeapByteStore.builder().file(file).clock(clock).build();
        crashed.putUntil(bytes("victim"), bytes("v"), deadline);
        crashed.put(bytes("other"), bytes("w"), 60_000);
        crashed.abandon();
        final byte[] pattern = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(deadline).array();
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.MappedByteBuffer map = channel.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0,
                channel.size());
            int found = -1;
            for (int i = 0; i + 8 <= map.limit() && found < 0; i++)
            {
                int j = 0;
                while (j < 8 && map.get(i + j) == pattern[j])
                {
                    j++;
                }
                found = 8 == j ? i : -1;
            }
            assertTrue(found >= 0, "the deadline is in the file");
            map.put(found + 7, (byte)(pattern[7] + 1)); // a later deadline: the entry would outlive its own
            map.force();
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).clock(clock).build())
        {
            assertEquals(1, store.recoveryReport().orElseThrow().purged(), store.recoveryReport().toString());
            assertNull(store.get(bytes("victim")), "its checksum covers the deadline");
            assertEquals(60_000, store.pttl(bytes("other")));
        }
    }

    @Test
    void aSweepExpiresExactlyTheKeysWhoseDeadlinePassed()
    {
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(4).clock(clock).expirySweeper(false)
            .build())
        {
            for (int i = 0; i < 3_000; i++)
            {
                final byte[] key = bytes("k" + i);
                switch (i % 3)
                {
                    case 0 -> store.put(key, key, 100);
                    case 1 -> store.put(key, key, 1_000);
                    default -> store.put(key, key);
                }
            }
            clock.advance(500);
            assertEquals(3_000, store.size());
            final long before = store.entryBytes();
            assertEquals(1_000, store.sweepExpired((int)store.capacity()), "one pass over every slot");
            assertEquals(2_000, store.size());
            assertEquals(0, store.sweepExpired((int)store.capacity()), "nothing left to expire");
            for (int i = 0; i < 3_000; i++)
            {
                final byte[] key = bytes("k" + i);
                if (i % 3 == 0)
                {
                    assertNull(store.get(key));
                }
                else
                {
                    assertArrayEquals(key, store.get(key));
                }
            }
            assertEquals(before, store.entryBytes(), "a tombstone keeps its entry until the next replacement");
            store.clear();
            assertEquals(0, store.entryBytes());
        }
    }

    @Test
    void aTableReplacementDropsExpiredEntries()
    {
        final ManualClock clock = new ManualClock();
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).clock(clock).expirySweeper(false)
            .build())
        {
            final byte[] value = new byte[100];
            for (int i = 0; i < 1_000; i++)
            {
                store.put(bytes("old" + i), value, 100);
            }
            final long capacity = store.capacity();
            clock.advance(100);
            int i = 0;
            while (store.capacity() == capacity)
            {
                store.put(bytes("new" + i++), value); // until the table grows
            }
            assertEquals(i, store.size(), "the expired entries were not carried into the new table");
            for (int j = 0; j < 1_000; j++)
            {
                assertNull(store.get(bytes("old" + j)));
            }
            // every block of an expired entry went back to the heap: the entries in use are the new keys'
            final long perEntry = SizeClasses.blockLength(SizeClasses.classOf(12 + 6 + 100));
            assertTrue(store.entryBytes() <= (long)i * perEntry, "entryBytes=" + store.entryBytes() + " for " + i +
                " entries of at most " + perEntry + " bytes");
        }
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void deadlinesMoveWithTheirEntriesInACompactionAndSurviveACrashAfterIt(final boolean file)
    {
        final ManualClock clock = new ManualClock();
        final OffHeapByteStore.Builder builder = (file ? OffHeapByteStore.builder().file(dir.resolve("compact.store"))
            .chunkSize(1 << 22) : OffHeapByteStore.builder()).segments(1).clock(clock).expirySweeper(false);
        final OffHeapByteStore store = builder.build();
        final byte[] value = new byte[300];
        for (int i = 0; i < 4_000; i++)
        {
            store.put(bytes("churn" + i), value);
        }
        for (int i = 0; i < 400; i++)
        {
            store.put(bytes("timed" + i), bytes("t" + i), 10_000 + i);
        }
        for (int i = 0; i < 4_000; i++)
        {
            store.remove(bytes("churn" + i)); // most of the heap reclaimable: the next replacement compacts it
        }
        final EntryHeap heap = store.segment(0).table.heap;
        for (int i = 0; store.segment(0).table.heap == heap; i++)
        {
            store.put(bytes("new" + i), bytes("n"));
        }
        clock.advance(5_000);
        for (int i = 0; i < 400; i++)
        {
            assertEquals(5_000 + i, store.pttl(bytes("timed" + i)), "moved with its deadline: " + i);
        }
        final OffHeapByteStore checked;
        if (file)
        {
            store.abandon();
            checked = builder.build();
            assertEquals(0, checked.recoveryReport().orElseThrow().purged(), "every moved entry passes its checks");
        }
        else
        {
            checked = store;
        }
        try
        {
            assertEquals(5_000, checked.pttl(bytes("timed0")));
            clock.advance(5_200);
            assertEquals(201, checked.sweepExpired((int)checked.capacity()), "the sweep sees the moved deadlines: 0 to 200");
            assertEquals(199, checked.pttl(bytes("timed399")));
        }
        finally
        {
            checked.close();
        }
    }

    @Test
    @Timeout(60)
    void theBackgroundSweeperStartsAtTheFirstDeadlineAndReclaims() throws InterruptedException
    {
        final ManualClock clock = new ManualClock();
        final OffHeapByteStore store = OffHeapByteStore.builder().segments(2).clock(clock).build();
        try
        {
            store.put(bytes("plain"), bytes("1"));
            assertFalse(store.sweeperRunning(), "no deadline yet: nothing scheduled");
            for (int i = 0; i < 5_000; i++)
            {
                store.put(bytes("k" + i), bytes("v"), 1_000);
            }
            assertTrue(store.sweeperRunning());
            clock.advance(1_000);
            while (store.size() > 1) // the sweeper's runs, every 100 ms: no fixed wait
            {
                Thread.sleep(10);
            }
            assertArrayEquals(bytes("1"), store.get(bytes("plain")));
        }
        finally
        {
            store.close();
        }
        assertFalse(store.sweeperRunning(), "close stops it");
    }

    /**
     * Seeded random operations with deadlines against a model with the same clock, through table replacements,
     * sweeps and (for a store file) reopens, with the clock moved on while the store is closed.
     */
    @ParameterizedTest
    @CsvSource({"1, false", "2, false", "3, true", "4, true"})
    @Timeout(180)
    void matchesAModelWithTheSameClock(final long seed, final boolean mapped)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ManualClock clock = new ManualClock();
        final Map<Key, Timed> model = new HashMap<>();
        final byte[][] keys = new byte[1_500][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = bytes("key-" + i + (i % 7 == 0 ? "-κλειδί" : ""));
        }
        final OffHeapByteStore.Builder builder = (mapped ? OffHeapByteStore.builder()
            .file(dir.resolve("expiry-" + seed + ".store")).chunkSize(1 << 24) : OffHeapByteStore.builder())
            .segments(2).clock(clock).expirySweeper(false);
        OffHeapByteStore opened = builder.build();
        try
        {
            for (int op = 0; op < 200_000; op++)
            {
                final OffHeapByteStore store = opened;
                final byte[] key = keys[random.nextInt(keys.length)];
                final Key modelKey = new Key(key);
                final Timed entry = model.get(modelKey);
                final long now = clock.millis();
                final boolean alive = null != entry && entry.aliveAt(now);
                final String where = "op " + op + " (seed " + seed + "), key " + new String(key, StandardCharsets.UTF_8);
                switch (random.nextInt(20))
                {
                    case 0 ->
                    {
                        final byte[] value = value(random);
                        assertEquals(alive, store.put(key, value), where);
                        model.put(modelKey, new Timed(value, 0));
                    }
                    case 1, 2 ->
                    {
                        final byte[] value = value(random);
                        final long ttl = 1 + random.nextInt(3_000);
                        assertEquals(alive, store.put(key, value, ttl), where);
                        model.put(modelKey, new Timed(value, now + ttl));
                    }
                    case 3 ->
                    {
                        final byte[] value = value(random);
                        final long deadline = now - 1_000 + random.nextInt(4_000);
                        assertEquals(alive, store.putUntil(key, value, deadline), where);
                        model.put(modelKey, new Timed(value, deadline));
                    }
                    case 4 ->
                    {
                        final byte[] value = value(random);
                        final long ttl = 1 + random.nextInt(3_000);
                        assertEquals(!alive, store.putIfAbsent(key, value, ttl), where);
                        if (!alive)
                        {
                            model.put(modelKey, new Timed(value, now + ttl));
                        }
                    }
                    case 5 ->
                    {
                        final byte[] value = value(random);
                        assertEquals(alive, store.replace(key, value), where);
                        if (alive)
                        {
                            model.put(modelKey, new Timed(value, 0));
                        }
                    }
                    case 6 ->
                    {
                        final byte[] expected = alive && random.nextBoolean() ? entry.value : value(random);
                        final byte[] value = value(random);
                        final boolean equal = alive && Arrays.equals(entry.value, expected);
                        assertEquals(equal, store.replace(key, expected, value), where);
                        if (equal)
                        {
                            model.put(modelKey, new Timed(value, 0));
                        }
                    }
                    case 7 ->
                    {
                        assertEquals(alive, store.remove(key), where);
                        model.remove(modelKey);
                    }
                    case 8 ->
                    {
                        final long millis = random.nextInt(3_000) - 200;
                        assertEquals(alive, store.pexpire(key, millis), where);
                        if (alive)
                        {
                            if (millis <= 0)
                            {
                                model.remove(modelKey);
                            }
                            else
                            {
                                model.put(modelKey, new Timed(entry.value, now + millis));
                            }
                        }
                    }
                    case 9 ->
                    {
                        final long seconds = now / 1000 + random.nextInt(5) - 1;
                        assertEquals(alive, store.expireAt(key, seconds), where);
                        if (alive)
                        {
                            if (seconds * 1000 <= now)
                            {
                                model.remove(modelKey);
                            }
                            else
                            {
                                model.put(modelKey, new Timed(entry.value, seconds * 1000));
                            }
                        }
                    }
                    case 10 ->
                    {
                        final boolean timed = alive && 0 != entry.deadline;
                        assertEquals(timed, store.persist(key), where);
                        if (timed)
                        {
                            model.put(modelKey, new Timed(entry.value, 0));
                        }
                    }
                    case 11 ->
                    {
                        final long expected = !alive ? OffHeapByteStore.TTL_ABSENT :
                            0 == entry.deadline ? OffHeapByteStore.TTL_NONE : entry.deadline - now;
                        assertEquals(expected, store.pttl(key), where);
                    }
                    case 12 ->
                    {
                        final long delta = random.nextInt(100) - 50;
                        final byte[] current = alive ? entry.value : null;
                        final Long parsed = null == current ? Long.valueOf(0) : decimal(current);
                        if (null == parsed)
                        {
                            assertThrows(NumberFormatException.class, () -> store.incrBy(key, delta), where);
                        }
                        else
                        {
                            assertEquals(parsed + delta, store.incrBy(key, delta), where);
                            model.put(modelKey, new Timed(bytes(Long.toString(parsed + delta)),
                                alive ? entry.deadline : 0));
                        }
                    }
                    case 13 ->
                    {
                        final byte[] suffix = value(random);
                        final byte[] current = alive ? entry.value : new byte[0];
                        final byte[] appended = Arrays.copyOf(current, current.length + suffix.length);
                        System.arraycopy(suffix, 0, appended, current.length, suffix.length);
                        assertEquals(appended.length, store.append(key, suffix), where);
                        model.put(modelKey, new Timed(appended, alive ? entry.deadline : 0));
                    }
                    case 14 ->
                    {
                        final byte[] value = value(random);
                        assertArrayEquals(alive ? entry.value : null, store.getAndSet(key, value), where);
                        model.put(modelKey, new Timed(value, 0));
                    }
                    case 15 -> clock.advance(random.nextInt(400));
                    case 16 ->
                    {
                        final int expiredBefore = countExpired(model, now);
                        final int swept = store.sweepExpired(1 + random.nextInt(2_000));
                        assertTrue(swept <= expiredBefore, where + ": swept " + swept + " of " + expiredBefore);
                    }
                    case 17 -> assertEquals(alive, store.containsKey(key), where);
                    default -> assertArrayEquals(alive ? entry.value : null, store.get(key), where);
                }
                if (op % 20_000 == 19_999)
                {
                    opened = fullCheck(opened, builder, model, clock, mapped, random, "op " + op + " (seed " + seed +
                        ")");
                }
            }
        }
        finally
        {
            opened.close();
        }
    }

    private static OffHeapByteStore fullCheck(final OffHeapByteStore store, final OffHeapByteStore.Builder builder,
        final Map<Key, Timed> model, final ManualClock clock, final boolean mapped, final SplittableRandom random,
        final String where)
    {
        final long now = clock.millis();
        final Set<Key> alive = new HashSet<>();
        for (final Map.Entry<Key, Timed> entry : model.entrySet())
        {
            final boolean live = entry.getValue().aliveAt(now);
            assertArrayEquals(live ? entry.getValue().value : null, store.get(entry.getKey().bytes), where);
            if (live)
            {
                alive.add(entry.getKey());
            }
        }
        final Set<Key> iterated = new HashSet<>();
        store.forEach((k, v) ->
        {
            final byte[] keyBytes = new byte[k.capacity()];
            k.getBytes(0, keyBytes);
            assertTrue(iterated.add(new Key(keyBytes)), where + ": forEach gave a key twice");
        });
        assertEquals(alive, iterated, where + ": forEach's keys are the unexpired ones");
        assertTrue(store.size() >= alive.size() && store.size() <= model.size(), where + ": size " + store.size() +
            " between " + alive.size() + " (unexpired) and " + model.size() + " (with the expired)");
        store.sweepExpired((int)store.capacity()); // every slot once
        assertEquals(alive.size(), store.size(), where + ": after a sweep of every slot");
        if (!mapped)
        {
            return store;
        }
        store.close();
        clock.advance(random.nextInt(2_000)); // keys expire while the store is closed
        final OffHeapByteStore reopened = builder.build();
        assertTrue(reopened.recoveryReport().isEmpty(), where + ": a clean reopen");
        return reopened;
    }

    private static int countExpired(final Map<Key, Timed> model, final long now)
    {
        int expired = 0;
        for (final Timed entry : model.values())
        {
            expired += entry.aliveAt(now) ? 0 : 1;
        }
        return expired;
    }

    private static byte[] value(final SplittableRandom random)
    {
        if (random.nextInt(3) == 0)
        {
            return bytes(Integer.toString(random.nextInt(2_000) - 1_000));
        }
        final byte[] value = new byte[random.nextInt(random.nextInt(20) == 0 ? 3_000 : 40)];
        random.nextBytes(value);
        return value;
    }

    /**
     * @return the value as Redis reads an integer (an optional minus, digits without a leading zero), or null.
     */
    private static Long decimal(final byte[] value)
    {
        final String text = new String(value, StandardCharsets.ISO_8859_1);
        try
        {
            final long parsed = Long.parseLong(text);
            return Long.toString(parsed).equals(text) ? parsed : null;
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /** A value and its deadline (0: none) in the model. */
    private record Timed(byte[] value, long deadline)
    {
        boolean aliveAt(final long now)
        {
            return 0 == deadline || deadline > now;
        }
    }

    /** A byte[] key with value equality, for the model. */
    private record Key(byte[] bytes)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key && Arrays.equals(bytes, ((Key)other).bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }
    }
}
