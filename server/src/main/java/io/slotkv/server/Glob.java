package io.slotkv.server;

/**
 * Redis's glob patterns ({@code KEYS}, {@code SCAN MATCH}, {@code CONFIG GET}): {@code *} any bytes, {@code ?} one
 * byte, {@code [abc]}, {@code [^abc]}, {@code [a-z]} a class, {@code \x} the byte x. Matching backtracks only to the
 * last {@code *}, so it is linear in the key for a given pattern (Redis's recursive matcher can take exponential
 * time on patterns of many stars; this one cannot).
 */
final class Glob
{
    private final byte[] pattern;
    private final boolean matchesAll;

    Glob(final byte[] pattern)
    {
        this.pattern = pattern;
        this.matchesAll = pattern.length == 1 && '*' == pattern[0];
    }

    boolean matchesAll()
    {
        return matchesAll;
    }

    boolean matches(final byte[] string, final int offset, final int length)
    {
        if (matchesAll)
        {
            return true;
        }
        int p = 0;
        int s = 0;
        int starPattern = -1;
        int starString = -1;
        while (s < length)
        {
            if (p < pattern.length && '*' == pattern[p])
            {
                while (p < pattern.length && '*' == pattern[p])
                {
                    p++;
                }
                if (p == pattern.length)
                {
                    return true;
                }
                starPattern = p;
                starString = s;
                continue;
            }
            if (p < pattern.length)
            {
                final int end = tokenEnd(p);
                if (tokenMatches(p, end, string[offset + s]))
                {
                    p = end;
                    s++;
                    continue;
                }
            }
            if (starPattern < 0)
            {
                return false;
            }
            p = starPattern;
            s = ++starString;
        }
        while (p < pattern.length && '*' == pattern[p])
        {
            p++;
        }
        return p == pattern.length;
    }

    boolean matches(final byte[] string)
    {
        return matches(string, 0, string.length);
    }

    /** @return the index after the token at {@code p}: a byte, an escaped byte, {@code ?} or a class. */
    private int tokenEnd(final int p)
    {
        final byte c = pattern[p];
        if ('\\' == c && p + 1 < pattern.length)
        {
            return p + 2;
        }
        if ('[' == c)
        {
            int i = p + 1;
            while (i < pattern.length && ']' != pattern[i])
            {
                i += '\\' == pattern[i] && i + 1 < pattern.length ? 2 : 1;
            }
            return Math.min(pattern.length, i + 1); // an unclosed class runs to the end, as in Redis
        }
        return p + 1;
    }

    private boolean tokenMatches(final int p, final int end, final byte c)
    {
        final byte first = pattern[p];
        if ('?' == first)
        {
            return true;
        }
        if ('\\' == first && end == p + 2)
        {
            return pattern[p + 1] == c;
        }
        if ('[' != first)
        {
            return first == c;
        }
        int i = p + 1;
        final int last = end < pattern.length || ']' == pattern[end - 1] ? end - 1 : end; // before the ']'
        final boolean not = i < last && '^' == pattern[i];
        if (not)
        {
            i++;
        }
        boolean match = false;
        while (i < last)
        {
            if ('\\' == pattern[i] && i + 1 < last)
            {
                match |= pattern[i + 1] == c;
                i += 2;
            }
            else if (i + 2 < last && '-' == pattern[i + 1])
            {
                int low = pattern[i] & 0xFF;
                int high = pattern[i + 2] & 0xFF;
                if (low > high)
                {
                    final int swap = low;
                    low = high;
                    high = swap;
                }
                final int value = c & 0xFF;
                match |= value >= low && value <= high;
                i += 3;
            }
            else
            {
                match |= pattern[i] == c;
                i++;
            }
        }
        return not != match;
    }
}
