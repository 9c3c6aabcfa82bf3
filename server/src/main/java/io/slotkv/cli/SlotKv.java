package io.slotkv.cli;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.DiskFullException;
import io.slotkv.core.memory.StoreLockedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/**
 * The {@code slotkv} command: {@code java -jar slotkv.jar <command> ...}. Exit codes (docs/cli.md):
 * {@value #OK} done (verify: clean), {@value #REPAIRABLE} verify: recovery would repair the file,
 * {@value #CORRUPT} not a store file or damaged beyond opening, {@value #LOCKED} a running process holds the file,
 * {@value #IO} the file cannot be read or written (missing, permissions, full disk), {@value #USAGE} bad arguments,
 * {@value #INTERNAL} anything else (a bug: the stack trace follows the message).
 */
@Command(name = "slotkv", mixinStandardHelpOptions = true, versionProvider = SlotKv.Version.class,
    description = "Inspect, check, recover, back up, restore, export and import SlotKV store files; serve one " +
        "over Redis's protocol.",
    subcommands = {StatsCommand.class, VerifyCommand.class, RecoverCommand.class, BackupCommand.class,
        RestoreCommand.class, ExportCommand.class, ImportCommand.class, ServerCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done (verify: the file is clean)",
        "1:verify: not clean, and recovery repairs it (see the report)",
        "2:not a SlotKV store file, or too damaged to open",
        "3:the file is held by a running process",
        "4:the file cannot be read or written (missing, permissions, full disk)",
        "64:bad arguments",
        "70:internal error"})
public final class SlotKv
{
    /**
     * SlotKV's own log (recovery reports at INFO) is for services; a command prints what it found itself. Held
     * here: java.util.logging keeps loggers weakly, and a collected one would lose its level.
     */
    private static final java.util.logging.Logger QUIET_LIBRARY = java.util.logging.Logger.getLogger("io.slotkv");

    static final int OK = 0;
    static final int REPAIRABLE = 1;
    static final int CORRUPT = 2;
    static final int LOCKED = 3;
    static final int IO = 4;
    static final int USAGE = 64;
    static final int INTERNAL = 70;

    private SlotKv()
    {
    }

    /**
     * Run the command line and exit with its code.
     *
     * @param args the command and its arguments.
     */
    public static void main(final String[] args)
    {
        QUIET_LIBRARY.setLevel(java.util.logging.Level.WARNING);
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Run the command line with the given output and error streams (for tests).
     *
     * @return the exit code.
     */
    static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine line = new CommandLine(SlotKv.class);
        line.setOut(out);
        line.setErr(err);
        line.setParameterExceptionHandler((ex, arguments) ->
        {
            err.println("slotkv: " + ex.getMessage());
            err.println("Try 'slotkv --help' or 'slotkv help <command>'.");
            return USAGE;
        });
        line.setExecutionExceptionHandler((ex, parsed, result) ->
        {
            final String command = "slotkv " + parsed.getCommandName();
            if (ex instanceof CommandLine.ParameterException parameter)
            {
                err.println(command + ": " + parameter.getMessage());
                return USAGE;
            }
            final int code = exitCode(ex);
            err.println(command + ": " + message(ex));
            if (INTERNAL == code)
            {
                ex.printStackTrace(err);
            }
            return code;
        });
        return line.execute(args);
    }

    static int exitCode(final Throwable ex)
    {
        if (ex instanceof StoreLockedException)
        {
            return LOCKED;
        }
        if (ex instanceof CorruptStoreException)
        {
            return CORRUPT;
        }
        if (ex instanceof UncheckedIOException || ex instanceof DiskFullException || ex instanceof java.io.IOException)
        {
            return IO;
        }
        return INTERNAL;
    }

    private static String message(final Throwable ex)
    {
        if (ex instanceof StoreLockedException)
        {
            return ex.getMessage() + " (held by a running process: stop it, or use the library from that process)";
        }
        if (ex instanceof UncheckedIOException && ex.getCause() instanceof NoSuchFileException)
        {
            return "no such file: " + ((NoSuchFileException)ex.getCause()).getFile();
        }
        return null == ex.getMessage() ? ex.toString() : ex.getMessage();
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = SlotKv.class.getPackage().getImplementationVersion();
            return new String[]{"slotkv " + (null == version ? "(development build)" : version) + ", store format 4"};
        }
    }
}
