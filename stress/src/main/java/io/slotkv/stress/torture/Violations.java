package io.slotkv.stress.torture;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the torture found wrong, by kind, with the first examples of each verification in words.
 */
final class Violations
{
    /** Examples kept per verification. */
    static final int MAX_EXAMPLES = 20;

    enum Kind
    {
        /** A key lacks the value its acknowledged writes left, or holds another one. */
        LOST_WRITE,
        /** A key holds a value although an acknowledged remove was its last write. */
        RESURRECTED,
        /** A key is present that no operation ever wrote. */
        NEVER_WRITTEN,
        /** A logged call returned a value that no history of acknowledged writes allows (seen in the next run). */
        WRONG_RESULT,
        /** size(), the forEach count and the model's count of live keys disagree, or forEach repeats a key. */
        COUNT,
        /** forEach passed a value that get does not return. */
        ITERATION,
        /** The store could not be reopened (any exception). */
        REOPEN_FAILED,
        /** The reopened map did not take or keep a new write. */
        WRITE_PROBE,
        /** The child reported a map call that threw, or exited by itself. */
        CHILD_ERROR
    }

    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    private final List<String> examples = new ArrayList<>();

    void add(final Kind kind, final String example)
    {
        counts.merge(kind, 1L, Long::sum);
        if (examples.size() < MAX_EXAMPLES)
        {
            examples.add(kind + ": " + example);
        }
    }

    long count(final Kind kind)
    {
        return counts.getOrDefault(kind, 0L);
    }

    long total()
    {
        long total = 0;
        for (final long count : counts.values())
        {
            total += count;
        }
        return total;
    }

    boolean isEmpty()
    {
        return counts.isEmpty();
    }

    void addAll(final Violations other)
    {
        other.counts.forEach((kind, count) -> counts.merge(kind, count, Long::sum));
        for (final String example : other.examples)
        {
            if (examples.size() < MAX_EXAMPLES)
            {
                examples.add(example);
            }
        }
    }

    void clear()
    {
        counts.clear();
        examples.clear();
    }

    List<String> examples()
    {
        return examples;
    }

    @Override
    public String toString()
    {
        return counts.toString();
    }
}
