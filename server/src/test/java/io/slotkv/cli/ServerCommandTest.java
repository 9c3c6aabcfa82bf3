package io.slotkv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code slotkv server} refuses settings it cannot honour before it opens anything: one line, the usage code. */
class ServerCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a server that starts waits forever
    void aBulkLimitPastOneJavaArrayIsAUsageErrorNamingTheValue()
    {
        final StringWriter err = new StringWriter();
        final int code = SlotKv.run(new String[] {"server", "--port", "0", "--dir", dir.resolve("data").toString(),
            "--proto-max-bulk-len", "3gb"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(SlotKv.USAGE, code, err.toString());
        assertTrue(err.toString().startsWith("slotkv: proto-max-bulk-len must be at most 2147483639 bytes"),
            err.toString());
        assertTrue(err.toString().contains("protoMaxBulkLength=3221225472"), err.toString());
        assertFalse(Files.exists(dir.resolve("data")), "nothing was created");
    }

    /** A value limit past what an entry holds, below and above 2 GiB: a usage error naming what was given. */
    @ParameterizedTest
    @ValueSource(strings = {"300mb", "3gb"})
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a server that starts waits forever
    void aValueLimitPastWhatAnEntryHoldsIsAUsageErrorNamingTheValue(final String size)
    {
        final StringWriter err = new StringWriter();
        final int code = SlotKv.run(new String[] {"server", "--port", "0", "--dir", dir.resolve("data").toString(),
            "--max-value-size", size}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(SlotKv.USAGE, code, err.toString());
        assertTrue(err.toString().startsWith("slotkv: --max-value-size must be at most 268435455 bytes"),
            err.toString());
        assertTrue(err.toString().contains(": " + size + " ("), err.toString());
        assertFalse(Files.exists(dir.resolve("data")), "nothing was created");
    }
}
