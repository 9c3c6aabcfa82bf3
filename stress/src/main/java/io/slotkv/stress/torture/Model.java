package io.slotkv.stress.torture;

import io.slotkv.map.OffHeapLongLongMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static io.slotkv.stress.torture.TortureOps.NEVER;
import static io.slotkv.stress.torture.TortureOps.REMOVED;
import static io.slotkv.stress.torture.TortureOps.hasValue;

/**
 * What the store must hold: every key's model word after all acknowledged (done) operations of every log
 * replayed so far, in log order per thread (threads own disjoint keys, so no order between threads matters).
 * <p>
 * A killed thread leaves at most one operation intended but not acknowledged; it may or may not have taken
 * effect, so its key is <em>ambiguous</em>: it has a set of candidate words (without and with that operation).
 * A later acknowledged operation on the key narrows the set by what it returned (a child that ran on a file
 * nobody verified), and a verification settles it to what the map holds, which must be one of them.
 */
final class Model
{
    private final Long2LongHashMap words = new Long2LongHashMap(NEVER);
    private final Map<Long, long[]> ambiguous = new HashMap<>();
    private final long[] nextIndex = new long[TortureKeys.MAX_THREADS];
    long acknowledged;
    long pending;
    long pendingApplied;
    long pendingNotApplied;

    /**
     * @return the first key index thread {@code thread} has never used.
     */
    long nextIndex(final int thread)
    {
        return nextIndex[thread];
    }

    /**
     * @return keys with a value, ambiguous keys counted if any candidate has one: a bound for sizing only.
     */
    long liveUpperBound()
    {
        final long[] live = new long[1];
        words.forEachLong((key, word) -> live[0] += hasValue(word) ? 1 : 0);
        return live[0] + ambiguous.size();
    }

    int ambiguousKeys()
    {
        return ambiguous.size();
    }

    /**
     * Forget everything: the store is discarded.
     */
    void clear()
    {
        words.clear();
        words.compact();
        ambiguous.clear();
        Arrays.fill(nextIndex, 0);
    }

    /**
     * Replay one thread's log.
     *
     * @return records read.
     */
    long replay(final Path log, final Violations violations)
    {
        return OpLog.read(log, new OpLog.Visitor()
        {
            @Override
            public void done(final int op, final long key, final long operand, final long result)
            {
                acknowledged++;
                use(key);
                final long[] candidates = ambiguous.get(key);
                if (null == candidates)
                {
                    final long word = words.get(key);
                    if (TortureOps.result(op, word) != result)
                    {
                        violations.add(Violations.Kind.WRONG_RESULT, TortureOps.name(op) + "(" + key + ", " +
                            operand + ") returned " + result + " but the key's acknowledged state was " +
                            TortureOps.describe(word) + " (" + log + ")");
                        set(key, TortureOps.next(op, implied(op, result), operand));
                    }
                    else
                    {
                        set(key, TortureOps.next(op, word, operand));
                    }
                    return;
                }
                long[] next = new long[0];
                for (final long candidate : candidates)
                {
                    if (TortureOps.result(op, candidate) == result)
                    {
                        next = with(next, TortureOps.next(op, candidate, operand));
                    }
                }
                if (0 == next.length)
                {
                    violations.add(Violations.Kind.WRONG_RESULT, TortureOps.name(op) + "(" + key + ", " + operand +
                        ") returned " + result + " but the key could only be one of " + describe(candidates) +
                        " (" + log + ")");
                    next = new long[]{ TortureOps.next(op, implied(op, result), operand) };
                }
                settle(key, next);
            }

            @Override
            public void pending(final int op, final long key, final long operand)
            {
                pending++;
                use(key);
                final long[] before = ambiguous.containsKey(key) ? ambiguous.get(key) : new long[]{ words.get(key) };
                long[] after = before;
                for (final long candidate : before)
                {
                    after = with(after, TortureOps.next(op, candidate, operand));
                }
                settle(key, after);
            }
        });
    }

    /**
     * Compare every key of the map with the model, then settle every ambiguous key to what the map holds.
     */
    Verification verify(final OffHeapLongLongMap map, final Violations violations)
    {
        final Verification verification = new Verification();
        words.forEachLong((key, word) ->
        {
            verification.keysChecked++;
            final long actual = map.get(key);
            if (hasValue(word))
            {
                verification.expectedLive++;
                if (actual != word)
                {
                    violations.add(Violations.Kind.LOST_WRITE, "key " + key + ": expected " + word + ", actual " +
                        (TortureOps.MISSING == actual ? "absent" : Long.toString(actual)));
                }
                else if (0 == verification.sampleKey && 0 != key)
                {
                    verification.sampleKey = key;
                }
            }
            else if (TortureOps.MISSING != actual)
            {
                violations.add(Violations.Kind.RESURRECTED, "key " + key + ": expected absent (its last " +
                    "acknowledged write removed it), actual " + actual);
            }
        });
        final Iterator<Map.Entry<Long, long[]>> entries = ambiguous.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Long, long[]> entry = entries.next();
            final long key = entry.getKey();
            final long[] candidates = entry.getValue();
            verification.keysChecked++;
            verification.ambiguousChecked++;
            final long actual = map.get(key);
            final long actualWord = TortureOps.MISSING == actual ? absentWord(candidates) : actual;
            boolean allowed = false;
            for (final long candidate : candidates)
            {
                allowed |= candidate == actualWord;
            }
            if (!allowed)
            {
                violations.add(hasValue(actualWord) && !anyValue(candidates) ? Violations.Kind.RESURRECTED :
                    Violations.Kind.LOST_WRITE, "key " + key + " (its last operation was not acknowledged): " +
                    "expected one of " + describe(candidates) + ", actual " +
                    (TortureOps.MISSING == actual ? "absent" : Long.toString(actual)));
            }
            if (2 == candidates.length)
            {
                pendingNotApplied += candidates[0] == actualWord ? 1 : 0; // the word before the operation
                pendingApplied += candidates[1] == actualWord ? 1 : 0;
            }
            verification.expectedLive += hasValue(actualWord) ? 1 : 0;
            set(key, actualWord);
            entries.remove();
        }

