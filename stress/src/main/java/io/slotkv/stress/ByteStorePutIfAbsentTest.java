package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: two putIfAbsent of one new key have exactly one winner, whose value the key then holds, even when one of
 * them replaces the table (the table is at its threshold and each actor inserts another new key first). Two inserters of one key must meet at one slot: a key never gets two.
 *
 * Results: r1, r2 = what each putIfAbsent returned (1: stored), r3 = the final value (1 = A's, 2 = B's),
 * r4 = 1 if the filler keys and both other keys are intact and the table grew.
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStorePutIfAbsentTest
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "A won.")
@Outcome(id = "0, 1, 2, 1", expect = ACCEPTABLE, desc = "B won.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Two winners: the key got two slots.")
@Outcome(expect = FORBIDDEN, desc = "No winner, the loser's value stored, or a lost key.")
@State
public class ByteStorePutIfAbsentTest
{
    static final byte[] K = key("k");
    static final byte[] A = bytes(3, 'a');
    static final byte[] B = bytes(90, 'b');
    static final byte[] OTHER_A = key("other-a");
    static final byte[] OTHER_B = key("other-b");

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    @Actor
    public void a(final IIII_Result r)
    {
        fixture.store.put(OTHER_A, OTHER_A);
        r.r1 = fixture.store.putIfAbsent(K, A) ? 1 : 0;
    }

    @Actor
    public void b(final IIII_Result r)
    {
        fixture.store.put(OTHER_B, OTHER_B);
        r.r2 = fixture.store.putIfAbsent(K, B) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(final IIII_Result r)
    {
        r.r3 = which(fixture.store.get(K), A, B);
        r.r4 = fixture.intact() && fixture.resized() && 3 + ByteStoreFixture.FILLER_COUNT == fixture.store.size() &&
            1 == which(fixture.store.get(OTHER_A), OTHER_A) && 1 == which(fixture.store.get(OTHER_B), OTHER_B) ? 1 : 0;
        fixture.close();
    }
}
