package io.slotkv.bench;

/**
 * The maps under test: a JMH {@code @Param}. Each is built the way its users would build it, sized with the expected
 * entry count when {@code presize} is true (the steady-state workloads), left to grow when it is false (the growing
 * insert), except Chronicle Map, which must be told its entry count up front in both cases.
 */
public enum Implementation
{
    /** SlotKV {@code OffHeapLongLongMap}: off-heap, lock-free, default segments. */
    SLOTKV("SlotKV")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new SlotKvStore(presize ? entries : 0);
        }
    },

    /** SlotKV {@code OffHeapLongLongMap} without transparent huge pages: what they are worth. */
    SLOTKV_4K("SlotKV, 4 KiB pages")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new SlotKvStore(presize ? entries : 0, false);
        }
    },

    /** SlotKV {@code OffHeapLongLongMap} with statistics off: the cost of counting, side by side with SLOTKV. */
    SLOTKV_NO_STATS("SlotKV, statistics off")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return SlotKvStore.withoutStatistics(presize ? entries : 0);
        }
    },

    /** SlotKV {@code OffHeapLongLongMap} in a store file (a temporary file, deleted at close). */
    SLOTKV_FILE("SlotKV, store file")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return SlotKvStore.inTemporaryFile(presize ? entries : 0);
        }
    },

    /** {@code ConcurrentHashMap<Long, Long>}: on heap, boxed keys and values. */
    CHM("ConcurrentHashMap")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new ConcurrentHashMapStore(presize ? entries : 0);
        }
    },

    /**
     * {@code ConcurrentHashMap<Long, Long>} in a JVM started with {@code -XX:+UseTransparentHugePages}: the heap on
     * huge pages, as SlotKV's tables are by default. Refuses to open in a JVM without the flag, so a row under this
     * name always measured it.
     */
    CHM_THP("ConcurrentHashMap, -XX:+UseTransparentHugePages")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            final String flag = java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseTransparentHugePages").getValue();
            if (!"true".equals(flag))
            {
                throw new IllegalStateException("CHM_THP needs a JVM started with -XX:+UseTransparentHugePages " +
                    "(JMH: -jvmArgsAppend -XX:+UseTransparentHugePages); UseTransparentHugePages=" + flag);
            }
            return new ConcurrentHashMapStore(presize ? entries : 0);
        }

        @Override
        public java.util.List<String> jvmArgs()
        {
            return java.util.List.of("-XX:+UseTransparentHugePages");
        }
    },

    /** JCTools {@code NonBlockingHashMapLong<Long>}: on heap, lock-free, primitive keys, boxed values. */
    NBHML("JCTools NonBlockingHashMapLong")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new NonBlockingHashMapLongStore(presize ? entries : 0);
        }
    },

    /** Chronicle Map {@code ChronicleMap<Long, Long>}: off-heap (anonymous memory), segment locks. */
    CHRONICLE("Chronicle Map")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new ChronicleMapStore(entries);
        }
    },

    /** Agrona {@code Long2LongHashMap} behind one lock: the single-lock primitive baseline. */
    AGRONA_LOCKED("Agrona Long2LongHashMap + lock")
    {
        @Override
        public LongLongStore open(final long entries, final boolean presize)
        {
            return new LockedLong2LongStore(presize ? entries : 0);
        }
    };

    private final String displayName;

    Implementation(final String displayName)
    {
        this.displayName = displayName;
    }

    /**
     * @param entries expected number of entries.
     * @param presize size the map for {@code entries} up front if the implementation can.
     * @return an empty map.
     */
    public abstract LongLongStore open(long entries, boolean presize);

    /**
     * @return flags a JVM that measures this implementation needs beyond the project's (none for most).
     */
    public java.util.List<String> jvmArgs()
    {
        return java.util.List.of();
    }

    /**
     * @return the name to print in tables.
     */
    public String displayName()
    {
        return displayName;
    }
}
