package io.slotkv.map;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * The JMX registration of one store's {@link StoreStatisticsMXBean} in the platform MBean server. Only a store built
 * with {@link StoreBuilder#registerMBean(boolean)} touches this class, so a store that does not ask for it needs no
 * {@code java.management} module.
 */
final class StoreMBean implements StoreStatisticsMXBean
{
    private final String name;
    private final Supplier<StoreStatistics> statistics;
    private final ObjectName objectName;

    private StoreMBean(final String name, final ObjectName objectName, final Supplier<StoreStatistics> statistics)
    {
        this.name = name;
        this.objectName = objectName;
        this.statistics = statistics;
    }

    /**
     * @return the object name of a store of {@code type} named {@code name}.
     */
    static ObjectName objectName(final Class<?> type, final String name)
    {
        try
        {
            return new ObjectName("io.slotkv:type=" + type.getSimpleName() + ",name=" + ObjectName.quote(name));
        }
        catch (final JMException ex)
        {
            throw new IllegalArgumentException("store name makes no JMX object name: name=" + name, ex);
        }
    }

    /**
     * Register the statistics of a store.
     *
     * @return the registration, for {@link #unregister}.
     * @throws IllegalStateException if the name is taken.
     */
    static StoreMBean register(final Class<?> type, final String name, final Supplier<StoreStatistics> statistics)
    {
        try
        {
            final ObjectName objectName = objectName(type, name);
            final StoreMBean bean = new StoreMBean(name, objectName, statistics);
            ManagementFactory.getPlatformMBeanServer()
                .registerMBean(new StandardMBean(bean, StoreStatisticsMXBean.class, true), objectName);
            return bean;
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("cannot register the store's MBean " + objectName(type, name) + ": " + ex +
                " (give each store a name of its own: builder.name(...))", ex);
        }
    }

    /**
     * Unregister; nothing if it is no longer registered.
     */
    void unregister()
    {
        try
        {
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(objectName))
            {
                server.unregisterMBean(objectName);
            }
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("cannot unregister the store's MBean " + objectName + ": " + ex, ex);
        }
    }

    ObjectName objectName()
    {
        return objectName;
    }

    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public boolean isCounting()
    {
        return statistics.get().counting();
    }

    @Override
    public long getGets()
    {
        return statistics.get().gets();
    }

    @Override
    public long getHits()
    {
        return statistics.get().hits();
    }

    @Override
    public long getMisses()
    {
        return statistics.get().misses();
    }

    @Override
    public double getHitRate()
    {
        return statistics.get().hitRate();
    }

    @Override
    public long getPuts()
    {
        return statistics.get().puts();
    }

    @Override
    public long getInserts()
    {
        return statistics.get().inserts();
    }

    @Override
    public long getUpdates()
    {
        return statistics.get().updates();
    }

    @Override
    public long getRemoves()
    {
        return statistics.get().removes();
    }

    @Override
    public long getExpired()
    {
        return statistics.get().expired();
    }

    @Override
    public long getCasRetries()
    {
        return statistics.get().casRetries();
    }

    @Override
    public long getResizes()
    {
        return statistics.get().resizes();
    }

    @Override
    public long getResizeNanos()
    {
        return statistics.get().resizeNanos();
    }

    @Override
    public long getRecoveries()
    {
        return statistics.get().recoveries();
    }

    @Override
    public long getEntries()
    {
        return statistics.get().entries();
    }

    @Override
    public long getBytesUsed()
    {
        return statistics.get().bytesUsed();
    }

    @Override
    public long getBytesFree()
    {
        return statistics.get().bytesFree();
    }

    @Override
    public int getSegments()
    {
        return statistics.get().segments().size();
    }

    @Override
    public int getLargestSegment()
    {
        return statistics.get().largestSegment().index();
    }

    @Override
    public long getLargestSegmentEntries()
    {
        return statistics.get().largestSegment().entries();
    }

    @Override
    public double getMaxSegmentLoad()
    {
        double max = 0;
        for (final StoreStatistics.SegmentLoad segment : statistics.get().segments())
        {
            max = Math.max(max, segment.load());
        }
        return max;
    }
}
