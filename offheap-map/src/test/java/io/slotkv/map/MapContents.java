package io.slotkv.map;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks of a map against a {@code java.util} model, shared by the durability tests.
 */
final class MapContents
{
    private MapContents()
    {
    }

    /**
     * @return the entries {@code forEach} yields, failing on a duplicate key.
     */
    static Map<Long, Long> of(final OffHeapLongLongMap map)
    {
        final Map<Long, Long> contents = new HashMap<>();
        map.forEach((key, value) -> assertNull(contents.put(key, value), "duplicate key in forEach: " + key));
        return contents;
    }

    /**
     * Assert the map holds exactly {@code model}: by iteration, by size and by lookup of every key.
     */
    static void assertHolds(final Map<Long, Long> model, final OffHeapLongLongMap map)
    {
        final Map<Long, Long> contents = of(map);
        assertEquals(model.size(), contents.size(), "entries");
        assertEquals(model, contents);
        assertEquals(model.size(), map.size(), "size()");
        for (final Map.Entry<Long, Long> entry : model.entrySet())
        {
            assertEquals((long)entry.getValue(), map.get(entry.getKey()), "get(" + entry.getKey() + ")");
            assertTrue(map.containsKey(entry.getKey()));
        }
    }
}
