package io.slotkv.map;

import org.agrona.UnsafeApi;

import static io.slotkv.map.TableDescriptor.filterBits;
import static io.slotkv.map.TableDescriptor.filterWordOffset;

/**
 * The absent-key filter at the end of every table ({@link TableDescriptor}): one word per 16 home slots, three bits
 * per key, set before the key claims a slot and never cleared while the table is in use. Shared by every table
 * kind; each passes the address of its filter.
 */
final class AbsentKeyFilter
{
    private AbsentKeyFilter()
    {
    }

    /**
     * Whether a key of {@code hash} (home slot {@code home}) may have claimed a slot: false if it never did. An
     * acquire load, like a slot word: a reader validates the table afterwards.
     */
    static boolean mayHold(final long filter, final long hash, final int home)
    {
        final long bits = filterBits(hash);
        return (UnsafeApi.getLongAcquire(null, filter + filterWordOffset(home)) & bits) == bits;
    }

    /**
     * Set the bits of {@code hash} by CAS (skipped if they are set already): before the claiming CAS of the key.
     */
    static void add(final long filter, final long hash, final int home)
    {
        final long bits = filterBits(hash);
        final long address = filter + filterWordOffset(home);
        long word = UnsafeApi.getLongVolatile(null, address);
        while ((word & bits) != bits)
        {
            final long witness = UnsafeApi.compareAndExchangeLong(null, address, word, word | bits);
            word = witness == word ? bits : witness;
        }
    }

    /**
     * Set the bits of {@code hash} in a table no other thread writes (a replacement's copy, recovery's): one plain
     * store of the word, which readers may read (a single aligned store is atomic for them).
     *
     * @return true if a bit was not set before.
     */
    static boolean addPrivate(final long filter, final long hash, final int home)
    {
        final long bits = filterBits(hash);
        final long address = filter + filterWordOffset(home);
        final long word = UnsafeApi.getLong(null, address);
        if ((word & bits) == bits)
        {
            return false;
        }
        UnsafeApi.putLong(null, address, word | bits);
        return true;
    }
}