        final LongHashSet seen = new LongHashSet();
        final long[] iterated = new long[1];
        map.forEach((key, value) ->
        {
            iterated[0]++;
            if (!seen.add(key))
            {
                violations.add(Violations.Kind.COUNT, "forEach passed key " + key + " twice");
            }
            final long word = words.get(key);
            if (NEVER == word)
            {
                violations.add(Violations.Kind.NEVER_WRITTEN, "key " + key + " = " + value +
                    " is present but no operation ever wrote it");
            }
            else if (map.get(key) != value)
            {
                violations.add(Violations.Kind.ITERATION, "forEach passed key " + key + " = " + value +
                    " but get returns " + map.get(key));
            }
        });
        verification.iterated = iterated[0];
        verification.size = map.size();
        if (verification.size != verification.iterated || verification.iterated != verification.expectedLive)
        {
            violations.add(Violations.Kind.COUNT, "size()=" + verification.size + ", forEach passed " +
                verification.iterated + ", the model has " + verification.expectedLive + " keys with a value");
        }
        return verification;
    }

    /**
     * Set the model word of a key the driver itself wrote and checked.
     */
    void write(final long key, final long word)
    {
        use(key);
        set(key, word);
    }

    long word(final long key)
    {
        return words.get(key);
    }

    /**
     * @return a writer's key (not 0) with a value, about the {@code skip}-th one met, or 0 if there is none.
     */
    long someKeyWithValue(final int skip)
    {
        final long[] chosen = { 0, skip };
        words.forEachLong((key, word) ->
        {
            if (hasValue(word) && 0 != key && TortureKeys.DRIVER_THREAD != TortureKeys.thread(key) && chosen[1] >= 0)
            {
                chosen[0] = key;
                chosen[1]--;
            }
        });
        return chosen[0];
    }

    /**
     * Inject a wrong expectation (self-test of the comparison): the key's model word becomes {@code word}.
     */
    void corrupt(final long key, final long word)
    {
        set(key, word);
    }

    private void use(final long key)
    {
        final int thread = TortureKeys.thread(key);
        nextIndex[thread] = Math.max(nextIndex[thread], TortureKeys.index(key) + 1);
    }

    private void set(final long key, final long word)
    {
        if (NEVER == word)
        {
            words.remove(key);
        }
        else
        {
            words.put(key, word);
        }
    }

    private void settle(final long key, final long[] candidates)
    {
        if (1 == candidates.length)
        {
            ambiguous.remove(key);
            set(key, candidates[0]);
        }
        else
        {
            words.remove(key);
            ambiguous.put(key, candidates);
        }
    }

    /**
     * @return the word before {@code op}, as its result shows it (getAndAdd's 0 stands for absent or 0, which
     * {@link TortureOps#next} treats alike).
     */
    private static long implied(final int op, final long result)
    {
        return TortureOps.GET_AND_ADD != op && TortureOps.MISSING == result ? REMOVED : result;
    }

    /**
     * @return the absent word among {@code candidates} (a key never written and a removed one read alike), or
     * {@link TortureOps#REMOVED}.
     */
    private static long absentWord(final long[] candidates)
    {
        for (final long candidate : candidates)
        {
            if (!hasValue(candidate))
            {
                return candidate;
            }
        }
        return REMOVED;
    }

    private static boolean anyValue(final long[] candidates)
    {
        for (final long candidate : candidates)
        {
            if (hasValue(candidate))
            {
                return true;
            }
        }
        return false;
    }

    private static long[] with(final long[] words, final long word)
    {
        for (final long w : words)
        {
            if (w == word)
            {
                return words;
            }
        }
        final long[] grown = Arrays.copyOf(words, words.length + 1);
        grown[words.length] = word;
        return grown;
    }

    private static String describe(final long[] candidates)
    {
        final StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < candidates.length; i++)
        {
            text.append(i > 0 ? ", " : "").append(TortureOps.describe(candidates[i]));
        }
        return text.append('}').toString();
    }

    /**
     * What one verification looked at.
     */
    static final class Verification
    {
        long keysChecked;
        long ambiguousChecked;
        long expectedLive;
        long iterated;
        long size;
        long sampleKey;
    }
}
