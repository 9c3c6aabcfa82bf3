package io.slotkv.stress.fuzz;

/**
 * How a fuzz run opens each mutated file.
 */
enum Arm
{
    /** {@code verifyOnOpen(true)}: the full check and repair runs on every file. */
    VERIFY("verify", true),

    /** The defaults: a cleanly closed file is trusted (header, directory and table headers checked, no slot scan). */
    DEFAULT("default", false);

    final String label;
    final boolean verify;

    Arm(final String label, final boolean verify)
    {
        this.label = label;
        this.verify = verify;
    }

    static Arm of(final String label)
    {
        for (final Arm arm : values())
        {
            if (arm.label.equals(label))
            {
                return arm;
            }
        }
        throw new IllegalArgumentException("unknown arm: " + label + " (verify or default)");
    }
}
