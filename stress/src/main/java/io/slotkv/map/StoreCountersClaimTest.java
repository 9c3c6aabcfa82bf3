package io.slotkv.map;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: two threads whose adds land on one stripe of StoreCounters (one stripe for all) lose neither add:
 * exactly one of them claims the stripe (CAS on its owner), the other adds into the shared adder, unless the owner
 * thread has terminated by then (jcstress's actor threads end with their batch of states), when the stripe is taken
 * over. Either way both adds are in the sum. In package io.slotkv.map because StoreCounters is internal.
 *
 * Results: r1 = the sum after both, r2 = the part of it in the shared adder.
 *
 * Run: java -jar stress/target/jcstress.jar -t StoreCountersClaimTest
 */
@JCStressTest
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "One claimed the stripe, the other added to the shared adder.")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "The first owner had ended (an actor thread ends with its batch): " +
    "taken over.")
@Outcome(             expect = FORBIDDEN,  desc = "An add was lost or counted twice.")
@State
public class StoreCountersClaimTest
{
    final StoreCounters counters = new StoreCounters(1);

    @Actor
    public void actor1()
    {
        counters.increment(StoreCounters.HITS);
    }

    @Actor
    public void actor2()
    {
        counters.increment(StoreCounters.HITS);
    }

    @Arbiter
    public void arbiter(final JJ_Result r)
    {
        r.r1 = counters.sum(StoreCounters.HITS);
        r.r2 = counters.sharedSum(StoreCounters.HITS);
    }
}
