package io.slotkv.core.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The JVM flags SlotKV needs, and a check that fails with one clear message naming them instead of an
 * {@code IllegalAccessError} from inside Agrona or an unexplained failure inside the native-call library.
 * <p>
 * The flags are defined once, in the parent pom ({@code slotkv.jvm.flags}); the build copies them into this
 * module's resources, so tests, benchmark and jcstress launchers and this check all use the same list. They are
 * written for the class path ({@code ALL-UNNAMED}). An application that embeds SlotKV adds
 * {@link #requiredFlags()} to its command line, on JDK 24+ also {@link #newJdkFlags()}.
 * <p>
 * <b>Who needs what.</b>
 * <ul>
 * <li>{@code --add-exports=java.base/jdk.internal.misc=...}: Agrona's {@code UnsafeBuffer} (every map, anonymous
 * or file) uses {@code jdk.internal.misc.Unsafe}. Required on every JDK.</li>
 * <li>{@code --enable-native-access=...} (JDK 22+): SlotKV calls {@code mmap}, {@code madvise}, {@code flock},
 * {@code fallocate} through jffi (under {@code net.openhft:posix}) and JNA, which load native libraries, for
 * anonymous memory and store files alike. Without it JDK 24+ prints warnings; with
 * {@code --illegal-native-access=deny} maps fail.</li>
 * <li>{@code --sun-misc-unsafe-memory-access=allow} (JDK 23+): jffi uses {@code sun.misc.Unsafe}. Without it
 * JDK 24+ prints warnings; with {@code =deny} maps fail.</li>
 * </ul>
 * <p>
 * <b>Module path.</b> When these classes are in a named module (SlotKV's jars are the automatic modules
 * {@code io.slotkv.core} and {@code io.slotkv.map}), the flags must name the module of the library that needs
 * them ({@code org.agrona}, {@code org.jnrproject.jffi}, {@code com.sun.jna}) instead of {@code ALL-UNNAMED};
 * {@link #requiredFlagsForThisJvm()} and the failure messages name the right one for the way this JVM was started.
 * The native-call libraries are automatic modules too and cannot declare the modules they use
 * ({@code org.slf4j}, {@code org.objectweb.asm}, {@code jdk.unsupported}): on the module path the application adds
 * them ({@code --add-modules}), and the check says so instead of letting the library fail inside.
 */
public final class JvmAccess
{
    /** The class of Agrona that uses {@code jdk.internal.misc.Unsafe}: its module is the export target. */
    private static final String AGRONA_UNSAFE_CLASS = "org.agrona.UnsafeApi";

    /** Classes that load native libraries for SlotKV's memory: their modules need native access. */
    private static final List<String> NATIVE_CALLERS = List.of("com.kenai.jffi.Foreign", "com.sun.jna.Native");

    /**
     * Modules the native-call libraries use but, being automatic modules, cannot declare, each with a class of it:
     * on the module path nothing resolves them unless the application adds them.
     */
    private static final List<String[]> UNDECLARED_MODULES = List.of(
        new String[]{ "org.slf4j", "org.slf4j.LoggerFactory" },
        new String[]{ "org.objectweb.asm", "org.objectweb.asm.ClassWriter" },
        new String[]{ "jdk.unsupported", "sun.misc.Unsafe" });

    private static final String UNSAFE_MEMORY_ACCESS_PROPERTY = "sun.misc.unsafe.memory.access";
    private static final String ILLEGAL_NATIVE_ACCESS_PROPERTY = "jdk.module.illegal.native.access";
    private static final String ALL_UNNAMED = "ALL-UNNAMED";

    private static final List<String> REQUIRED_FLAGS;
    private static final List<String> NEW_JDK_FLAGS;

    static
    {
        final Properties properties = new Properties();
        try (InputStream in = JvmAccess.class.getResourceAsStream("jvm-flags.properties"))
        {
            if (null == in)
            {
                throw new IllegalStateException("jvm-flags.properties missing from the SlotKV core jar");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        REQUIRED_FLAGS = split(properties.getProperty("flags"));
        NEW_JDK_FLAGS = split(properties.getProperty("flags.new.jdk"));
    }

    private static volatile boolean checked;

    private JvmAccess()
    {
    }

    /**
     * The flags every JDK needs, in their class-path form.
     *
     * @return the {@code --add-exports}/{@code --add-opens} flags, each naming {@code ALL-UNNAMED} as target.
     */
    public static List<String> requiredFlags()
    {
        return REQUIRED_FLAGS;
    }

    /**
     * The flags JDK 24 and later want for SlotKV's native calls, in their class-path form.
     *
     * @return {@code -XX:+IgnoreUnrecognizedVMOptions} (so older JDKs accept the rest), then
     * {@code --sun-misc-unsafe-memory-access=allow} and {@code --enable-native-access=ALL-UNNAMED}.
     */
    public static List<String> newJdkFlags()
    {
        return NEW_JDK_FLAGS;
    }

    /**
     * Every flag, for a launcher that starts a class-path JVM of any supported version (JMH and jcstress forks).
     *
     * @return {@link #requiredFlags()} followed by {@link #newJdkFlags()}.
     */
    public static List<String> launcherFlags()
    {
        final List<String> all = new ArrayList<>(REQUIRED_FLAGS);
        all.addAll(NEW_JDK_FLAGS);
        return List.copyOf(all);
    }

    /**
     * The flags this JVM needs for SlotKV as it was started: targets name the modules of the libraries that need
     * them when those are on the module path, {@code ALL-UNNAMED} when they are on the class path; the JDK 24+
     * flags only on JDK 24 and later (without {@code -XX:+IgnoreUnrecognizedVMOptions}).
     *
     * @return the flags to start this kind of JVM with.
     */
    public static List<String> requiredFlagsForThisJvm()
    {
        final List<String> flags = new ArrayList<>();
        for (final String flag : REQUIRED_FLAGS)
        {
            flags.add(retarget(flag));
        }
        if (JvmAccess.class.getModule().isNamed())
        {
            final List<String> modules = new ArrayList<>();
            for (final String[] module : UNDECLARED_MODULES)
            {
                modules.add(module[0]);
            }
            flags.add("--add-modules=" + String.join(",", modules));
        }
        if (Runtime.version().feature() >= 24)
        {
            for (final String flag : NEW_JDK_FLAGS)
            {
                if (flag.startsWith("--enable-native-access"))
                {
                    flags.add("--enable-native-access=" + String.join(",", nativeAccessTargets()));
                }
                else if (!flag.startsWith("-XX:"))
                {
                    flags.add(flag);
                }
            }
        }
        return List.copyOf(flags);
    }

    /**
     * Check that off-heap memory can be used; the check runs once per JVM. SlotKV maps anonymous memory with
     * {@code mmap} through the same native-call libraries as store files, so the check is the same as
     * {@link #requireFileMappingAccess()}.
     *
     * @throws IllegalStateException naming the missing flags or modules, or the setting that forbids the native
     *                               calls, as {@link #requireFileMappingAccess()} does.
     */
    public static void requireOffHeapAccess()
    {
        requireNativeMemoryAccess();
    }

    /**
     * Check that memory-mapped store files can be used; the check runs once per JVM.
     *
     * @throws IllegalStateException naming the missing flags; on the module path, the modules the native-call
     *                               libraries need but cannot declare; or the setting that forbids the native calls
     *                               ({@code --sun-misc-unsafe-memory-access=deny}, {@code --illegal-native-access=deny}
     *                               without native access for the libraries).
     */
    public static void requireFileMappingAccess()
    {
        requireNativeMemoryAccess();
    }

    private static void requireNativeMemoryAccess()
    {
        if (!checked)
        {
            require(REQUIRED_FLAGS);
            final List<String> absent = absentModules();
            if (!absent.isEmpty())
            {
                throw new IllegalStateException("SlotKV needs modules this JVM did not resolve: " +
                    String.join(",", absent) + " (the native-call libraries under net.openhft:posix use them but, " +
                    "as automatic modules, cannot require them): add --add-modules=" + String.join(",", absent) +
                    " or require them in your module-info" + System.lineSeparator() +
                    "Start the JVM with: " + String.join(" ", requiredFlagsForThisJvm()));
            }
            final String refusal = nativeMemoryRefusal(
                Runtime.version().feature(), System.getProperty(UNSAFE_MEMORY_ACCESS_PROPERTY),
                savedProperty(ILLEGAL_NATIVE_ACCESS_PROPERTY), nativeAccessTargetsWithout());
            if (null != refusal)
            {
                throw new IllegalStateException(refusal);
            }
            checked = true;
        }
    }

    /**
     * Why this JVM cannot map memory (anonymous or a store file) although the module flags are there, or null if
     * it can.
     *
     * @param feature              of the running JDK.
     * @param unsafeMemoryAccess   the value of {@code --sun-misc-unsafe-memory-access}, or null if not given.
     * @param illegalNativeAccess  the value of {@code --illegal-native-access}, or null if not given or unknown.
     * @param withoutNativeAccess  the modules (or {@code ALL-UNNAMED}) of the native-call libraries that have no
     *                             native access.
     * @return the message of the failure, or null.
     */
    static String nativeMemoryRefusal(
        final int feature,
        final String unsafeMemoryAccess,
        final String illegalNativeAccess,
        final List<String> withoutNativeAccess)
    {
        if (feature >= 23 && "deny".equals(unsafeMemoryAccess))
        {
            return "SlotKV cannot map memory in a JVM started with --sun-misc-unsafe-memory-access=deny: it maps " +
                "memory (anonymous and store files) through jffi, under net.openhft:posix, which needs " +
                "sun.misc.Unsafe memory access. Start the JVM with --sun-misc-unsafe-memory-access=allow (or warn)." +
                System.lineSeparator() + "Start the JVM with: " + String.join(" ", requiredFlagsForThisJvm());
        }
        if (feature >= 22 && "deny".equals(illegalNativeAccess) && !withoutNativeAccess.isEmpty())
        {
            return "SlotKV cannot map memory in a JVM started with --illegal-native-access=deny unless the " +
                "native-call libraries it maps and locks memory with (jffi, JNA) have native access: add " +
                "--enable-native-access=" + String.join(",", withoutNativeAccess) + System.lineSeparator() +
                "Start the JVM with: " + String.join(" ", requiredFlagsForThisJvm());
        }
        return null;
    }

    private static void require(final List<String> flags)
    {
        final List<String> missing = missing(flags);
        if (!missing.isEmpty())
        {
            throw new IllegalStateException(message(missing));
        }
    }

    /**
     * The flags of {@code flags} that this JVM was not started with, each retargeted at the module that needs it.
     *
     * @param flags in class-path form.
     * @return the missing ones, as they must be written for this JVM.
     */
    static List<String> missing(final List<String> flags)
    {
        final Module base = Object.class.getModule();
        final List<String> missing = new ArrayList<>();
        for (final String flag : flags)
        {
            final String pkg = packageOf(flag);
            final Module target = moduleNeeding(pkg);
            final boolean granted = flag.startsWith("--add-opens") ? base.isOpen(pkg, target) : base.isExported(pkg, target);
            if (!granted)
            {
                missing.add(retarget(flag));
            }
        }
        return missing;
    }

    static String message(final List<String> missing)
    {
        return "SlotKV needs JVM flags this JVM was started without: " + String.join(" ", missing) +
            System.lineSeparator() + "Start the JVM with: " + String.join(" ", requiredFlagsForThisJvm());
    }

    /**
     * The module that uses package {@code pkg} of {@code java.base}: Agrona's for {@code jdk.internal.misc}, SlotKV
     * core's for anything else.
     */
    private static Module moduleNeeding(final String pkg)
    {
        if ("jdk.internal.misc".equals(pkg))
        {
            final Module agrona = moduleOf(AGRONA_UNSAFE_CLASS);
            if (null != agrona)
            {
                return agrona;
            }
        }
        return JvmAccess.class.getModule();
    }

    /** "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED" -> "...=org.agrona" when Agrona is a named module. */
    private static String retarget(final String flag)
    {
        final int slash = flag.indexOf('/');
        final int eq = flag.indexOf('=', slash);
        return flag.substring(0, eq + 1) + targetName(moduleNeeding(packageOf(flag)));
    }

    /**
     * @return the targets {@code --enable-native-access} must name for the native-call libraries, in order.
     */
    private static List<String> nativeAccessTargets()
    {
        final Set<String> targets = new LinkedHashSet<>();
        for (final String className : NATIVE_CALLERS)
        {
            final Module module = moduleOf(className);
            targets.add(null == module ? ALL_UNNAMED : targetName(module));
        }
        return List.copyOf(targets);
    }

    /**
     * @return the targets of {@link #nativeAccessTargets()} whose module has no native access (JDK 22+; empty
     * before, and empty if it cannot be told).
     */
    private static List<String> nativeAccessTargetsWithout()
    {
        final Method isNativeAccessEnabled;
        try
        {
            isNativeAccessEnabled = Module.class.getMethod("isNativeAccessEnabled");
        }
        catch (final NoSuchMethodException ex)
        {
            return List.of(); // JDK 17-21: no native access control
        }
        final Set<String> without = new LinkedHashSet<>();
        for (final String className : NATIVE_CALLERS)
        {
            final Module module = moduleOf(className);
            try
            {
                if (null != module && !(Boolean)isNativeAccessEnabled.invoke(module))
                {
                    without.add(targetName(module));
                }
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                // cannot tell: let the library fail with its own message
            }
        }
        return List.copyOf(without);
    }

    /**
     * @return the modules of {@link #UNDECLARED_MODULES} whose classes cannot be loaded (on the class path: none,
     * unless a jar is missing).
     */
    private static List<String> absentModules()
    {
        final List<String> absent = new ArrayList<>();
        for (final String[] module : UNDECLARED_MODULES)
        {
            if (null == moduleOf(module[1]))
            {
                absent.add(module[0]);
            }
        }
        return absent;
    }

    private static Module moduleOf(final String className)
    {
        try
        {
            return Class.forName(className, false, JvmAccess.class.getClassLoader()).getModule();
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return null;
        }
    }

    private static String targetName(final Module module)
    {
        return module.isNamed() ? module.getName() : ALL_UNNAMED;
    }

    /**
     * A launcher-only setting ({@code --illegal-native-access}) that is not a System property: read through
     * {@code jdk.internal.misc.VM}, which the required export opens to the class path; null if it cannot be read.
     */
    private static String savedProperty(final String name)
    {
        try
        {
            final Class<?> vm = Class.forName("jdk.internal.misc.VM");
            return (String)vm.getMethod("getSavedProperty", String.class).invoke(null, name);
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return null;
        }
    }

    /** "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED" -> "jdk.internal.misc". */
    private static String packageOf(final String flag)
    {
        final int slash = flag.indexOf('/');
        return flag.substring(slash + 1, flag.indexOf('=', slash));
    }

    private static List<String> split(final String flags)
    {
        if (null == flags || flags.isBlank() || flags.contains("${"))
        {
            throw new IllegalStateException("JVM flags were not filled in by the build: " + flags);
        }
        return List.copyOf(Arrays.asList(flags.trim().split("\\s+")));
    }
}
