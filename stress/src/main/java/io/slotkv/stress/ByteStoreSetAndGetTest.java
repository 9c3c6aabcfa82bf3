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
 * Claim: setAndGet (Redis SET ... GET, GETSET) is atomic: of two racing on one key, each returns the value the
 * other replaced or the one before both, never the same old value twice (a lost update). K holds A; one actor sets
 * B, the other C, each getting the old value.
 *
 * Results: r1 = what the B-setter got, r2 = what the C-setter got, r3 = K's value after both
 * (0 = none, 1 = A, 2 = B, 3 = C, 9 = other).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreSetAndGetTest
 */
@JCStressTest
@Outcome(id = "1, 2, 3", expect = ACCEPTABLE, desc = "B first, then C.")
@Outcome(id = "3, 1, 2", expect = ACCEPTABLE, desc = "C first, then B.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: both replaced A (a lost update), or a torn value.")
@State
public class ByteStoreSetAndGetTest
{
    static final byte[] K = key("getset");
    static final byte[] A = bytes(24, 'a');
    static final byte[] B = bytes(40, 'b');
    static final byte[] C = bytes(8, 'c');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.put(K, A);
    }

    @Actor
    public void setB(final III_Result r)
    {
        r.r1 = which(fixture.store.setAndGet(K, B, SetCondition.ALWAYS, OffHeapByteStore.NO_TTL), A, B, C);
    }

    @Actor
    public void setC(final III_Result r)
    {
        r.r2 = which(fixture.store.setAndGet(K, C, SetCondition.ALWAYS, OffHeapByteStore.NO_TTL), A, B, C);
    }

    @Arbiter
    public void arbiter(final III_Result r)
    {
        r.r3 = which(fixture.store.get(K), A, B, C);
        fixture.close();
    }
}
