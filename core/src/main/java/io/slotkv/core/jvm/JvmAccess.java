package io.slotkv.core.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags SlotKV needs, and a check that fails with one clear message naming them instead of an
 * {@code IllegalAccessError} from inside Agrona or Chronicle Bytes.
 * <p>
 * The flags are defined once, in the parent pom ({@code slotkv.jvm.flags}); the build copies them into this
 * module's resources, so tests, benchmark and jcstress launchers and this check all use the same list. An
 * application that embeds SlotKV adds {@link #requiredFlags()} to its command line (on JDK 24+ also
 * {@link #newJdkFlags()}).
 */
public final class JvmAccess
{
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

    private static volatile boolean offHeapChecked;
    private static volatile boolean fileMappingChecked;

    private JvmAccess()
    {
    }

    /**
     * @return the {@code --add-exports}/{@code --add-opens} flags every JDK needs.
     */
    public static List<String> requiredFlags()
    {
        return REQUIRED_FLAGS;
    }

    /**
     * @return the flags JDK 24 and later need; older JDKs accept them because the list starts with
     * {@code -XX:+IgnoreUnrecognizedVMOptions}.
     */
    public static List<String> newJdkFlags()
    {
        return NEW_JDK_FLAGS;
    }

    /**
     * @return every flag, for a launcher that starts a JVM of any supported version (JMH and jcstress forks).
     */
    public static List<String> launcherFlags()
    {
        final List<String> all = new ArrayList<>(REQUIRED_FLAGS);
        all.addAll(NEW_JDK_FLAGS);
        return List.copyOf(all);
    }

    /**
     * @throws IllegalStateException naming the missing flags if off-heap buffers cannot be used.
     */
    public static void requireOffHeapAccess()
    {
        if (!offHeapChecked)
        {
            require(List.of(flagFor("jdk.internal.misc")));
            offHeapChecked = true;
        }
    }

    /**
     * @throws IllegalStateException naming the missing flags if memory-mapped store files cannot be used.
     */
    public static void requireFileMappingAccess()
    {
        if (!fileMappingChecked)
        {
            require(REQUIRED_FLAGS);
            fileMappingChecked = true;
        }
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
     * @return the flags of {@code flags} that this JVM was not started with.
     */
    static List<String> missing(final List<String> flags)
    {
        final Module base = Object.class.getModule();
        final Module self = JvmAccess.class.getModule();
        final List<String> missing = new ArrayList<>();
        for (final String flag : flags)
        {
            final String pkg = packageOf(flag);
            final boolean granted = flag.startsWith("--add-opens") ? base.isOpen(pkg, self) : base.isExported(pkg, self);
            if (!granted)
            {
                missing.add(flag);
            }
        }
        return missing;
    }

    static String message(final List<String> missing)
    {
        final String newJdk = Runtime.version().feature() >= 24 ? " " + String.join(" ", NEW_JDK_FLAGS) : "";
        return "SlotKV needs JVM flags this JVM was started without: " + String.join(" ", missing) +
            System.lineSeparator() + "Start the JVM with: " + String.join(" ", REQUIRED_FLAGS) + newJdk;
    }

    private static String flagFor(final String pkg)
    {
        for (final String flag : REQUIRED_FLAGS)
        {
            if (packageOf(flag).equals(pkg))
            {
                return flag;
            }
        }
        throw new IllegalStateException("no flag for package " + pkg + " in " + REQUIRED_FLAGS);
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
