package io.slotkv.map;

import io.slotkv.core.memory.MemoryRegion;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.FROZEN;
import static io.slotkv.map.SlotDescriptor.MIN_STORABLE_VALUE;
import static io.slotkv.map.SlotDescriptor.decode;
import static io.slotkv.map.SlotDescriptor.encode;

/**
 * The write operations of the map, each one a rule from the current value word to the next, applied with one
 * CAS on the value word. Operands are value <em>words</em> (already {@link SlotDescriptor#encode encoded}), except
 * the delta of {@link #ADD}.
 */
final class ValueUpdate
{
    /** Set the value. Inserts. */
    static final int PUT = 0;
    /** Set the value if there is none. Inserts. */
    static final int PUT_IF_ABSENT = 1;
    /** Add a delta to the value, absent counting as 0. Inserts. */
    static final int ADD = 2;
    /** Set the value if there is one. */
    static final int REPLACE = 3;
    /** Set the value if it equals the expected word. */
    static final int REPLACE_IF_EQUAL = 4;
    /** Remove the value. */
    static final int REMOVE = 5;
    /** Remove the value if it equals the expected word. */
    static final int REMOVE_IF_EQUAL = 6;

    private ValueUpdate()
    {
    }

    /**
     * @return true if the operation creates a value when there is none, so it claims an empty slot.
     */
    static boolean inserts(final int op)
    {
        return op < REPLACE;
    }

    /**
     * Apply {@code op} to the value word at {@code offset}.
     * <p>
     * Linearization point: the successful CAS; or, when the rule leaves the word unchanged, the read that saw it.
     * A CAS can only succeed on a word that is not {@link SlotDescriptor#FROZEN}, that is before a resize copied the
     * slot, so the resize copies the result: no update is lost.
     *
     * @param word    the new word (PUT, PUT_IF_ABSENT, REPLACE, REPLACE_IF_EQUAL) or the delta (ADD).
     * @param expected the expected word (REPLACE_IF_EQUAL, REMOVE_IF_EQUAL).
     * @return the word before the update, or {@link SlotDescriptor#FROZEN} if the slot is frozen (nothing done).
     * @throws ArithmeticException      if ADD overflows.
     * @throws IllegalArgumentException if ADD's result is a reserved value.
     */
    static long apply(
        final MemoryRegion region, final int offset, final int op, final long word, final long expected)
    {
        long previous = region.getLongAcquire(offset);
        while (FROZEN != previous)
        {
            final long next = next(op, previous, word, expected);
            if (next == previous)
            {
                return previous;
            }
            // Linearization point of a write. Its release half publishes the key word claimed before it (same
            // thread): it pairs with the acquire load of this word in get/apply and with a resize's freezing CAS,
            // which then reads the key word after it.
            final long witness = region.compareAndExchangeLong(offset, previous, next);
            if (witness == previous)
            {
                return previous;
            }
            previous = witness;
        }
        return FROZEN;
    }

    /**
     * @return +1 if the update turned {@code previous} into a value, -1 if it removed one, else 0.
     */
    static long liveDelta(final int op, final long previous, final long expected)
    {
        if (ABSENT == previous)
        {
            return inserts(op) ? 1 : 0;
        }
        return REMOVE == op || (REMOVE_IF_EQUAL == op && expected == previous) ? -1 : 0;
    }

    private static long next(final int op, final long previous, final long word, final long expected)
    {
        switch (op)
        {
            case PUT:
                return word;
            case PUT_IF_ABSENT:
                return ABSENT == previous ? word : previous;
            case ADD:
                return add(previous, word);
            case REPLACE:
                return ABSENT == previous ? previous : word;
            case REPLACE_IF_EQUAL:
                return expected == previous ? word : previous;
            case REMOVE:
                return ABSENT;
            case REMOVE_IF_EQUAL:
                return expected == previous ? ABSENT : previous;
            default:
                throw new IllegalArgumentException("unknown operation: op=" + op);
        }
    }

    private static long add(final long previous, final long delta)
    {
        final long value = ABSENT == previous ? 0 : decode(previous);
        final long sum = value + delta;
        if (((value ^ sum) & (delta ^ sum)) < 0)
        {
            throw new ArithmeticException("long overflow: value=" + value + ", delta=" + delta);
        }
        if (sum < MIN_STORABLE_VALUE)
        {
            throw new IllegalArgumentException("result is a reserved value: value=" + value + ", delta=" + delta +
                ", result=" + sum + " (Long.MIN_VALUE and Long.MIN_VALUE + 1 are reserved)");
        }
        return encode(sum);
    }
}
