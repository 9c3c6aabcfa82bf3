package io.slotkv.bench;

/**
 * The byte stores under test: a JMH {@code @Param} of {@link ByteStoreBenchmark}. Each is built the way its users
 * would build it for a known number of keys; {@link #configuration()} says how, for the report.
 */
public enum ByteStoreImplementation
{
    /** SlotKV {@code OffHeapByteStore}: off-heap, lock-free. */
    SLOTKV("SlotKV",
        "`OffHeapByteStore.builder().initialCapacity(n).build()`: default segments, max load 0.75, huge pages, " +
        "anonymous memory. Keys are 16-byte ranges of one `UnsafeBuffer` per thread; get = " +
        "`get(keys, i * 16, 16, value, 0)` into the thread's reusable `UnsafeBuffer` (a copy of the 100 bytes); " +
        "put = `put(keys, i * 16, 16, updates, j * 100, 100)`.")
    {
        @Override
        public ByteStore open(final int keys, final boolean presized)
        {
            return new SlotKvByteStore(keys, presized);
        }
    },

    /** SlotKV {@code OffHeapByteStore} with statistics off: the cost of counting, side by side with SLOTKV. */
    SLOTKV_NO_STATS("SlotKV, statistics off",
        "As SlotKV, with `.statistics(false)`: no counter is written.")
    {
        @Override
        public ByteStore open(final int keys, final boolean presized)
        {
            return new SlotKvByteStore(keys, presized, false);
        }
    },

    /** {@code ConcurrentHashMap<String, byte[]>}: on heap. */
    CHM("ConcurrentHashMap",
        "`new ConcurrentHashMap<String, byte[]>(n)`, filled with its own `String` keys; each thread looks up with " +
        "equal `String` instances built once up front (hash codes cached). get returns the stored array and put " +
        "stores the caller's: references, no value bytes copied.")
    {
        @Override
        public ByteStore open(final int keys, final boolean presized)
        {
            return new ConcurrentHashMapByteStore(keys, presized);
        }
    },

    /** Chronicle Map {@code ChronicleMap<CharSequence, byte[]>}: off-heap (anonymous memory), segment locks. */
    CHRONICLE("Chronicle Map",
        "Chronicle Map 2026.1 `ChronicleMap.of(CharSequence.class, byte[].class).entries(max(1000, n))" +
        ".averageKey(key0).averageValue(value0).putReturnsNull(true).create()` in anonymous memory; each thread " +
        "looks up with `String` keys built once up front (`byte[]` keys made every get allocate 192 B); get = " +
        "`getUsing(key, reusedArray)` (reads into the thread's 100-byte array); put serialises key and value.")
    {
        @Override
        public ByteStore open(final int keys, final boolean presized)
        {
            return new ChronicleMapByteStore(keys);
        }
    },

    /** LMDB through lmdbjava: a memory-mapped B-tree file, one writer at a time. */
    LMDB("LMDB",
        "lmdbjava 0.9.3 with its bundled liblmdb and `DirectBufferProxy`; an environment in a temporary directory " +
        "(the page cache of a disk-backed /tmp), `MDB_NOSYNC` and `MDB_NOTLS`, map size 64 MiB + 1 KiB per key; " +
        "get = `renew()` of the thread's read transaction, `Dbi.get`, copy of the 100 bytes, `reset()`; put = " +
        "`Dbi.put(key, value)` (one committed write transaction per put; writers are serialised).")
    {
        @Override
        public ByteStore open(final int keys, final boolean presized)
        {
            return new LmdbByteStore(keys);
        }
    };

    private final String displayName;
    private final String configuration;

    ByteStoreImplementation(final String displayName, final String configuration)
    {
        this.displayName = displayName;
        this.configuration = configuration;
    }

    /**
     * @param keys the number of keys {@link ByteStore#fill()} will put.
     * @return an empty store sized for them.
     */
    public ByteStore open(final int keys)
    {
        return open(keys, true);
    }

    /**
     * @param keys     the number of keys that will be put.
     * @param presized true to size the store for them up front, false to let it grow from its default size (Chronicle
     *                 Map and LMDB are sized either way: Chronicle Map must be told its entry count, LMDB its map
     *                 size).
     * @return an empty store.
     */
    public abstract ByteStore open(int keys, boolean presized);

    /**
     * @return the name to print in tables.
     */
    public String displayName()
    {
        return displayName;
    }

    /**
     * @return how the store is built and called, in Markdown.
     */
    public String configuration()
    {
        return configuration;
    }
}
