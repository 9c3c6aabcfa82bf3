/**
 * Hashing of keys for SlotKV's tables.
 * <p>
 * <b>Internal.</b> Not part of SlotKV's API: it is public only so that {@code io.slotkv.map} can use it, and may
 * change in any release. The hash decides where a key lives in a store file, so a change of it is a change of the
 * store format (see docs/spec/).
 */
package io.slotkv.core.hash;
