package io.slotkv.stress.torture;

import io.slotkv.map.RecoveryReport;

import java.io.PrintStream;

/**
 * The torture's counters, and the summary block it ends with.
 */
final class TortureStats
{
    long kills;
    long aimedKills;
    long aimedKillsInsideResize;
    long aimedKillsEarly;
    long aimedKillsLate;
    long aimedKillsAtRekey;
    long aimedKillsInsideRekey;
    long timerKills;
    long killsBeforeOpen;
    long killsDuringChildRecovery;
    long killsInsideResize;
    long killsCommittedNotCleared;
    long killsInsideRekey;
    long killsMarkedOpen;
    long killsWithoutMap;
    long resizesAnnounced;
    long rekeysDone;

    long freshStores;
    long continuedClean;
    long continuedDirty;
    long childRecoveries;

    long verifications;
    long reopenFailures;
    long recoveries;
    long recoveriesChanged;
    long replacementsCompleted;
    long replacementsCleared;
    long recoveriesThawing;
    long slotsThawed;
    long countsRepaired;
    long purged;
    long reportMismatches;
    long recoveryNanos;

    long keysChecked;
    long ambiguousChecked;
    long liveChecked;
    long largestMap;
    long largestStoreBytes;
    long acknowledged;
    long pending;
    long pendingApplied;
    long pendingNotApplied;

    String resizeClock = "";
    final Violations violations = new Violations();

    void recovery(final RecoveryReport report)
    {
        recoveries++;
        recoveriesChanged += report.changedAnything() ? 1 : 0;
        replacementsCompleted += report.replacementsCompleted();
        replacementsCleared += report.replacementsCleared();
        recoveriesThawing += report.slotsThawed() > 0 ? 1 : 0;
        slotsThawed += report.slotsThawed();
        countsRepaired += report.countsRepaired();
        purged += report.purged();
        recoveryNanos += report.nanos();
    }

    void print(final PrintStream out, final String header, final long seconds)
    {
        out.println("=== SlotKV kill -9 torture: summary ===");
        out.println(header);
        out.println("kills:                      " + kills);
        out.println("  aimed at a resize:        " + aimedKills + " (per the file: copying " + aimedKillsInsideResize +
            ", not yet copying " + aimedKillsEarly + ", already finished " + aimedKillsLate + ")");
        out.println("  aimed at a re-keying put: " + aimedKillsAtRekey + " (per the file: inside the re-keying " +
            "pass " + aimedKillsInsideRekey + ")");
        out.println("  at a random instant:      " + timerKills);
        out.println("  before the map was open:  " + killsBeforeOpen + " (during a child's own recovery of a " +
            "crashed file: " + killsDuringChildRecovery + ")");
        out.println("kills inside a resize:      " + killsInsideResize + " (Next Table set in the killed file; of " +
            "them committed but Next not cleared: " + killsCommittedNotCleared + ")");
        out.println("kills inside a re-keying:   " + killsInsideRekey + " (Next Table of another value key: " +
            "recovery re-encodes the values it copies)");
        out.println("kills with header open:     " + killsMarkedOpen + " (no map in the file yet: " +
            killsWithoutMap + ")");
        out.println("resizes announced:          " + resizesAnnounced + "; re-keying puts that replaced their " +
            "table: " + rekeysDone);
        out.println("replacement times learnt:   " + resizeClock);
        out.println("stores: fresh " + freshStores + ", continued after a clean close " + continuedClean +
            ", continued crashed (child recovered it) " + continuedDirty + ", child recoveries " + childRecoveries);
        out.println("reopens (verifications):    " + verifications);
        out.println("recoveries:                 " + recoveries + " (changed something: " + recoveriesChanged +
            "; replacements completed " + replacementsCompleted + ", cleared " + replacementsCleared +
            "; thawed a freeze pass " + recoveriesThawing + " (" + slotsThawed + " slots); counts repaired " +
            countsRepaired + "; purged " + purged + "; " + String.format("%.1f", recoveryNanos / 1e6) + " ms)");
        out.println("report vs killed file:      " + reportMismatches + " mismatches (replacements the report " +
            "completed/cleared vs Next Table words in the file)");
        out.println("entries checked:            " + keysChecked + " keys compared (" + liveChecked +
            " with a value, " + ambiguousChecked + " with an unacknowledged last operation), largest map " +
            largestMap + " entries, largest store " + largestStoreBytes / (1 << 20) + " MiB");
        out.println("operations replayed:        " + acknowledged + " acknowledged, " + pending +
            " pending at a kill (found applied " + pendingApplied + ", not applied " + pendingNotApplied + ")");
        out.println("lost writes:                " + violations.count(Violations.Kind.LOST_WRITE));
        out.println("resurrected removes:        " + violations.count(Violations.Kind.RESURRECTED));
        out.println("never-written keys:         " + violations.count(Violations.Kind.NEVER_WRITTEN));
        out.println("wrong results in logs:      " + violations.count(Violations.Kind.WRONG_RESULT));
        out.println("count/iteration mismatches: " + (violations.count(Violations.Kind.COUNT) +
            violations.count(Violations.Kind.ITERATION)));
        out.println("failed reopens:             " + violations.count(Violations.Kind.REOPEN_FAILED));
        out.println("failed write probes:        " + violations.count(Violations.Kind.WRITE_PROBE));
        out.println("child errors:               " + violations.count(Violations.Kind.CHILD_ERROR));
        out.println("seconds:                    " + seconds);
        out.println("RESULT: " + (violations.isEmpty() ? "PASS" : "FAIL (" + violations.total() + " violations)"));
        for (final String example : violations.examples())
        {
            out.println("  " + example);
        }
    }
}
