package io.slotkv.stress.fuzz;

/**
 * The verdict on one mutated file in one arm. Failures come first, most severe first: when a file shows several
 * problems, the first in this order is its outcome.
 */
enum Outcome
{
    CRASH("crash (the JVM died)", true),
    HANG("hang (over the per-file limit)", true),
    OOM("OutOfMemoryError", true),
    RAW_EXCEPTION("raw exception", true),
    REFUSED_MODIFIED("refused but file modified", true),
    STILL_LOCKED("refused but still locked", true),
    INCONSISTENT("inconsistent", true),
    ACCEPTED_DAMAGED_SEED("opened although the hash seed and its check disagree", true),
    LOST_DATA("lost or changed data the damage does not explain", true),
    UNDETECTED_DAMAGE("clean file, value key damaged: opened without the clean check failing", true),
    UNREPORTED_REPAIR("changed at open without a recovery report", true),
    EXEMPT("clean file, slot damage, not verified: inconsistent (by design)", false),
    REFUSED("refused with CorruptStoreException", false),
    OPENED("opened consistent", false);

    final String label;
    final boolean failure;

    Outcome(final String label, final boolean failure)
    {
        this.label = label;
        this.failure = failure;
    }
}
