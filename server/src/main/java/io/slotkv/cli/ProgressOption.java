package io.slotkv.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --quiet} option of the commands that show progress, and the progress it allows. */
final class ProgressOption
{
    @Option(names = {"-q", "--quiet"}, description = "no progress on standard error")
    boolean quiet;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * @param shown false where progress would mix with the data (standard output, standard input).
     */
    Progress start(final String task, final long total, final String unit, final long unitSize, final boolean shown)
    {
        return Progress.start(task, total, unit, unitSize, quiet || !shown, command.commandLine().getErr());
    }
}
