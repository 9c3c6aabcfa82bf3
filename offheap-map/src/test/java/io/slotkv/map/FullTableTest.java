package io.slotkv.map;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.core.memory.AnonymousMemorySpace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A table with no empty slot (a damaged file, or inserters racing past the threshold): a lookup of an absent key is
 * a miss, not a reason to resize (which at maximum capacity made a get throw "segment is full").
 */
class FullTableTest
{
    @Test
    void shouldMissAnAbsentKeyInAFullTableAndOnlyReplaceItToInsert()
    {
        final long seed = 0x1234_5678_9ABC_DEF0L;
        final LongLongTable table = LongLongTable.allocate(new AnonymousMemorySpace(), TableDescriptor.MIN_CAPACITY, 0.7,
            seed, 0x5555_AAAA_5555_AAAAL);
        for (long key = 1; key <= table.capacity; key++)
        {
            final int slot = table.claimPrivate(key);
            table.region.putLong(TableDescriptor.slotOffset(slot) + SlotDescriptor.VALUE_OFFSET, table.encode(key));
        }
        final long absent = 1_000;
        final long hash = LongHashing.mix(absent, seed);
        assertEquals(SlotDescriptor.ABSENT, table.get(absent, hash));
        assertEquals(SlotDescriptor.ABSENT, table.update(absent, hash, ValueUpdate.REMOVE, 0, 0));
        assertEquals(SlotDescriptor.ABSENT, table.update(absent, hash, ValueUpdate.REPLACE, 5, 0));
        assertEquals(SlotDescriptor.FROZEN, table.update(absent, hash, ValueUpdate.PUT, 5, 0), "an insert needs a replacement");
        assertEquals(table.encode(7), table.get(7, LongHashing.mix(7, seed)));
    }
}
