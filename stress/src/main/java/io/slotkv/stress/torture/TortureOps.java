package io.slotkv.stress.torture;

import io.slotkv.map.OffHeapLongLongMap;

/**
 * The operations the writers log, applied to the map by the child and to the model by the driver: one definition
 * of what each returns and leaves, so the child's call and the driver's replay cannot disagree.
 * <p>
 * The model keeps one word per key: a value, {@link #REMOVED} (written, now without a value) or {@link #NEVER} (no
 * log ever named the key). These two are words of the model, not of the map: since store format 3 the map stores
 * every long (a value word is {@code value ^ valueKey}, and a table is re-keyed for a value that would encode to
 * ABSENT or FROZEN); only its primitive API refuses its missing value. The map is built with the default missing
 * value, {@link Long#MIN_VALUE} (= {@link #NEVER}), so no writer can store it; {@code Long.MIN_VALUE + 1}
 * (= {@link #REMOVED}) is storable but never written: the writers' values stay within
 * {@link TortureWriter#VALUE_BOUND} plus their deltas, and re-keying values {@link TortureWriter#REKEY_MARGIN} away
 * from the extremes. So every model word above {@link #REMOVED} is a value.
 */
final class TortureOps
{
    /** {@code put(key, operand)}: returns the previous value or {@link #MISSING}. */
    static final int PUT = 1;

    /** {@code putIfAbsent(key, operand)}: returns the current value (nothing changed) or {@link #MISSING}. */
    static final int PUT_IF_ABSENT = 2;

    /** {@code getAndAdd(key, operand)}: returns the previous value, 0 if there was none (the key is created). */
    static final int GET_AND_ADD = 3;

    /** {@code remove(key)}: returns the removed value or {@link #MISSING}. */
    static final int REMOVE = 4;

    /** What the map returns for an absent key: its default missing value. */
    static final long MISSING = OffHeapLongLongMap.DEFAULT_MISSING_VALUE;

    /** Model word of a key no log ever wrote (the map's missing value, which no writer can store). */
    static final long NEVER = Long.MIN_VALUE;

    /** Model word of a key that was written and has no value now (removed); a value no writer produces. */
    static final long REMOVED = Long.MIN_VALUE + 1;

    private TortureOps()
    {
    }

    /**
     * @return true if the model word {@code word} is a value (not {@link #NEVER} or {@link #REMOVED}).
     */
    static boolean hasValue(final long word)
    {
        return word > REMOVED;
    }

    /**
     * Run {@code op} on the map.
     *
     * @return what the map returned.
     */
    static long apply(final OffHeapLongLongMap map, final int op, final long key, final long operand)
    {
        switch (op)
        {
            case PUT:
                return map.put(key, operand);
            case PUT_IF_ABSENT:
                return map.putIfAbsent(key, operand);
            case GET_AND_ADD:
                return map.getAndAdd(key, operand);
            case REMOVE:
                return map.remove(key);
            default:
                throw new IllegalArgumentException("unknown operation: op=" + op);
        }
    }

    /**
     * @return what {@code op} returns when the key's model word is {@code word}.
     */
    static long result(final int op, final long word)
    {
        if (GET_AND_ADD == op)
        {
            return hasValue(word) ? word : 0;
        }
        return hasValue(word) ? word : MISSING;
    }

    /**
     * @return the key's model word after {@code op} with {@code operand} on {@code word}.
     */
    static long next(final int op, final long word, final long operand)
    {
        switch (op)
        {
            case PUT:
                return operand;
            case PUT_IF_ABSENT:
                return hasValue(word) ? word : operand;
            case GET_AND_ADD:
                return (hasValue(word) ? word : 0) + operand;
            case REMOVE:
                return NEVER == word ? NEVER : REMOVED;
            default:
                throw new IllegalArgumentException("unknown operation: op=" + op);
        }
    }

    static String name(final int op)
    {
        switch (op)
        {
            case PUT:
                return "put";
            case PUT_IF_ABSENT:
                return "putIfAbsent";
            case GET_AND_ADD:
                return "getAndAdd";
            case REMOVE:
                return "remove";
            default:
                return "op#" + op;
        }
    }

    /**
     * @return a model word as text: the value, "removed" or "never written".
     */
    static String describe(final long word)
    {
        return NEVER == word ? "never written" : REMOVED == word ? "removed (absent)" : Long.toString(word);
    }
}
