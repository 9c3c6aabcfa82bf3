package io.slotkv.stress.torture;

import io.slotkv.core.hash.LongHashing;
import io.slotkv.map.OffHeapLongLongMap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Aiming aid only: tells the writer that its next insert will replace a segment's table, so that the child can
 * say so on stdout and the driver can kill it while the replacement runs, and which values would make a segment
 * re-key its table (a value that encodes to ABSENT or FROZEN with the table's value key). Reads the map's
 * package-private state (each segment's current table, its used slot count, threshold and value key) by
 * reflection, because the public API only has totals; nothing the harness checks depends on it. The segment of a
 * key is computed as the map does, with the hash seed the caller read from the store's directory
 * ({@link StoreFile}). If the internals have changed shape, {@link #of} returns a probe that never predicts, and
 * the driver still kills at random instants (its summary then shows few kills inside a resize).
 */
final class ResizeProbe
{
    private static final ResizeProbe BLIND = new ResizeProbe(null, 0, null, null, null, null, null);

    private final Object[] segments;
    private final long hashSeed;
    private final VarHandle table;
    private final VarHandle capacity;
    private final VarHandle threshold;
    private final VarHandle valueKey;
    private final MethodHandle used;

    private ResizeProbe(
        final Object[] segments,
        final long hashSeed,
        final VarHandle table,
        final VarHandle capacity,
        final VarHandle threshold,
        final VarHandle valueKey,
        final MethodHandle used)
    {
        this.segments = segments;
        this.hashSeed = hashSeed;
        this.table = table;
        this.capacity = capacity;
        this.threshold = threshold;
        this.valueKey = valueKey;
        this.used = used;
    }

    /**
     * @param hashSeed the map's hash seed, from its store's directory.
     * @return a probe of {@code map}, or one that never predicts (with the reason on stderr).
     */
    static ResizeProbe of(final OffHeapLongLongMap map, final long hashSeed)
    {
        try
        {
            final MethodHandles.Lookup mapLookup = MethodHandles.privateLookupIn(OffHeapLongLongMap.class,
                MethodHandles.lookup());
            final Class<?> segmentClass = Class.forName("io.slotkv.map.Segment");
            final Class<?> tableClass = Class.forName("io.slotkv.map.LongLongTable");
            final Class<?> segmentArray = segmentClass.arrayType();
            final Object[] segments = (Object[])mapLookup.findVarHandle(OffHeapLongLongMap.class, "segments",
                segmentArray).get(map);
            final MethodHandles.Lookup segmentLookup =
                MethodHandles.privateLookupIn(segmentClass, MethodHandles.lookup());
            final MethodHandles.Lookup tableLookup = MethodHandles.privateLookupIn(tableClass, MethodHandles.lookup());
            final ResizeProbe probe = new ResizeProbe(
                segments,
                hashSeed,
                segmentLookup.findVarHandle(segmentClass, "table", tableClass),
                tableLookup.findVarHandle(tableClass, "capacity", int.class),
                tableLookup.findVarHandle(tableClass, "threshold", int.class),
                tableLookup.findVarHandle(tableClass, "valueKey", long.class),
                tableLookup.findVirtual(tableClass, "used", MethodType.methodType(int.class)));
            final long mapSeed = (long)tableLookup.findVarHandle(tableClass, "seed", long.class).get(probe.table(0));
            if (mapSeed != hashSeed)
            {
                throw new IllegalStateException("the directory's hash seed 0x" + Long.toHexString(hashSeed) +
                    " is not the map's 0x" + Long.toHexString(mapSeed) + ": StoreFile misreads the directory");
            }
            return probe;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            System.err.println("resize probe unavailable, kills are not aimed at resizes: " + ex);
            return BLIND;
        }
    }

    boolean isBlind()
    {
        return null == segments;
    }

    /**
     * @return the segment of {@code key}, as the map picks it (key 0's word is in segment 0's table).
     */
    int segment(final long key)
    {
        return 0 == key ? 0 :
            (int)(LongHashing.mix(key, hashSeed) >>> StoreFile.SEGMENT_SHIFT) & (segments.length - 1);
    }

    /**
     * @return the value key of {@code table}: the values {@code valueKey} and {@code valueKey ^ 1} cannot be
     * stored in it (they encode to ABSENT and FROZEN), so writing one re-keys the segment.
     */
    long valueKey(final Object table)
    {
        return (long)valueKey.get(table);
    }

    /**
     * @return the current table of {@code segment}, to compare with a later one.
     */
    Object table(final int segment)
    {
        return table.getVolatile(segments[segment]);
    }

    int capacity(final Object table)
    {
        return (int)capacity.get(table);
    }

    int used(final Object table)
    {
        try
        {
            return (int)used.invoke(table);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return true if an insert that claims a new slot in {@code table} replaces it (it is at its threshold).
     */
    boolean full(final Object table)
    {
        return used(table) >= (int)threshold.get(table);
    }
}
