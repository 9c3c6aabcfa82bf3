package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export then import of both maps reproduces every entry (empty keys and values, 1 MiB values, non-ASCII text,
 * deadlines, the long map's key 0 and missing value); an import merges into what the store has; every kind of
 * damage to a stream is refused with the place it was found.
 */
class StoreExportTest
{
    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aByteStoreRoundTripsWithItsDeadlines()
    {
        final ManualClock clock = new ManualClock();
        final Map<String, byte[]> model = new HashMap<>();
        final byte[] large = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(large);
        final byte[] exported;
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(4).clock(clock).expirySweeper(false).build())
        {
            store.put(new byte[0], utf8("the empty key"));
            store.put(utf8("empty value"), new byte[0]);
            store.put(utf8("large"), large);
            store.putString("Grüße, 世界", "ценность ✓");
            store.putUntil(utf8("lease"), utf8("held"), clock.millis() + 60_000);
            store.putUntil(utf8("gone"), utf8("expired"), clock.millis() + 5);
            for (int i = 0; i < 5_000; i++)
            {
                store.put(utf8("key" + i), utf8("value" + i));
            }
            clock.advance(10); // "gone" has expired: it is not exported
            store.forEach((key, value) -> model.put(new String(bytesOf(key), StandardCharsets.ISO_8859_1),
                bytesOf(value)));
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(model.size(), StoreExport.export(store, out));
            exported = out.toByteArray();
        }
        try (OffHeapByteStore copy = OffHeapByteStore.builder().segments(2).clock(clock).expirySweeper(false).build())
        {
            assertEquals(model.size(), StoreExport.importInto(copy, new ByteArrayInputStream(exported)));
            assertEquals(model.size(), copy.size());
            for (final Map.Entry<String, byte[]> entry : model.entrySet())
            {
                assertArrayEquals(entry.getValue(), copy.get(entry.getKey().getBytes(StandardCharsets.ISO_8859_1)),
                    entry.getKey());
            }
            assertNull(copy.get(utf8("gone")));
            assertEquals(60_000 - 10, copy.pttl(utf8("lease")), "the deadline came along");
            assertEquals(OffHeapByteStore.TTL_NONE, copy.pttl(utf8("large")));
            assertEquals("ценность ✓", copy.getString("Grüße, 世界"));
            clock.advance(60_000); // a record whose deadline has passed by the import is skipped
            try (OffHeapByteStore late = OffHeapByteStore.builder().clock(clock).expirySweeper(false).build())
            {
                assertEquals(model.size(), StoreExport.importInto(late, new ByteArrayInputStream(exported)));
                assertEquals(model.size() - 1, late.size());
            }
        }
    }

    @Test
    void theBytesAreTheSpecs()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            store.put(utf8("ab"), utf8("c"));
            StoreExport.export(store, out);
        }
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(out.toByteArray()); // big-endian
        assertEquals(32 + 17 + 3 + 13, bytes.capacity(), "header, one record of 2 + 1 bytes, trailer");
        assertEquals(StoreExport.MAGIC, bytes.getLong(0));
        assertEquals("SLOTKVEX", new String(out.toByteArray(), 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, bytes.getShort(8));
        assertEquals(StoreExport.KIND_BYTES, bytes.getShort(10));
        assertEquals(0, bytes.getInt(12));
        assertEquals('E', bytes.get(32));
        assertEquals(2, bytes.getInt(33));
        assertEquals(1, bytes.getInt(37));
        assertEquals(0, bytes.getLong(41), "no deadline");
        assertEquals("abc", new String(out.toByteArray(), 49, 3, StandardCharsets.US_ASCII));
        assertEquals('Z', bytes.get(52));
        assertEquals(1, bytes.getLong(53));
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(out.toByteArray(), 0, 61);
        assertEquals((int)crc.getValue(), bytes.getInt(61));
        final ByteArrayOutputStream empty = new ByteArrayOutputStream();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().missingValue(-7).build())
        {
            map.put(3, 4);
            StoreExport.export(map, empty);
        }
        final java.nio.ByteBuffer map = java.nio.ByteBuffer.wrap(empty.toByteArray());
        assertEquals(32 + 17 + 13, map.capacity());
        assertEquals(StoreExport.KIND_LONG_LONG, map.getShort(10));
        assertEquals(-7, map.getLong(24), "the missing value, for information");
        assertEquals(3, map.getLong(33));
        assertEquals(4, map.getLong(41));
    }

    @Test
    void jsonLinesAreTextWhereTheBytesAreTextAndBase64Elsewhere()
    {
        final ManualClock clock = new ManualClock();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).clock(clock).expirySweeper(false)
            .build())
        {
            store.putString("quote\"back\\slash", "line\nbreak ✓");
            store.put(new byte[] {(byte)0xff, 0}, new byte[0]);
            store.putUntil(utf8("lease"), utf8("held"), clock.millis() + 1_000);
            assertEquals(3, StoreExport.exportJsonLines(store, out));
        }
        final java.util.Set<String> lines = new java.util.HashSet<>(java.util.List.of(
            new String(out.toByteArray(), StandardCharsets.UTF_8).split("\n")));
        assertEquals(java.util.Set.of(
            "{\"key\":\"quote\\\"back\\\\slash\",\"value\":\"line\\u000abreak ✓\"}",
            "{\"key_base64\":\"/wA=\",\"value\":\"\"}",
            "{\"key\":\"lease\",\"value\":\"held\",\"deadline\":" + (ManualClock.START + 1_000) + "}"), lines);
    }

    @Test
    void anImportMergesIntoWhatTheStoreHas()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            store.putString("a", "exported");
            store.putString("b", "exported");
            StoreExport.export(store, out);
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            store.putString("b", "kept?");
            store.putString("c", "kept");
            StoreExport.importInto(store, new ByteArrayInputStream(out.toByteArray()));
            assertEquals("exported", store.getString("a"));
            assertEquals("exported", store.getString("b"), "a record overwrites");
            assertEquals("kept", store.getString("c"));
        }
    }

    @Test
    void aLongMapRoundTripsWithKeyZeroAndTheMissingValue()
    {
        final Map<Long, Long> model = new HashMap<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().segments(4).build())
        {
            final SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 20_000; i++)
            {
                final long key = random.nextLong();
                final long value = random.nextLong();
                if (value != map.missingValue())
                {
                    map.put(key, value);
                    model.put(key, value);
                }
            }
            map.put(0, 42);
            model.put(0L, 42L);
            map.asConcurrentMap().put(5L, map.missingValue()); // stored through the view
            model.put(5L, map.missingValue());
            assertEquals(model.size(), StoreExport.export(map, out));
        }
        try (OffHeapLongLongMap copy = OffHeapLongLongMap.builder().build())
        {
            assertEquals(model.size(), StoreExport.importInto(copy, new ByteArrayInputStream(out.toByteArray())));
            assertEquals(model, new HashMap<>(copy.asConcurrentMap()));
        }
    }

    @Test
    void damageIsRefusedWhereItIsFound()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            for (int i = 0; i < 100; i++)
            {
                store.put(utf8("key" + i), utf8("value" + i));
            }
            StoreExport.export(store, out);
        }
        final byte[] good = out.toByteArray();
        assertTrue(message(Arrays.copyOf(good, good.length - 10)).contains("ends before its trailer"));
        final byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10; // inside some record's key or value bytes
        final String flippedMessage = message(flipped);
        assertTrue(flippedMessage.contains("checksum mismatch") || flippedMessage.contains("record"),
            flippedMessage);
        final byte[] magic = good.clone();
        magic[0] = 'X';
        assertTrue(message(magic).contains("not a SlotKV export"));
        final byte[] version = good.clone();
        version[9] = 9;
        assertTrue(message(version).contains("version 9"));
        final byte[] trailerCount = good.clone();
        trailerCount[good.length - 5] ^= 1; // the count's last byte
        assertTrue(message(trailerCount).contains("the trailer counts"));
        final byte[] checksum = good.clone();
        checksum[good.length - 1] ^= 1;
        assertTrue(message(checksum).contains("checksum mismatch"));
        try (OffHeapLongLongMap map = OffHeapLongLongMap.builder().build())
        {
            final CorruptStoreException kind = assertThrows(CorruptStoreException.class,
                () -> StoreExport.importInto(map, new ByteArrayInputStream(good)));
            assertTrue(kind.getMessage().contains("kind=byte store"), kind.getMessage());
        }
        try (OffHeapByteStore small = OffHeapByteStore.builder().maxValueLength(4).build())
        {
            final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> StoreExport.importInto(small, new ByteArrayInputStream(good)));
            assertTrue(tooLong.getMessage().contains("maxValueLength=4"), tooLong.getMessage());
        }
    }

    @Test
    void aFailingStreamIsReportedWithTheStore()
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            store.putString("a", "b");
            final UncheckedIOException failed = assertThrows(UncheckedIOException.class,
                () -> StoreExport.export(store, new java.io.OutputStream()
                {
                    @Override
                    public void write(final int b) throws java.io.IOException
                    {
                        throw new java.io.IOException("disk full");
                    }
                }));
            assertTrue(failed.getMessage().contains("disk full"), failed.getMessage());
        }
    }

    private static String message(final byte[] stream)
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().build())
        {
            return assertThrows(CorruptStoreException.class,
                () -> StoreExport.importInto(store, new ByteArrayInputStream(stream))).getMessage();
        }
    }

    private static byte[] bytesOf(final org.agrona.DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
