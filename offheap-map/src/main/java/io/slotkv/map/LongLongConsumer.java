package io.slotkv.map;

/**
 * Receives a key and a value without boxing.
 */
@FunctionalInterface
public interface LongLongConsumer
{
    /**
     * Receive one entry.
     *
     * @param key   of the entry.
     * @param value of the entry: never the map's missing value.
     */
    void accept(long key, long value);
}
