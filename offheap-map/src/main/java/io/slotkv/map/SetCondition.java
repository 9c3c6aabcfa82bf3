package io.slotkv.map;

/**
 * When {@link OffHeapByteStore#set} writes a key's value: always (Redis {@code SET}), only if the key has none
 * ({@code NX}), or only if it has one ({@code XX}). A value whose deadline has passed counts as none.
 */
public enum SetCondition
{
    /** Whether the key has a value or not. */
    ALWAYS,

    /** Only if the key has no value (Redis {@code NX}). */
    IF_ABSENT,

    /** Only if the key has a value (Redis {@code XX}). */
    IF_PRESENT
}
