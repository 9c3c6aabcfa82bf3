package io.slotkv.map;

import org.agrona.UnsafeApi;

import static io.slotkv.map.SlotDescriptor.ABSENT;
import static io.slotkv.map.SlotDescriptor.FROZEN;

/**
 * The write operations of the map, each one a rule from the current value word to the next, applied with one
 * CAS on the value word. Operands are value <em>words</em> of the table the rule is applied in (values already
 * XORed with its value key), except for {@link #ADD}, whose operands are a delta and the one sum that must not be
 * stored (the map's missing value).
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
     * @return true if the operation's {@code word} operand is a value word to store (false: a delta, or nothing).
     */
    static boolean storesWord(final int op)
    {
        return PUT == op || PUT_IF_ABSENT == op || REPLACE == op || REPLACE_IF_EQUAL == op;
    }

    /**
     * @return true if the operation's {@code expected} operand is a value word to compare with.
     */
    static boolean comparesWord(final int op)
    {
        return REPLACE_IF_EQUAL == op || REMOVE_IF_EQUAL == op;
    }

    /**
     * Apply {@code op} to the value word at {@code address} of {@code table}.
     * <p>
     * Linearization point: the successful CAS; or, when the rule leaves the word unchanged, the read that saw it.
     * A CAS can only succeed on a word that is not {@link SlotDescriptor#FROZEN}, that is before a replacement
     * copied the slot, so the replacement copies the result: no update is lost.
     *
     * @param word     the new word (PUT, PUT_IF_ABSENT, REPLACE, REPLACE_IF_EQUAL) or the delta (ADD).
     * @param expected the expected word (REPLACE_IF_EQUAL, REMOVE_IF_EQUAL) or the forbidden sum (ADD).
     * @return the word before the update, or {@link SlotDescriptor#FROZEN} if the slot is frozen or the sum of an
     * ADD cannot be stored with this table's value key (nothing done; {@link LongLongTable#rekeyRequested} is set).
     * @throws ArithmeticException      if ADD overflows.
     * @throws IllegalArgumentException if ADD's sum is the forbidden value.
     */
    static long apply(
        final LongLongTable table, final long address, final int op, final long word, final long expected)
    {
        long previous = UnsafeApi.getLongAcquire(null, address);
        while (FROZEN != previous)
        {
            final long next = ADD == op ? add(table, previous, word, expected) : next(op, previous, word, expected);
            if (FROZEN == next)
            {
                return FROZEN; // the sum needs a new value key
            }
            if (next == previous)
            {
                return previous;
            }
            // Linearization point of a write. Its release half publishes the key word claimed before it (same
            // thread): it pairs with the acquire load of this word in get/apply and with a replacement's freezing
            // CAS, which then reads the key word after it.
            final long witness = UnsafeApi.compareAndExchangeLong(null, address, previous, next);
            if (witness == previous)
            {
                return previous;
            }
            previous = witness;
            final StoreCounters counters = table.counters;
            if (null != counters)
            {
                counters.increment(StoreCounters.CAS_RETRIES);
            }
        }
        return FROZEN;
    }

    /**
     * @param present whether the key had a value before the operation.
     * @param matched whether that value was the expected one (REPLACE_IF_EQUAL, REMOVE_IF_EQUAL).
     * @return the {@link StoreCounters} counter the operation counts in, or -1 if it changed nothing.
     */
    static int counter(final int op, final boolean present, final boolean matched)
    {
        switch (op)
        {
            case PUT:
            case ADD:
                return present ? StoreCounters.UPDATES : StoreCounters.INSERTS;
            case PUT_IF_ABSENT:
                return present ? -1 : StoreCounters.INSERTS;
            case REPLACE:
                return present ? StoreCounters.UPDATES : -1;
            case REPLACE_IF_EQUAL:
                return matched ? StoreCounters.UPDATES : -1;
            case REMOVE:
                return present ? StoreCounters.REMOVES : -1;
            case REMOVE_IF_EQUAL:
                return matched ? StoreCounters.REMOVES : -1;
            default:
                throw new IllegalArgumentException("unknown operation: op=" + op);
        }
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

    private static long add(final LongLongTable table, final long previous, final long delta, final long forbidden)
    {
        final long value = ABSENT == previous ? 0 : table.decode(previous);
        final long sum = value + delta;
        if (((value ^ sum) & (delta ^ sum)) < 0)
        {
            throw new ArithmeticException("long overflow: value=" + value + ", delta=" + delta);
        }
        if (sum == forbidden)
        {
            throw new IllegalArgumentException("result is the missing value, which get() returns for an absent " +
                "key: value=" + value + ", delta=" + delta + ", missingValue=" + forbidden);
        }
        final long word = table.encode(sum);
        if (SlotDescriptor.isReserved(word))
        {
            table.requestRekey();
            return FROZEN;
        }
        return word;
    }
}
