package io.slotkv.stress.fuzz;

/**
 * Where the structures of a valid store file lie, for one {@link StoreKind}: the fuzzer aims its mutations with it
 * and classifies what a mutation damaged ({@link Mutation.Damage}). Both kinds share the file header
 * ({@code FileHeaderDescriptor}: {@link #HEADER_LENGTH} bytes, the state word at {@link #STATE_OFFSET}); the rest
 * is the kind's.
 */
interface FileLayout
{
    int HEADER_LENGTH = 128;
    int MAGIC_OFFSET = 0;
    int VERSION_OFFSET = 8;
    int HEADER_LENGTH_OFFSET = 12;
    int CHUNK_SIZE_OFFSET = 16;
    int END_OFFSET = 24;
    int ROOT_OFFSET_OFFSET = 32;
    int STATE_OFFSET = 40;
    int RESERVED_HEADER_OFFSET = 48;
    long MAGIC = 0x0000_564B_544F_4C53L;
    long NO_ROOT = -1;

    /** What a byte of the file belongs to, shared by both kinds (bits of {@link #regionBits}). */
    int HEADER = 1;
    int UNREFERENCED = 16;
    int PAST_END = 32;
    int TRUNCATED = 64;
    int RESERVED = 128;
    int STATE = 256;

    /**
     * @return the region bit of the byte at {@code position}.
     */
    int regionBits(long position);

    /**
     * @return the names of the region bits of this kind, joined by '+', or "none".
     */
    String regionNames(int bits);

    /**
     * @return what a mutation with these region bits damaged, for a seed of {@code kind}.
     */
    Mutation.Damage classify(Seed.Kind kind, int bits);

    /** @return the end of the allocated space, as the header says. */
    long end();

    /**
     * @return the region bits of every byte in which {@code mutated} differs from the file this layout describes
     * ({@code original}), {@link #TRUNCATED} if it is shorter and lost allocated bytes.
     */
    default int damage(final byte[] original, final byte[] mutated)
    {
        int bits = 0;
        final int common = Math.min(original.length, mutated.length);
        for (int position = 0; position < common; position++)
        {
            if (original[position] != mutated[position])
            {
                bits |= regionBits(position);
            }
        }
        if (mutated.length < original.length)
        {
            bits |= mutated.length < end() ? TRUNCATED : PAST_END;
        }
        else if (mutated.length > original.length)
        {
            bits |= PAST_END;
        }
        return bits;
    }

    /**
     * @return the region bit of a header byte: the state word, the reserved words, or the header.
     */
    static int headerBits(final long position)
    {
        if (position >= STATE_OFFSET && position < STATE_OFFSET + 8)
        {
            return STATE;
        }
        return position < RESERVED_HEADER_OFFSET ? HEADER : RESERVED;
    }

    static String names(final int bits, final String[] all)
    {
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < all.length; i++)
        {
            if (0 != (bits & (1 << i)))
            {
                names.append(names.length() > 0 ? "+" : "").append(all[i]);
            }
        }
        return names.length() > 0 ? names.toString() : "none";
    }
}
