package io.slotkv.map;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.map.Segment.SimulatedCrash;
import io.slotkv.map.Segment.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte store in a store file: clean reopen, recovery after a simulated crash (abandon, and each crash point of a
 * table replacement), damage found by the checks at recovery, refused files left unchanged, read-only opens.
 */
class ByteStorePersistenceTest
{
    /** Small chunks: many arenas and tables, each in its own chunk. */
    private static final long CHUNK = 1 << 20;

    @TempDir
    Path dir;

    private OffHeapByteStore.Builder builder(final Path file)
    {
        return OffHeapByteStore.builder().file(file).segments(4).chunkSize(CHUNK).maxKeyLength(200).maxValueLength(8_000);
    }

    /**
     * Random puts, removes and overwrites of keys and values of mixed lengths (empty ones, non-ASCII), mirrored in
     * {@code model}.
     */
    private static void churn(final OffHeapByteStore store, final Map<String, byte[]> model, final long seed,
        final int operations)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < operations; i++)
        {
            final String key = 0 == random.nextInt(500) ? "" : "k\u00e9y-" + random.nextInt(3_000);
            final int op = random.nextInt(10);
            if (op < 7)
            {
                final byte[] value = new byte[random.nextInt(10) < 8 ? random.nextInt(64) : random.nextInt(6_000)];
                random.nextBytes(value);
                assertEquals(model.containsKey(key), store.put(key.getBytes(StandardCharsets.UTF_8), value));
                model.put(key, value);
            }
            else
            {
                assertEquals(model.containsKey(key), store.remove(key.getBytes(StandardCharsets.UTF_8)));
                model.remove(key);
            }
        }
    }

    private static long keyValueBytes(final Map<String, byte[]> model)
    {
        long bytes = 0;
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length + entry.getValue().length;
        }
        return bytes;
    }

    static void assertHolds(final Map<String, byte[]> model, final OffHeapByteStore store)
    {
        assertEquals(model.size(), store.size());
        for (final Map.Entry<String, byte[]> entry : model.entrySet())
        {
            assertArrayEquals(entry.getValue(), store.get(entry.getKey().getBytes(StandardCharsets.UTF_8)),
                entry.getKey());
        }
        final Map<String, byte[]> seen = new HashMap<>();
        store.forEach((key, value) ->
        {
            final byte[] k = new byte[key.capacity()];
            key.getBytes(0, k);
            final byte[] v = new byte[value.capacity()];
            value.getBytes(0, v);
            assertNull(seen.put(new String(k, StandardCharsets.UTF_8), v), "a key came out twice");
        });
        assertEquals(model.keySet(), seen.keySet());
    }

    @Test
    void reopensWithEveryEntryAfterACleanClose()
    {
        final Path file = dir.resolve("clean.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 1, 40_000);
            assertTrue(store.capacity() > 4 * 64, "the tables grew: " + store.capacity());
        }
        final long entryBytes;
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).segments(16).build())
        {
            assertEquals(4, store.segmentCount(), "the file's layout wins over the builder");
            assertTrue(store.recoveryReport().isEmpty(), "a clean open runs no recovery");
            assertHolds(model, store);
            assertEquals(keyValueBytes(model), store.keyValueBytes(), "the saved accounting");
            entryBytes = store.entryBytes();
            churn(store, model, 2, 20_000); // the restored free lists and bump pointer hand out blocks again
            assertHolds(model, store);
        }
        try (OffHeapByteStore store = builder(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = store.recoveryReport().orElseThrow();
            assertEquals(0, report.purged(), report.toString());
            assertTrue(report.wasClosedCleanly());
            assertHolds(model, store);
            assertTrue(entryBytes > 0);
        }
    }

    @Test
    void recoversEveryAcknowledgedWriteAfterACrash()
    {
        final Path file = dir.resolve("crash.store");
        final Map<String, byte[]> model = new HashMap<>();
        OffHeapByteStore store = builder(file).build();
        churn(store, model, 3, 30_000);
        store.abandon(); // as kill -9: no fence, no sync, no clean mark
        for (int round = 0; round < 3; round++)
        {
            store = builder(file).build();
            final RecoveryReport report = store.recoveryReport().orElseThrow();
            assertFalse(report.wasClosedCleanly());
            assertEquals(0, report.purged(), report.toString());
            assertEquals(model.size(), report.entries(), report.toString());
            assertEquals(4, report.tablesRebuilt(), report.toString());
            assertHolds(model, store);
            assertEquals(keyValueBytes(model), store.keyValueBytes(), "the rebuilt accounting");
            churn(store, model, 4 + round, 10_000); // the rebuilt free space is handed out again, nothing overlaps
            assertHolds(model, store);
            store.abandon();
        }
        try (OffHeapByteStore reopened = builder(file).build())
        {
            assertHolds(model, reopened);
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aCrashAtAnyStepOfAReplacementLosesNothing(final Step step)
    {
        final Path file = dir.resolve("replace-" + step + ".store");
        final Map<String, byte[]> model = new HashMap<>();
        final OffHeapByteStore store = builder(file).segments(1).build();
        churn(store, model, 5, 2_000);
        final long capacity = store.capacity();
        store.segment(0).crashAt = step;
        store.segment(0).crashAfterSlots = 37;
        int key = 0;
        String pending = null;
        try
        {
            while (true)
            {
                pending = "new-" + key++;
                store.put(pending.getBytes(StandardCharsets.UTF_8), pending.getBytes(StandardCharsets.UTF_8));
                model.put(pending, pending.getBytes(StandardCharsets.UTF_8));
            }
        }
        catch (final SimulatedCrash expected)
        {
            // the put of 'pending' never returned: it met the replacement that died
        }
        assertEquals(capacity, store.capacity(), "the crash stopped the replacement before it was published");
        store.abandon();
        try (OffHeapByteStore reopened = OffHeapByteStore.builder().file(file).build())
        {
            final RecoveryReport report = reopened.recoveryReport().orElseThrow();
            assertEquals(0, report.purged(), report.toString());
            assertEquals(step == Step.INTENT_RECORDED || step == Step.COPYING ? 1 : 0,
                report.replacementsAbandoned(), report.toString());
            assertEquals(step == Step.COMMITTED ? 1 : 0, report.replacementsCleared(), report.toString());
            assertFalse(reopened.containsKey(pending.getBytes(StandardCharsets.UTF_8)),
                "the interrupted put was never acknowledged nor applied");
            assertHolds(model, reopened);
            churn(reopened, model, 6, 5_000); // it keeps working: grows, and replaces again
            assertHolds(model, reopened);
        }
    }

    @Test
    void aDamagedEntryIsRemovedAndReportedAndTheOthersStay() throws IOException
    {
        final Path file = dir.resolve("damaged.store");
        final Map<String, byte[]> model = new HashMap<>();
        final byte[] marked = "a value nobody else has: 7f3a9c21".getBytes(StandardCharsets.US_ASCII);
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 7, 5_000);
            store.put("marked".getBytes(StandardCharsets.UTF_8), marked);
        }
        final byte[] bytes = Files.readAllBytes(file);
        final int at = indexOf(bytes, marked);
        assertTrue(at > 0 && indexOf(Arrays.copyOfRange(bytes, at + 1, bytes.length), marked) < 0,
            "the value is in the file once");
        flipByte(file, at + 5);
        try (OffHeapByteStore store = builder(file).verifyOnOpen(true).build())
        {
            final RecoveryReport report = store.recoveryReport().orElseThrow();
            assertEquals(1, report.damagedEntriesPurged(), report.toString());
            assertEquals(1, report.purged(), report.toString());
            assertFalse(store.containsKey("marked".getBytes(StandardCharsets.UTF_8)));
            assertHolds(model, store);
        }
    }

    @Test
    void aDamagedArenaHeaderRefusesTheOpenAndLeavesTheFileUnchanged() throws IOException
    {
        final Path file = dir.resolve("arena.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 8, 2_000);
        }
        final byte[] before = Files.readAllBytes(file);
        final int at = indexOf(before, "ENTARENA".getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0);
        flipByte(file, at + 17); // the arena's length
        final byte[] damaged = Files.readAllBytes(file);
        final CorruptStoreException refused = assertThrows(CorruptStoreException.class, () -> builder(file).build());
        assertTrue(refused.getMessage().contains("damaged arena header"), refused.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(file), "a refused open writes nothing");
    }

    /**
     * Arena headers shrunk with their check recomputed (so the walk accepts them) leave the saved allocator state
     * outside the arenas: the clean open refuses the file, and must do so before it marks the file open (a fuzzer
     * finding: the state word was written first).
     */
    @Test
    void shrunkArenasWithRecomputedHeaderChecksFailTheCleanCheckAndAreRecovered() throws IOException
    {
        final Path file = dir.resolve("saved.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 9, 2_000);
        }
        final byte[] bytes = Files.readAllBytes(file);
        final java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] kind = "ENTARENA".getBytes(StandardCharsets.US_ASCII);
        int shrunk = 0;
        for (int at = 0; at + ArenaDescriptor.HEADER_LENGTH <= bytes.length; at += 64)
        {
            if (java.util.Arrays.equals(bytes, at, at + 8, kind, 0, 8))
            {
                final long length = 80;
                words.putLong(at + ArenaDescriptor.LENGTH_OFFSET, length);
                words.putLong(at + ArenaDescriptor.CHECK_OFFSET, ArenaDescriptor.check(
                    words.getLong(at + ArenaDescriptor.INDEX_OFFSET), length,
                    words.getLong(at + ArenaDescriptor.PREVIOUS_OFFSET)));
                shrunk++;
            }
        }
        assertTrue(shrunk > 0);
        Files.write(file, bytes);
        // the clean check covers the arena headers: the clean open sees the change and recovers instead of
        // restoring a saved state that names blocks outside the shrunk arenas
        try (OffHeapByteStore store = builder(file).build())
        {
            final RecoveryReport report = store.recoveryReport().orElseThrow();
            assertTrue(report.cleanCheckFailed(), report.toString());
            assertTrue(report.damagedEntriesPurged() > 0, report.toString());
            store.forEach((key, value) ->
            {
                final byte[] k = new byte[key.capacity()];
                key.getBytes(0, k);
                final byte[] v = new byte[value.capacity()];
                value.getBytes(0, v);
                assertArrayEquals(model.get(new String(k, StandardCharsets.UTF_8)), v, "a value that was written");
            });
        }
    }

    @Test
    void aReadOnlyOpenReadsAndRefusesEveryWrite()
    {
        final Path file = dir.resolve("read-only.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 9, 3_000);
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build())
        {
            assertTrue(store.isReadOnly());
            assertHolds(model, store);
            final byte[] key = "x".getBytes(StandardCharsets.UTF_8);
            assertThrows(UnsupportedOperationException.class, () -> store.put(key, key));
            assertThrows(UnsupportedOperationException.class, () -> store.remove(key));
            assertThrows(UnsupportedOperationException.class, store::clear);
        }
        final OffHeapByteStore crashed = builder(file).build();
        crashed.abandon();
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build());
        assertTrue(refused.getMessage().contains("needs recovery"), refused.getMessage());
    }

    /**
     * The full check of a read-only open ({@code verifyOnOpen}) passes a clean file that had removes, overwrites and
     * replacements, writes nothing, and agrees with the repairing check, which finds nothing either.
     */
    @Test
    void aReadOnlyVerificationPassesACleanFileAndChangesNothing() throws IOException
    {
        final Path file = dir.resolve("verified.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 12, 6_000);
        }
        final byte[] before = Files.readAllBytes(file);
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true)
            .build())
        {
            final RecoveryReport report = store.recoveryReport().orElseThrow();
            assertFalse(report.foundDamage(), report.toString());
            assertFalse(report.changedAnything(), report.toString());
            assertEquals(model.size(), report.entries(), report.toString());
            assertEquals(4, report.tablesScanned(), report.toString());
            assertHolds(model, store);
        }
        assertArrayEquals(before, Files.readAllBytes(file), "a read-only verification writes nothing");
        try (OffHeapByteStore store = builder(file).verifyOnOpen(true).build())
        {
            assertFalse(store.recoveryReport().orElseThrow().foundDamage());
            assertHolds(model, store);
        }
    }

    /**
     * Damage the read-only check must find in a cleanly closed file (the cheap checks at open pass it), each made
     * through the open store's table in segment 0 before the close.
     */
    enum SlotDamage
    {
        /** A LIVE word moved past an empty slot: no lookup reaches it. */
        UNREACHABLE("no lookup reaches it")
        {
            @Override
            void edit(final ByteTable table, final Map<Integer, Long> words)
            {
                final int i = atItsHome(table);
                words.put(ByteTableDescriptor.slotOffset(i), EntryRef.EMPTY);
                int m = i + 1;
                while (EntryRef.EMPTY != word(table, m) || EntryRef.EMPTY != word(table, m + 1))
                {
                    m++;
                }
                words.put(ByteTableDescriptor.slotOffset(m + 1), word(table, i));
            }
        },
        /** A second slot naming an older entry of a key, after the key's slot. */
        DUPLICATE("an earlier slot of its probe names the same key")
        {
            @Override
            void beforeClose(final OffHeapByteStore store, final ByteTable table)
            {
                final byte[] key = "twice".getBytes(StandardCharsets.UTF_8);
                final long[] before = new long[table.capacity];
                for (int i = 0; i < table.capacity; i++)
                {
                    before[i] = word(table, i);
                }
                assertFalse(store.put(key, "first".getBytes(StandardCharsets.UTF_8)));
                int slot = -1;
                for (int i = 0; i < table.capacity; i++)
                {
                    slot = before[i] != word(table, i) ? i : slot; // the one slot the insert claimed
                }
                final long old = word(table, slot);
                setWord(table, slot, EntryRef.EMPTY); // the old entry's block stays allocated
                store.put(key, "second".getBytes(StandardCharsets.UTF_8)); // claims the first empty slot of its probe
                int after = slot;
                while (EntryRef.EMPTY != word(table, after))
                {
                    after++;
                }
                setWord(table, after, old);
            }
        },
        /** A filter word zeroed: lookups of keys whose bit it held stop before the probe. */
        FILTER("the filter does not admit its key")
        {
            @Override
            void edit(final ByteTable table, final Map<Integer, Long> words)
            {
                final int filter = ByteTableDescriptor.filterOffset(table.capacity);
                for (int at = filter; at < table.region.length(); at += Long.BYTES)
                {
                    words.put(at, 0L);
                }
            }
        },
        /** A frozen slot in a table no replacement is working on. */
        FROZEN("frozen outside a replacement")
        {
            @Override
            void edit(final ByteTable table, final Map<Integer, Long> words)
            {
                final int i = atItsHome(table);
                words.put(ByteTableDescriptor.slotOffset(i), word(table, i) | EntryRef.FROZEN_BIT);
            }
        };

        final String found;

        SlotDamage(final String found)
        {
            this.found = found;
        }

        /** Damage made through the open store, which its close keeps (the close copies each table's words). */
        void beforeClose(final OffHeapByteStore store, final ByteTable table)
        {
        }

        /**
         * Damage made to the closed file, read from a read-only open of it: each word's offset in the table's
         * region to its new value.
         */
        void edit(final ByteTable table, final Map<Integer, Long> words)
        {
        }

        /** @return a LIVE slot after an EMPTY one (so at its key's home), away from the table's end. */
        static int atItsHome(final ByteTable table)
        {
            for (int i = 1; i < table.capacity / 2; i++)
            {
                if (EntryRef.EMPTY == word(table, i - 1) && EntryRef.LIVE == EntryRef.state(word(table, i)))
                {
                    return i;
                }
            }
            throw new AssertionError("no LIVE slot at its home");
        }

        static long word(final ByteTable table, final int index)
        {
            return table.region.getLong(ByteTableDescriptor.slotOffset(index));
        }

        static void setWord(final ByteTable table, final int index, final long word)
        {
            table.region.putLong(ByteTableDescriptor.slotOffset(index), word);
        }
    }

    @ParameterizedTest
    @EnumSource(SlotDamage.class)
    void aReadOnlyVerificationRefusesDamageTheCheapChecksPassAndWritesNothing(final SlotDamage damage)
        throws IOException
    {
        final Path file = dir.resolve(damage + ".store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).segments(1).build())
        {
            churn(store, model, 13, 1_500);
            damage.beforeClose(store, store.segment(0).table);
        }
        final Map<Integer, Long> words = new HashMap<>();
        final long tableOffset;
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build())
        {
            final ByteTable table = store.segment(0).table;
            damage.edit(table, words);
            tableOffset = table.region.offset(); // the file offset, for a store file
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            for (final Map.Entry<Integer, Long> edit : words.entrySet())
            {
                raf.seek(tableOffset + edit.getKey());
                raf.writeLong(Long.reverseBytes(edit.getValue())); // the file is little-endian
            }
        }
        final byte[] before = Files.readAllBytes(file);
        OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build().close(); // the cheap checks pass it
        final CorruptStoreException refused = assertThrows(CorruptStoreException.class,
            () -> OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true).build());
        assertTrue(refused.getMessage().contains(damage.found + ", found (nothing changed)"), refused.getMessage());
        assertTrue(refused.getMessage().contains("fails its verification"), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "a refused read-only verification writes nothing");
    }

    /**
     * The allocator state a clean close saved is checked against the entries: a free-list link (in a free block, so
     * not covered by the clean check) that names a block in use, which a later allocation would overwrite, is
     * refused, and so is a link into a cycle.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aReadOnlyVerificationRefusesAFreeListLinkToABlockInUse(final boolean cycle) throws IOException
    {
        final Path file = dir.resolve("free-list-" + cycle + ".store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).segments(1).build())
        {
            churn(store, model, 15, 4_000);
        }
        long linkOffset = -1;
        long target = -1;
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build())
        {
            final ByteTable table = store.segment(0).table;
            final EntryHeap heap = table.heap;
            for (int c = 0; c < SizeClasses.COUNT && linkOffset < 0; c++)
            {
                final long head = heap.root().getLong(HeapRootDescriptor.headOffset(c));
                if (0 != head)
                {
                    linkOffset = fileOffset(heap, heap.address(head, SizeClasses.MIN_BLOCK)) +
                        EntryDescriptor.NEXT_FREE_OFFSET;
                    target = cycle ? head : -1;
                }
            }
            for (int i = 0; i < table.capacity && target < 0; i++)
            {
                target = EntryRef.LIVE == EntryRef.state(table.wordAt(i)) ? EntryRef.position(table.wordAt(i)) : -1;
            }
        }
        assertTrue(linkOffset > 0, "the churn left a free block");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(linkOffset);
            raf.writeLong(Long.reverseBytes(target)); // the file is little-endian
        }
        final byte[] before = Files.readAllBytes(file);
        OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build().close(); // the cheap checks pass it
        final CorruptStoreException refused = assertThrows(CorruptStoreException.class,
            () -> OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true).build());
        assertTrue(refused.getMessage().contains(cycle ? "a cycle, found (nothing changed)" :
            "names a block in use"), refused.getMessage());
        assertTrue(refused.getMessage().contains("allocator states wrong=1"), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "a refused read-only verification writes nothing");
    }

    /**
     * The worst layout for the read-only check's probes, in a cleanly closed file: all entries in one run, each at a
     * slot before its key's home, and every empty slot after the run, so the probe from each home walks to the end
     * of the run and meets an empty slot there. Those failing walks are not charged to the work budget; walked for
     * every entry, they cost the square of the table (about 8 s at this size on the 2-core machine, and 4x that
     * for each doubling), so the check stops at the first; the time limit is far above the check's own time.
     */
    @Test
    void aReadOnlyVerificationOfTheWorstProbeLayoutEndsAtItsFirstUnreachableEntry() throws IOException
    {
        final Path file = dir.resolve("worst-probes.store");
        final int entries = 110_000;
        try (OffHeapByteStore store = builder(file).segments(1).maxLoad(0.95).initialCapacity(entries).build())
        {
            final byte[] value = new byte[8];
            for (int i = 0; i < entries; i++)
            {
                store.put(("w" + i).getBytes(StandardCharsets.UTF_8), value);
            }
        }
        final long slotsOffset;
        final long[] layout;
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build())
        {
            final ByteTable table = store.segment(0).table;
            final long[] byHome = new long[entries]; // home << 32 | slot index, to sort the words by home
            int count = 0;
            for (int i = 0; i < table.capacity; i++)
            {
                final long word = table.wordAt(i);
                if (EntryRef.LIVE == EntryRef.state(word))
                {
                    byHome[count++] = ((long)TableDescriptor.homeIndex(table.lowKeyHash(word), table.capacity) << 32) | i;
                }
            }
            assertEquals(entries, count);
            Arrays.sort(byHome);
            layout = new long[table.capacity]; // the k-th home gets slot k: before its home, for nearly all
            for (int k = 0; k < count; k++)
            {
                layout[k] = table.wordAt((int)byHome[k]);
            }
            slotsOffset = table.region.offset() + ByteTableDescriptor.slotOffset(0);
        }
        final java.nio.ByteBuffer slots = java.nio.ByteBuffer.allocate(layout.length * Long.BYTES)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        slots.asLongBuffer().put(layout);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(slots, slotsOffset);
        }
        final CorruptStoreException refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(4), () -> assertThrows(CorruptStoreException.class,
                () -> OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true).build()));
        assertTrue(refused.getMessage().contains("no lookup reaches it, found (nothing changed)"),
            refused.getMessage());
    }

    /** @return the file offset of {@code address}, which lies in one of {@code heap}'s regions. */
    private static long fileOffset(final EntryHeap heap, final long address)
    {
        for (final io.slotkv.core.memory.MemoryRegion region : heap.regions())
        {
            if (address >= region.address() && address < region.address() + region.length())
            {
                return region.offset() + (address - region.address());
            }
        }
        throw new AssertionError("no region of the heap holds address " + address);
    }

    @Test
    void aReadOnlyVerificationRefusesADamagedEntryAndWritesNothing() throws IOException
    {
        final Path file = dir.resolve("entry.store");
        final Map<String, byte[]> model = new HashMap<>();
        final byte[] marked = "a value nobody else has: 1c0ffee5".getBytes(StandardCharsets.US_ASCII);
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 14, 3_000);
            store.put("marked".getBytes(StandardCharsets.UTF_8), marked);
        }
        final int at = indexOf(Files.readAllBytes(file), marked);
        assertTrue(at > 0);
        flipByte(file, at + 5);
        final byte[] damaged = Files.readAllBytes(file);
        OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).build().close(); // the cheap checks pass it
        final CorruptStoreException refused = assertThrows(CorruptStoreException.class,
            () -> OffHeapByteStore.builder().file(file, OpenMode.READ_ONLY).verifyOnOpen(true).build());
        assertTrue(refused.getMessage().contains("checksum does not match, found (nothing changed)"),
            refused.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(file), "a refused read-only verification writes nothing");
    }

    @Test
    void theOtherMapKindIsRefusedByName()
    {
        final Path bytes = dir.resolve("bytes.store");
        builder(bytes).build().close();
        final CorruptStoreException asLongMap = assertThrows(CorruptStoreException.class,
            () -> OffHeapLongLongMap.builder().file(bytes).build());
        assertTrue(asLongMap.getMessage().contains("BYTESTOR") || asLongMap.getMessage().contains("0x524f"),
            asLongMap.getMessage());
        final Path longs = dir.resolve("longs.store");
        OffHeapLongLongMap.builder().file(longs).build().close();
        final CorruptStoreException asBytes = assertThrows(CorruptStoreException.class,
            () -> OffHeapByteStore.builder().file(longs).build());
        assertTrue(asBytes.getMessage().contains("not a byte store directory"), asBytes.getMessage());
    }

    @Test
    void freeSpaceIsReusedAcrossReopensAndRecoveries()
    {
        final Path file = dir.resolve("reuse.store");
        final byte[] value = new byte[1_000];
        try (OffHeapByteStore store = builder(file).build())
        {
            for (int i = 0; i < 5_000; i++)
            {
                store.put(("key-" + i).getBytes(StandardCharsets.UTF_8), value);
            }
        }
        for (int round = 0; round < 4; round++)
        {
            final long before;
            try (OffHeapByteStore store = builder(file).build())
            {
                for (int i = round % 2; i < 5_000; i += 2) // half the blocks go to the free lists
                {
                    store.remove(("key-" + i).getBytes(StandardCharsets.UTF_8));
                }
                before = store.offHeapBytes();
            }
            final OffHeapByteStore store = builder(file).build();
            for (int i = round % 2; i < 5_000; i += 2) // fits the free blocks: saved by the close, or rebuilt
            {
                value[0] = (byte)round;
                store.put(("key-" + i).getBytes(StandardCharsets.UTF_8), value);
            }
            assertEquals(5_000, store.size());
            assertTrue(store.offHeapBytes() <= before, "round " + round + ": " + store.offHeapBytes() +
                " bytes off-heap after the puts, " + before + " before them: the free blocks were not reused");
            if (0 == round % 2)
            {
                store.close();
            }
            else
            {
                store.abandon(); // the next open rebuilds the free space from the entries
            }
        }
    }

    @Test
    void aFileOverTwoGibibytesReopensAndRecovers() throws IOException
    {
        final Path file = dir.resolve("large.store");
        final int values = 2_100; // of 1 MiB: past 2 GiB, so positions and offsets need more than 31 bits
        final byte[] value = new byte[1 << 20];
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).segments(2).build())
        {
            for (int i = 0; i < values; i++)
            {
                fillLarge(value, i, 0);
                store.put(("large-" + i).getBytes(StandardCharsets.UTF_8), value);
            }
        }
        assertTrue(Files.size(file) > (2L << 30), "file length " + Files.size(file));
        final OffHeapByteStore reopened = OffHeapByteStore.builder().file(file).build();
        assertTrue(reopened.recoveryReport().isEmpty());
        for (int i = 0; i < values; i += 7)
        {
            fillLarge(value, i, 0);
            assertArrayEquals(value, reopened.get(("large-" + i).getBytes(StandardCharsets.UTF_8)), "value " + i);
        }
        for (int i = values - 100; i < values; i++) // the last ones, in the arenas past 2 GiB, replaced
        {
            fillLarge(value, i, 1);
            reopened.put(("large-" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        reopened.abandon();
        try (OffHeapByteStore recovered = OffHeapByteStore.builder().file(file).build())
        {
            final RecoveryReport report = recovered.recoveryReport().orElseThrow();
            assertEquals(0, report.purged(), report.toString());
            assertEquals(values, recovered.size());
            for (int i = 0; i < values; i++)
            {
                fillLarge(value, i, i >= values - 100 ? 1 : 0);
                assertArrayEquals(value, recovered.get(("large-" + i).getBytes(StandardCharsets.UTF_8)), "value " + i);
            }
        }
    }

    private static void fillLarge(final byte[] value, final int index, final int version)
    {
        Arrays.fill(value, (byte)(index * 31 + version));
        value[0] = (byte)index;
        value[value.length - 1] = (byte)(index >>> 8);
        value[value.length / 2] = (byte)version;
    }

    @Test
    void arenasFilledToTheLastByteReopen()
    {
        // 64 KiB chunks make every arena full-length, and 64-byte entries fill one exactly (1,023 blocks after the
        // header): the bump pointer ends on the first position of the next arena's slot, which must still count as
        // the full arena's, or the next arena skips an index and the reopen refuses the gap
        final Path file = dir.resolve("full-arenas.store");
        final Map<String, byte[]> model = new HashMap<>();
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().file(file).segments(2).chunkSize(1 << 16)
            .maxKeyLength(64).maxValueLength(8_000);
        try (OffHeapByteStore store = builder.build())
        {
            for (int i = 0; i < 6_000; i++)
            {
                final String key = String.format("k%05d", i);
                final byte[] value = new byte[64 - 12 - key.length()];
                Arrays.fill(value, (byte)i);
                store.put(key.getBytes(StandardCharsets.UTF_8), value);
                model.put(key, value);
            }
            assertTrue(store.freeBytes() < 2 * 65_536, "the arenas are full: " + store.freeBytes() + " bytes free");
        }
        try (OffHeapByteStore store = builder.build())
        {
            assertHolds(model, store);
            churn(store, model, 10, 3_000);
        }
        try (OffHeapByteStore store = builder.verifyOnOpen(true).build())
        {
            assertEquals(0, store.recoveryReport().orElseThrow().purged());
            assertHolds(model, store);
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"arena header", "past the arena's end", "outside"})
    void aDamagedFreeListLinkOfACleanFileIsDroppedNotFollowed(final String where) throws IOException
    {
        // a clean open trusts the saved free lists; a link in a free block is not covered by the clean check, so a
        // pop checks it: followed, it would write an entry over the arena's header (the file could never be opened
        // again) or past the arena (outside the mapping: a JVM crash)
        final Path file = dir.resolve("free-list.store");
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().file(file).segments(1).chunkSize(CHUNK)
            .maxKeyLength(200).maxValueLength(8_000);
        final byte[] first = "the first value of a, freed when a is written again: 0123456789abcdefghijklmnopqrstuvwxyz"
            .getBytes(StandardCharsets.US_ASCII);
        final byte[] second = Arrays.copyOf(first, first.length);
        second[0] = 'T';
        final byte[] key = "a".getBytes(StandardCharsets.UTF_8);
        try (OffHeapByteStore store = builder.build())
        {
            store.put(key, first);
            store.put(key, second); // the first entry's block goes on its class's free list
        }
        final byte[] bytes = Files.readAllBytes(file);
        // the free block's link (its word at offset 8) covers the first bytes of its value: find the rest
        final int skip = 16;
        final int value = indexOf(bytes, Arrays.copyOfRange(first, skip, first.length)) - skip;
        final int block = value - EntryDescriptor.KEY_OFFSET - key.length;
        assertTrue(block > 0, "the freed entry is in the file");
        final long arena = 1L << (Integer.numberOfTrailingZeros((int)CHUNK) - 3); // position of arena 1's first byte
        final long link;
        switch (where)
        {
            case "arena header":
                link = arena;
                break;
            case "past the arena's end":
                link = arena + (Files.size(file) > 0 ? 65_536 / 8 - 2 : 0); // the first arena is 64 KiB
                break;
            default:
                link = 1L << 35;
                break;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(block + EntryDescriptor.NEXT_FREE_OFFSET);
            raf.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(link).array());
        }
        final Map<String, byte[]> model = new HashMap<>();
        model.put("a", second);
        try (OffHeapByteStore store = builder.build())
        {
            assertTrue(store.recoveryReport().isEmpty(), "a clean open trusts the free lists");
            for (int i = 0; i < 3; i++) // the first pops the damaged block's list, the next ones must not follow it
            {
                final String k = "b" + i;
                store.put(k.getBytes(StandardCharsets.UTF_8), first);
                model.put(k, first);
            }
            assertHolds(model, store);
        }
        try (OffHeapByteStore store = builder.build())
        {
            assertTrue(store.recoveryReport().isPresent(), "a store that met damage is left for recovery");
            assertHolds(model, store);
        }
    }

    @Test
    void anAllZeroBlockIsNoEntry()
    {
        assertTrue(0 != EntryDescriptor.lengthsCheck(EntryDescriptor.header(0, 0, 0)), "CRC32C of nothing is 0: the lengths' share must not be");
    }

    @Test
    void aZeroedFilterHidesKeysFromReadsButNoReadComputeWriteSpinsOnIt()
    {
        // what a clean open trusts: a filter word zeroed in the file makes get answer "absent" for keys the writers
        // still find; getAndSet, incrBy and the view's putIfAbsent read, then write only if absent: the write heals
        // the filter instead of answering "present" forever (a fuzzer file spun here before)
        try (OffHeapByteStore store = OffHeapByteStore.builder().segments(1).build())
        {
            final byte[] key = "counter".getBytes(StandardCharsets.UTF_8);
            store.put(key, "41".getBytes(StandardCharsets.UTF_8));
            final ByteTable table = store.segment(0).table;
            final int filter = ByteTableDescriptor.filterOffset(table.capacity);
            table.region.setZero(filter, table.region.length() - filter);
            assertNull(store.get(key), "the damaged filter hides the key from reads");
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
            {
                assertEquals(42, store.incrBy(key, 1));
                assertArrayEquals("42".getBytes(StandardCharsets.UTF_8),
                    store.getAndSet(key, "7".getBytes(StandardCharsets.UTF_8)));
                assertEquals("7", store.asConcurrentMap().putIfAbsent("counter", "8"));
            });
        }
    }

    /**
     * Limits a reopen raises are kept in the file: a later open with the builder's defaults still reads the longer
     * entries (before, it fell back to the first limits and refused them); lower limits are refused before anything
     * is written.
     */
    @Test
    void raisedLimitsAreKeptAndLowerOnesRefused() throws IOException
    {
        final Path file = dir.resolve("limits.store");
        final OffHeapByteStore.Builder small = OffHeapByteStore.builder().file(file).segments(2).chunkSize(CHUNK)
            .maxKeyLength(100).maxValueLength(1_000);
        try (OffHeapByteStore store = small.build())
        {
            store.put(new byte[100], new byte[1_000]);
        }
        final byte[] longKey = new byte[150];
        Arrays.fill(longKey, (byte)7);
        final byte[] longValue = new byte[5_000];
        Arrays.fill(longValue, (byte)9);
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).maxKeyLength(200).maxValueLength(6_000)
            .build())
        {
            store.put(longKey, longValue);
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
        {
            assertTrue(store.recoveryReport().isEmpty(), "a clean reopen: the raised limits are covered by the clean check");
            assertEquals(200, store.maxKeyLength());
            assertEquals(6_000, store.maxValueLength());
            assertArrayEquals(longValue, store.get(longKey));
            assertArrayEquals(new byte[1_000], store.get(new byte[100]));
        }
        final byte[] before = Files.readAllBytes(file);
        final IllegalArgumentException lower = assertThrows(IllegalArgumentException.class,
            () -> OffHeapByteStore.builder().file(file).maxValueLength(2_000).build());
        assertTrue(lower.getMessage().contains("maxValueLength=2000 (stored 6000)"), lower.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "a refused open writes nothing");
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
        {
            assertArrayEquals(longValue, store.get(longKey), "and the store opens again after the refusal");
        }
    }

    /** The limits word is covered by the clean check: one changed in a closed file makes the open verify. */
    @Test
    void aChangedLimitsWordFailsTheCleanCheck() throws IOException
    {
        final Path file = dir.resolve("limits-damaged.store");
        final Map<String, byte[]> model = new HashMap<>();
        try (OffHeapByteStore store = builder(file).build())
        {
            churn(store, model, 12, 500);
        }
        final byte[] bytes = Files.readAllBytes(file);
        final int directory = indexOf(bytes, "BYTESTOR".getBytes(StandardCharsets.US_ASCII));
        assertTrue(directory > 0);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(directory + DirectoryDescriptor.LIMITS_OFFSET);
            raf.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong((300L << 32) | 9_000).array()); // other limits, still valid ones
        }
        try (OffHeapByteStore store = OffHeapByteStore.builder().file(file).build())
        {
            final RecoveryReport report = store.recoveryReport().orElseThrow(); // the open verified the file
            assertTrue(report.cleanCheckFailed(), report.toString());
            assertHolds(model, store);
        }
    }

    /**
     * Writers inserting while the store closes: a writer whose insert meets the closing fence has built its entry in
     * a block it never publishes, and must give the block back before close saves the heaps, or the saved allocator
     * state leaks it (and, worse, a block the writer freed after the save would be on the next owner's free list).
     * The state a clean reopen restores must equal the one a verifying open rebuilds from the entries themselves.
     */
    @Test
    void closeRacingInsertsLeaksNoBlock() throws Exception
    {
        for (int round = 0; round < 30; round++)
        {
            final Path file = dir.resolve("close-race-" + round + ".store");
            final OffHeapByteStore store = builder(file).build();
            final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
            final Thread[] writers = new Thread[2];
            final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
            final java.util.concurrent.atomic.AtomicLong puts = new java.util.concurrent.atomic.AtomicLong();
            for (int w = 0; w < writers.length; w++)
            {
                final int writer = w;
                writers[w] = new Thread(() ->
                {
                    started.countDown();
                    try
                    {
                        for (int i = 0; ; i++)
                        {
                            store.put(("w" + writer + "-" + i).getBytes(StandardCharsets.US_ASCII),
                                new byte[1 + (i % 300)]);
                            puts.incrementAndGet();
                        }
                    }
                    catch (final IllegalStateException closed)
                    {
                        // the store closed under the writer: the documented outcome
                    }
                    catch (final Throwable ex)
                    {
                        failure.set(ex);
                    }
                });
                writers[w].start();
            }
            started.await();
            final long wanted = 100L * (1 + round % 5); // close after a number of puts, not after a time
            while (puts.get() < wanted && null == failure.get())
            {
                Thread.onSpinWait();
            }
            store.close();
            for (final Thread writer : writers)
            {
                writer.join();
            }
            assertNull(failure.get());
            final long allocated;
            final long free;
            final long payload;
            try (OffHeapByteStore clean = builder(file).build())
            {
                assertTrue(clean.recoveryReport().isEmpty(), "closed cleanly");
                allocated = clean.entryBytes();
                free = clean.freeBytes();
                payload = clean.keyValueBytes();
            }
            try (OffHeapByteStore verified = builder(file).verifyOnOpen(true).build())
            {
                final RecoveryReport report = verified.recoveryReport().orElseThrow();
                assertEquals(0, report.purged(), report.toString());
                assertEquals(verified.entryBytes(), allocated, "round " + round + ": blocks in use");
                assertEquals(verified.freeBytes(), free, "round " + round + ": free bytes");
                assertEquals(verified.keyValueBytes(), payload, "round " + round + ": key and value bytes");
            }
        }
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }
}
