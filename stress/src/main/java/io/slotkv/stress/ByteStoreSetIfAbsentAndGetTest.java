package io.slotkv.stress;

import io.slotkv.map.OffHeapByteStore;
import io.slotkv.map.SetCondition;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: SET NX GET (setAndGet with IF_ABSENT) on an absent key lets exactly one of two racing writers store, and
 * the other gets the winner's value: a lock taken once, and the loser told by whom.
 *
 * Results: r1 = what the B-writer got, r2 = what the C-writer got, r3 = K's value after both
 * (0 = none, 2 = B, 3 = C, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreSetIfAbsentAndGetTest
 */
@JCStressTest
@Outcome(id = "0, 2, 2", expect = ACCEPTABLE, desc = "B stored; C saw B.")
@Outcome(id = "3, 0, 3", expect = ACCEPTABLE, desc = "C stored; B saw C.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: both stored (the condition was not atomic), or a lost value.")
@State
public class ByteStoreSetIfAbsentAndGetTest
{
    static final byte[] K = key("lock");
    static final byte[] B = bytes(40, 'b');
    static final byte[] C = bytes(8, 'c');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    @Actor
    public void storeB(final III_Result r)
    {
        r.r1 = which(fixture.store.setAndGet(K, B, SetCondition.IF_ABSENT, OffHeapByteStore.NO_TTL), null, B, C);
    }

    @Actor
    public void storeC(final III_Result r)
    {
        r.r2 = which(fixture.store.setAndGet(K, C, SetCondition.IF_ABSENT, OffHeapByteStore.NO_TTL), null, B, C);
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        r.r3 = which(fixture.store.get(K), null, B, C);
        fixture.close();
    }
}
