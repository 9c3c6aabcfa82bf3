package io.slotkv.stress.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Judge one mutated file again, in this JVM, and print everything about it: {@code Replay SEED_DIR MASTER_SEED
 * INDEX [ARM]} (the seed directory of the run, kept with its evidence). Logging of the map is on, so a recovery
 * report is printed as the map logs it. The file is written to a temporary directory and left there.
 */
public final class Replay
{
    private static final Logger SLOTKV_LOGGER = Logger.getLogger("io.slotkv");

    private Replay()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        SLOTKV_LOGGER.setLevel(Level.INFO);
        final List<Seed> seeds = Seed.loadAll(Paths.get(args[0]));
        final long masterSeed = Long.parseLong(args[1]);
        final long index = Long.parseLong(args[2]);
        final Mutation mutation = new Mutator(seeds).mutate(masterSeed, index);
        System.out.println(mutation.describe());
        final Path dir = Files.createTempDirectory("slotkv-replay-");
        for (final String label : args.length > 3 ? List.of(args[3]) : List.of("verify", "default"))
        {
            final Arm arm = Arm.of(label);
            final Path file = dir.resolve(label + "-" + index + ".slotkv");
            final FileCheck.Result result = new FileCheck(arm, Set.of()).run(file, mutation);
            Files.write(dir.resolve(label + "-" + index + ".mutated.slotkv"), mutation.bytes);
            System.out.println("arm " + label + ": " + result.outcome + " (" + result.outcome.label + ") flags=" +
                result.flags + "\n" + result.detail);
        }
        System.out.println("files in " + dir);
    }
}
