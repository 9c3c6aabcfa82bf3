package io.slotkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's settings refuse limits it cannot honour, naming the value. */
class ServerSettingsTest
{
    private static ServerSettings withBulkLimit(final long protoMaxBulkLength)
    {
        final ServerSettings d = ServerSettings.defaults();
        return new ServerSettings(d.bind(), 0, Path.of("unused"), null, true, d.maxClients(), 0, protoMaxBulkLength,
            d.maxArguments(), d.queryBufferLimit(), 0, d.maxValueLength(), d.outputHighWater(), 1);
    }

    @Test
    void aBulkLimitBeyondOneJavaArrayIsRefusedWithTheValue()
    {
        assertEquals(ServerSettings.MAX_PROTO_BULK_LENGTH,
            withBulkLimit(ServerSettings.MAX_PROTO_BULK_LENGTH).protoMaxBulkLength());
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> withBulkLimit(ServerSettings.MAX_PROTO_BULK_LENGTH + 1));
        assertTrue(tooLong.getMessage().contains("protoMaxBulkLength=" + (ServerSettings.MAX_PROTO_BULK_LENGTH + 1)),
            tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> withBulkLimit(3L << 30));
        assertThrows(IllegalArgumentException.class, () -> withBulkLimit(0));
    }

    @Test
    void aValueLimitBeyondWhatAnEntryHoldsIsRefusedWithTheValue()
    {
        final ServerSettings d = ServerSettings.defaults();
        final int max = io.slotkv.map.OffHeapByteStore.MAX_VALUE_LENGTH;
        assertEquals(max, new ServerSettings(d.bind(), 0, Path.of("unused"), null, true, d.maxClients(), 0,
            d.protoMaxBulkLength(), d.maxArguments(), d.queryBufferLimit(), 0, max, d.outputHighWater(), 1)
            .maxValueLength());
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> new ServerSettings(d.bind(), 0, Path.of("unused"), null, true, d.maxClients(), 0,
                d.protoMaxBulkLength(), d.maxArguments(), d.queryBufferLimit(), 0, max + 1, d.outputHighWater(), 1));
        assertTrue(tooLong.getMessage().contains("maxValueLength=" + (max + 1)), tooLong.getMessage());
    }

    @Test
    void theLargestBulkLimitStillParsesBulksAndRefusesLongerOnes() throws Exception
    {
        final RespParser parser = new RespParser(ServerSettings.MAX_PROTO_BULK_LENGTH, 16);
        final ByteBuf in = ascii("*1\r\n$" + ServerSettings.MAX_PROTO_BULK_LENGTH + "\r\nab");
        assertNull(parser.next(in, true), "waits for the rest of the bulk");
        final ProtocolError tooLong = assertThrows(ProtocolError.class,
            () -> new RespParser(ServerSettings.MAX_PROTO_BULK_LENGTH, 16)
                .next(ascii("*1\r\n$" + (ServerSettings.MAX_PROTO_BULK_LENGTH + 1) + "\r\n"), true));
        assertEquals("invalid bulk length", tooLong.getMessage());
    }

    private static ByteBuf ascii(final String text)
    {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
