/**
 * The JVM flags SlotKV needs and the check that names them.
 * <p>
 * <b>Supported:</b> {@link io.slotkv.core.jvm.JvmAccess#requiredFlags()},
 * {@link io.slotkv.core.jvm.JvmAccess#newJdkFlags()}, {@link io.slotkv.core.jvm.JvmAccess#launcherFlags()} and
 * {@link io.slotkv.core.jvm.JvmAccess#requiredFlagsForThisJvm()}, for launchers that start JVMs which embed SlotKV.
 * The {@code require...} checks are internal: SlotKV calls them at the first use of off-heap memory or a store
 * file.
 */
package io.slotkv.core.jvm;
