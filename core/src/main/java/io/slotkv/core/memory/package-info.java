/**
 * Off-heap memory for SlotKV: regions of memory addressed by offset, in an anonymous or a file-backed space.
 *
 * <h2>Spaces and regions</h2>
 * A {@link io.slotkv.core.memory.MemorySpace} hands out {@link io.slotkv.core.memory.MemoryRegion}s. Every
 * region is 64-byte aligned, at most {@link io.slotkv.core.memory.MemorySpace#MAX_REGION_LENGTH} long, and
 * contiguous in the address space, so a table addresses its slots with one base address and an index.
 * A region has an {@code offset} in its space; the file-backed space stores regions at that file offset, so a
 * structure that records offsets (not addresses) reopens at any address.
 *
 * <h2>Lifetime: nothing an optimistic reader can address is released</h2>
 * A region keeps the memory behind it alive: memory is released only when the region object itself is no
 * longer reachable (a {@link java.lang.ref.Cleaner} does it). A thread that is still inside an operation holds
 * the region through a local variable, so the memory it may still read cannot be freed or unmapped under it;
 * operations end with {@link java.lang.ref.Reference#reachabilityFence(Object)} on the table they used. Closing
 * a map drops its references; it never frees memory directly.
 *
 * <h2>Access vocabulary</h2>
 * All shared words are 64-bit and 8-byte aligned. {@link io.slotkv.core.memory.MemoryRegion} offers exactly
 * these accesses, named as in the JDK's {@code VarHandle}:
 * <table>
 *   <caption>Access modes</caption>
 *   <tr><th>name</th><th>method</th><th>guarantee</th></tr>
 *   <tr><td>plain</td><td>{@code getLong/putLong}</td><td>no ordering; only for memory not yet published
 *       (a table being built) or already frozen</td></tr>
 *   <tr><td>opaque</td><td>{@code getLongOpaque}</td><td>atomic and coherent, no ordering with other words;
 *       for statistics (counters) only</td></tr>
 *   <tr><td>acquire</td><td>{@code getLongAcquire}</td><td>later reads and writes stay after it; pairs with a
 *       release store or a CAS on the same word</td></tr>
 *   <tr><td>release</td><td>{@code putLongRelease}</td><td>earlier reads and writes stay before it; publishes
 *       them to whoever acquires the same word</td></tr>
 *   <tr><td>volatile</td><td>{@code getLongVolatile/putLongVolatile}</td><td>sequentially consistent</td></tr>
 *   <tr><td>CAS</td><td>{@code compareAndExchangeLong}, {@code getAndAddLong}</td><td>volatile read and write
 *       in one atomic step</td></tr>
 * </table>
 *
 * <h2>Pairing rules</h2>
 * <ol>
 *   <li>Every word another thread may read is written by a release store or a CAS, never by a plain store,
 *       unless the memory is still private to the writer (not yet reachable through a published reference).</li>
 *   <li>Every read of such a word that is followed by a dependent read (a value after its key, a table after its
 *       reference) is an acquire load; the comment at the store names the load it pairs with.</li>
 *   <li>A value obtained optimistically is acted on only after the stamp that guards it has been validated.</li>
 *   <li>An offset or length read from memory is checked against its region before it addresses memory;
 *       Agrona's bounds checks stay on in tests and the code's own checks stand even when they are off.</li>
 * </ol>
 */
package io.slotkv.core.memory;
