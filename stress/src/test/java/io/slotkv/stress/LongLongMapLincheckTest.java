package io.slotkv.stress;

import io.slotkv.map.OffHeapLongLongMap;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.LongGen;

import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

/**
 * Linearizability of the map's point operations over keys 0..4 (0 is kept in a side word, 1..4 in the table) and
 * values 1..3, checked by Lincheck against {@link SequentialMap}, a {@link HashMap} with the same contract.
 * <p>
 * The map has one segment whose table already holds {@value MapFixture#FILLER_COUNT} filler keys, one short of its
 * resize threshold: the second new key a scenario inserts replaces the table, so scenarios cover inserts, updates
 * and removes racing a resize as well as plain CAS races.
 * <p>
 * <b>Stress mode</b> runs each scenario on real threads many times. <b>Model checking</b> runs it under Lincheck's
 * scheduler, which explores thread switches at the points it instruments in SlotKV's classes: field accesses (the
 * segment's volatile table reference, the closed flag), the segment's {@code StampedLock}, and the calls into
 * Agrona's {@code UnsafeBuffer} through which every off-heap slot word is read, CASed or added to. Agrona itself is
 * treated as atomic (Lincheck 2.39 cannot re-transform its classes: {@code VerifyError}), so each off-heap access is
 * one step: model checking explores interleavings between the accesses of concurrent operations (a read and the CAS
 * that follows it, a claim and the value write, the freezing loop of a resize), not what the CPU reorders inside
 * them. jcstress (this module's main sources) covers memory ordering on real hardware.
 * <p>
 * Shown to fail: with the value CAS of {@code ValueUpdate.apply} replaced by a plain write, model checking reports a
 * non-linearizable history (a lost increment).
 * <p>
 * {@code mvn verify} runs a short pass of both modes; {@code stress/lincheck.sh} a long one.
 */
@Param(name = "key", gen = LongGen.class, conf = "0:4")
@Param(name = "value", gen = LongGen.class, conf = "1:3")
public class LongLongMapLincheckTest
{
    /** Scenarios per mode; stress/lincheck.sh raises it for a long run. */
    static final int ITERATIONS = Integer.getInteger("slotkv.lincheck.iterations", 20);
    /** Interleavings explored per scenario by model checking. */
    static final int MODEL_CHECKING_INVOCATIONS = Integer.getInteger("slotkv.lincheck.modelCheckingInvocations", 500);
    /** Runs per scenario on real threads. */
    static final int STRESS_INVOCATIONS = Integer.getInteger("slotkv.lincheck.stressInvocations", 5_000);

    private final OffHeapLongLongMap map = MapFixture.anonymous().fill().map;

    @Operation
    public long get(@Param(name = "key") final long key)
    {
        return map.get(key);
    }

    @Operation
    public boolean containsKey(@Param(name = "key") final long key)
    {
        return map.containsKey(key);
    }

    @Operation
    public long put(@Param(name = "key") final long key, @Param(name = "value") final long value)
    {
        return map.put(key, value);
    }

    @Operation
    public long putIfAbsent(@Param(name = "key") final long key, @Param(name = "value") final long value)
    {
        return map.putIfAbsent(key, value);
    }

    @Operation
    public long replace(@Param(name = "key") final long key, @Param(name = "value") final long value)
    {
        return map.replace(key, value);
    }

    @Operation
    public boolean replaceIfEqual(
        @Param(name = "key") final long key, @Param(name = "value") final long expected, @Param(name = "value") final long value)
    {
        return map.replace(key, expected, value);
    }

    @Operation
    public long remove(@Param(name = "key") final long key)
    {
        return map.remove(key);
    }

    @Operation
    public boolean removeIfEqual(@Param(name = "key") final long key, @Param(name = "value") final long expected)
    {
        return map.remove(key, expected);
    }

    @Operation
    public long incrementAndGet(@Param(name = "key") final long key)
    {
        return map.incrementAndGet(key);
    }

    @Operation
    public long getAndAdd(@Param(name = "key") final long key, @Param(name = "value") final long delta)
    {
        return map.getAndAdd(key, delta);
    }

    @Test
    void modelChecking()
    {
        LinChecker.check(LongLongMapLincheckTest.class, new ModelCheckingOptions()
            .sequentialSpecification(SequentialMap.class)
            .addGuarantee(forClasses(name -> name.startsWith("org.agrona.")).allMethods().treatAsAtomic())
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .iterations(ITERATIONS)
            .invocationsPerIteration(MODEL_CHECKING_INVOCATIONS));
    }

    @Test
    void stress()
    {
        LinChecker.check(LongLongMapLincheckTest.class, new StressOptions()
            .sequentialSpecification(SequentialMap.class)
            .threads(3)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .iterations(ITERATIONS)
            .invocationsPerIteration(STRESS_INVOCATIONS));
    }

    /**
     * The contract of the map's operations on a {@link HashMap}, run one operation at a time.
     */
    public static final class SequentialMap
    {
        private final Map<Long, Long> map = new HashMap<>();

        public long get(final long key)
        {
            return map.getOrDefault(key, MapFixture.MISSING);
        }

        public boolean containsKey(final long key)
        {
            return map.containsKey(key);
        }

        public long put(final long key, final long value)
        {
            return orMissing(map.put(key, value));
        }

        public long putIfAbsent(final long key, final long value)
        {
            return orMissing(map.putIfAbsent(key, value));
        }

        public long replace(final long key, final long value)
        {
            return orMissing(map.replace(key, value));
        }

        public boolean replaceIfEqual(final long key, final long expected, final long value)
        {
            return map.replace(key, expected, value);
        }

        public long remove(final long key)
        {
            return orMissing(map.remove(key));
        }

        public boolean removeIfEqual(final long key, final long expected)
        {
            return map.remove(key, expected);
        }

        public long incrementAndGet(final long key)
        {
            return map.merge(key, 1L, Long::sum);
        }

        public long getAndAdd(final long key, final long delta)
        {
            final long previous = map.getOrDefault(key, 0L);
            map.put(key, previous + delta);
            return previous;
        }

        private static long orMissing(final Long value)
        {
            return null == value ? MapFixture.MISSING : value;
        }
    }
}
