package io.slotkv.map;

/**
 * Receives a key and a value without boxing.
 */
@FunctionalInterface
public interface LongLongConsumer
{
    void accept(long key, long value);
}
