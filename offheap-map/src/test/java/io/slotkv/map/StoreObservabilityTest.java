package io.slotkv.map;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store's statistics MBean (registered on request under the store's name, refused for a name taken, gone at
 * close) and its JFR events (resize, recovery, expiry sweep), read back from a recording.
 */
class StoreObservabilityTest
{
    @TempDir
    Path dir;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void theMBeanIsRegisteredUnderTheStoresNameAndGoneAfterClose() throws Exception
    {
        final ObjectName name = new ObjectName("io.slotkv:type=OffHeapByteStore,name=\"sessions\"");
        try (OffHeapByteStore store = OffHeapByteStore.builder().name("sessions").registerMBean(true).build())
        {
            store.put(bytes("a"), bytes("1"));
            store.get(bytes("a"));
            store.get(bytes("b"));
            assertTrue(server.isRegistered(name));
            assertEquals("sessions", server.getAttribute(name, "Name"));
            assertEquals(2L, server.getAttribute(name, "Gets"));
            assertEquals(1L, server.getAttribute(name, "Hits"));
            assertEquals(1L, server.getAttribute(name, "Inserts"));
            assertEquals(1L, server.getAttribute(name, "Entries"));
            assertEquals(0.5, server.getAttribute(name, "HitRate"));
            assertEquals(store.segmentCount(), server.getAttribute(name, "Segments"));
            assertEquals(true, server.getAttribute(name, "Counting"));
        }
        assertFalse(server.isRegistered(name), "close unregisters");
    }

    @Test
    void aTakenNameIsRefusedAndTheSecondStoreIsNotLeftOpen() throws Exception
    {
        final Path file = dir.resolve("second.slotkv");
        try (OffHeapLongLongMap first = OffHeapLongLongMap.builder().name("prices").registerMBean(true).build())
        {
            first.put(1, 1);
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () ->
                OffHeapLongLongMap.builder().file(file).name("prices").registerMBean(true).build());
            assertTrue(refused.getMessage().contains("name=\"prices\""), refused.getMessage());
            // the refused map was closed again: its file is not locked
            try (OffHeapLongLongMap second = OffHeapLongLongMap.builder().file(file).build())
            {
                assertEquals(0, second.size());
            }
            assertEquals(1L, server.getAttribute(
                new ObjectName("io.slotkv:type=OffHeapLongLongMap,name=\"prices\""), "Inserts"));
        }
        try (OffHeapLongLongMap again = OffHeapLongLongMap.builder().name("prices").registerMBean(true).build())
        {
            assertTrue(server.isRegistered(new ObjectName("io.slotkv:type=OffHeapLongLongMap,name=\"prices\"")),
                "the name is free again after close");
        }
    }

    @Test
    void noMBeanUnlessAskedFor() throws Exception
    {
        try (OffHeapByteStore store = OffHeapByteStore.builder().name("quiet").build())
        {
            assertTrue(server.queryNames(new ObjectName("io.slotkv:*,name=\"quiet\""), null).isEmpty());
        }
    }

    @Test
    void resizesRecoveriesAndSweepsAreRecordedAsJfrEvents() throws Exception
    {
        final Path file = dir.resolve("events.slotkv");
        final Path recordingFile = dir.resolve("events.jfr");
        final ManualClock clock = new ManualClock();
        try (Recording recording = new Recording())
        {
            recording.enable(StoreEvents.RESIZE);
            recording.enable(StoreEvents.RECOVERY);
            recording.enable(StoreEvents.EXPIRY_SWEEP);
            recording.start();
            final OffHeapByteStore crashed = OffHeapByteStore.builder().file(file).name("events").segments(1)
                .clock(clock).expirySweeper(false).build();
            for (int i = 0; i < 1_000; i++)
            {
                crashed.put(bytes("key" + i), bytes("value"), 10);
            }
            crashed.abandon();
            try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).name("events").clock(clock)
                .expirySweeper(false).build())
            {
                clock.advance(10);
                assertEquals(1_000, store.sweepExpired((int)store.capacity()));
            }
            recording.stop();
            recording.dump(recordingFile);
        }
        final List<RecordedEvent> events = RecordingFile.readAllEvents(recordingFile);
        final List<RecordedEvent> resizes = named(events, StoreEvents.RESIZE);
        assertFalse(resizes.isEmpty(), "1,000 keys in one segment sized for none: it grew");
        for (final RecordedEvent resize : resizes)
        {
            assertEquals("events", resize.getString("store"));
            assertEquals(0, resize.getInt("segment"));
            assertEquals("grow", resize.getString("reason"));
            assertTrue(resize.getInt("toCapacity") > resize.getInt("fromCapacity"), resize.toString());
            assertTrue(resize.getDuration().toNanos() > 0, resize.toString());
        }
        final List<RecordedEvent> recoveries = named(events, StoreEvents.RECOVERY);
        assertEquals(1, recoveries.size(), events.toString());
        assertTrue(recoveries.get(0).getBoolean("crashed"));
        assertEquals(1_000, recoveries.get(0).getLong("entries"));
        final List<RecordedEvent> sweeps = named(events, StoreEvents.EXPIRY_SWEEP);
        assertEquals(1, sweeps.size(), events.toString());
        assertEquals(1_000, sweeps.get(0).getLong("expired"));
        assertEquals(1_000, sweeps.get(0).getLong("withDeadline"));
        assertTrue(sweeps.get(0).getLong("slots") >= 1_000);
    }

    private static List<RecordedEvent> named(final List<RecordedEvent> events, final String name)
    {
        return events.stream().filter(e -> name.equals(e.getEventType().getName())).collect(Collectors.toList());
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
