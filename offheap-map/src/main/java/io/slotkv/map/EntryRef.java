package io.slotkv.map;

/**
 * The slot word of a byte-store table: which entry a slot names, and in which state.
 * <pre>
 *   63  62 61  60  59      52 51             36 35                              0
 *  +---+-----+---+-----------+-----------------+---------------------------------+
 *  | F |state| E |fingerprint|   generation    |   position (8-byte units)       |
 *  +---+-----+---+-----------+-----------------+---------------------------------+
 * </pre>
 * <b>State:</b> {@link #EMPTY} (the whole word 0: no key ever claimed the slot), {@link #LIVE} (the entry is the
 * key's value), {@link #TOMBSTONE} (the key was removed; the word still names its last entry, whose key bytes stay,
 * so the slot keeps its key). <b>F</b>, the sign bit, is {@link #FROZEN_BIT}: a replacement froze the slot, keeping
 * the rest of the word (so it can be thawed, and the entry of a frozen tombstone freed after the replacement). A
 * frozen LIVE word's value is in the next table; a frozen EMPTY or TOMBSTONE word has none.
 * <p>
 * <b>E</b> ({@link #EXPIRES_BIT}): the entry has a deadline ({@link EntryDescriptor#expires}), so writers and the
 * expiry sweeper read an entry's deadline only when its word says there is one.
 * <b>Fingerprint:</b> {@value #FINGERPRINT_BITS} bits of the key's hash, so a probe passes a slot of another key
 * without reading its entry (1 in 256 do read it). <b>Generation:</b> the low {@value #GENERATION_BITS} bits of the
 * entry's block generation when the word was made ({@link EntryDescriptor}); a reader accepts the entry only if they
 * match, and a CAS expecting this word fails once the block was freed, unless it was freed and reused a multiple of
 * 65,536 times in between. <b>Position:</b> the block's position in its segment's {@link EntryHeap}, in 8-byte units.
 */
final class EntryRef
{
    static final int POSITION_BITS = 36;
    static final int GENERATION_BITS = 16;
    static final int FINGERPRINT_BITS = 8;

    static final long EMPTY = 0;
    static final long LIVE = 1L << 61;
    static final long TOMBSTONE = 2L << 61;
    static final long FROZEN_BIT = 1L << 63;
    static final long EXPIRES_BIT = 1L << 60;

    private static final long STATE_MASK = 3L << 61;
    private static final int GENERATION_SHIFT = POSITION_BITS;
    private static final int FINGERPRINT_SHIFT = POSITION_BITS + GENERATION_BITS;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;
    private static final long FINGERPRINT_MASK = (1L << FINGERPRINT_BITS) - 1;

    /** The largest position a word can name. */
    static final long MAX_POSITION = POSITION_MASK;

    private EntryRef()
    {
    }

    /**
     * @param fingerprint from {@link #fingerprint(long)} of the key's hash.
     * @param generation  the block's generation (only its low bits are kept).
     * @param position    of the block, 1 to {@link #MAX_POSITION}.
     * @return the LIVE word naming the block.
     */
    static long live(final long fingerprint, final long generation, final long position)
    {
        return LIVE | (fingerprint << FINGERPRINT_SHIFT) | ((generation & GENERATION_MASK) << GENERATION_SHIFT) |
            position;
    }

    /**
     * @return {@link #live} with {@link #EXPIRES_BIT} set if the entry has a deadline.
     */
    static long live(final long fingerprint, final long generation, final long position, final boolean expires)
    {
        return live(fingerprint, generation, position) | (expires ? EXPIRES_BIT : 0);
    }

    /**
     * @return whether the word's entry has a deadline.
     */
    static boolean expires(final long word)
    {
        return 0 != (word & EXPIRES_BIT);
    }

    /**
     * @return the TOMBSTONE word naming the same entry as the LIVE word {@code word}.
     */
    static long tombstone(final long word)
    {
        return (word & ~STATE_MASK) | TOMBSTONE;
    }

    /**
     * @return the state of an unfrozen word: {@link #EMPTY}, {@link #LIVE} or {@link #TOMBSTONE}.
     */
    static long state(final long word)
    {
        return word & STATE_MASK;
    }

    static boolean isFrozen(final long word)
    {
        return word < 0; // the sign bit
    }

    static boolean isLive(final long word)
    {
        return LIVE == (word & (FROZEN_BIT | STATE_MASK));
    }

    static long position(final long word)
    {
        return word & POSITION_MASK;
    }

    static long generation(final long word)
    {
        return (word >>> GENERATION_SHIFT) & GENERATION_MASK;
    }

    /**
     * @return whether a block generation (all its bits) is the one the word recorded (its low bits).
     */
    static boolean sameGeneration(final long word, final long blockGeneration)
    {
        return generation(word) == (blockGeneration & GENERATION_MASK);
    }

    /**
     * @return the fingerprint of a key's hash: the top bits of the hash times an odd constant, so they depend on
     * every bit of the hash, not only on the bits the segment (from bit 40) and the home slot (the low 32) use,
     * which the keys of one probe chain share; the multiplier differs from the filter's.
     */
    static long fingerprint(final long hash)
    {
        return (hash * 0xC2B2_AE3D_27D4_EB4FL) >>> (64 - FINGERPRINT_BITS);
    }

    /**
     * @return the fingerprint a word holds.
     */
    static long fingerprintOf(final long word)
    {
        return (word >>> FINGERPRINT_SHIFT) & FINGERPRINT_MASK;
    }

    /**
     * @return whether the word may name an entry of a key with this fingerprint.
     */
    static boolean hasFingerprint(final long word, final long fingerprint)
    {
        return ((word >>> FINGERPRINT_SHIFT) & FINGERPRINT_MASK) == fingerprint;
    }
}
