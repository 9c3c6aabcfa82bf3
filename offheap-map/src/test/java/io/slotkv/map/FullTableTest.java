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
        final LongLongTable table = LongLongTable.allocate(new AnonymousMemorySpace(), TableDescriptor.MIN_CAPACITY, 0.7);
        for (long key = 1; key <= table.capacity; key++)
        {
            final int slot = table.claimPrivate(key);
            table.region.putLong(TableDescriptor.slotOffset(slot) + SlotDescriptor.VALUE_OFFSET, SlotDescriptor.encode(key));
        }
        final long absent = 1_000;
        final long hash = LongHashing.mix(absent);
        assertEquals(SlotDescriptor.ABSENT, table.get(absent, hash));
        assertEquals(SlotDescriptor.ABSENT, table.update(absent, hash, ValueUpdate.REMOVE, SlotDescriptor.ABSENT,
            SlotDescriptor.ABSENT));
        assertEquals(SlotDescriptor.ABSENT, table.update(absent, hash, ValueUpdate.REPLACE, SlotDescriptor.encode(5),
            SlotDescriptor.ABSENT));
        assertEquals(SlotDescriptor.FROZEN, table.update(absent, hash, ValueUpdate.PUT, SlotDescriptor.encode(5),
            SlotDescriptor.ABSENT), "an insert needs a replacement");
        assertEquals(SlotDescriptor.encode(7), table.get(7, LongHashing.mix(7)));
    }
}
