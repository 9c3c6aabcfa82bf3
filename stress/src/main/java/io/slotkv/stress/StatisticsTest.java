package io.slotkv.stress;

import io.slotkv.map.StoreStatistics;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static io.slotkv.stress.ByteStoreFixture.key;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: the statistics count two racing writes of one absent key by what each did, whoever wins: exactly one
 * insert and one update, and no get (the reads inside the writes are not gets), on the two actors' own counter
 * stripes. A CAS one writer loses to the other (the key's slot claimed first, or its value word changed first) is
 * counted as a retry: 0 when the writes did not overlap.
 *
 * Results: the counters' change over the two actors: r1 = inserts, r2 = updates, r3 = CAS retries, r4 = gets.
 *
 * Variants: two puts on the long map; two puts on the byte store; two incrBy on the byte store (a read, then
 * putIfAbsent or a compare-and-set, retried).
 *
 * Run: java -jar stress/target/jcstress.jar -t StatisticsTest
 */
@Outcome(id = "1, 1, 0, 0",     expect = ACCEPTABLE,             desc = "One inserted, the other updated, no CAS lost.")
@Outcome(id = "1, 1, [1-9], 0", expect = ACCEPTABLE_INTERESTING, desc = "One writer lost a CAS to the other: counted.")
@Outcome(                       expect = FORBIDDEN,              desc = "A write miscounted or lost, or a read counted.")
public class StatisticsTest
{
    private static void delta(final JJJJ_Result r, final StoreStatistics before, final StoreStatistics after)
    {
        r.r1 = after.inserts() - before.inserts();
        r.r2 = after.updates() - before.updates();
        r.r3 = after.casRetries() - before.casRetries();
        r.r4 = after.gets() - before.gets();
    }

    @JCStressTest
    @JCStressMeta(StatisticsTest.class)
    @State
    public static class LongMapPuts
    {
        final MapFixture fixture = MapFixture.anonymous().fill();
        final StoreStatistics before = fixture.map.statistics();

        @Actor
        public void actor1()
        {
            fixture.map.put(7, 1);
        }

        @Actor
        public void actor2()
        {
            fixture.map.put(7, 2);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            delta(r, before, fixture.map.statistics());
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(StatisticsTest.class)
    @State
    public static class ByteStorePuts
    {
        static final byte[] K = key("k");

        final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();
        final StoreStatistics before = fixture.store.statistics();

        @Actor
        public void actor1()
        {
            fixture.store.put(K, key("1"));
        }

        @Actor
        public void actor2()
        {
            fixture.store.put(K, key("2"));
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            delta(r, before, fixture.store.statistics());
            fixture.close();
        }
    }

    @JCStressTest
    @JCStressMeta(StatisticsTest.class)
    @State
    public static class ByteStoreIncrements
    {
        static final byte[] K = key("counter");

        final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();
        final StoreStatistics before = fixture.store.statistics();

        @Actor
        public void actor1()
        {
            fixture.store.incrBy(K, 1);
        }

        @Actor
        public void actor2()
        {
            fixture.store.incrBy(K, 1);
        }

        @Arbiter
        public void arbiter(final JJJJ_Result r)
        {
            delta(r, before, fixture.store.statistics());
            fixture.close();
        }
    }
}
