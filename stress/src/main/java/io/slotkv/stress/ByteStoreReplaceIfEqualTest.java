package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZI_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a compare-and-set on a key's bytes never succeeds against a recycled block (ABA). K holds A; one actor
 * replaces A with B only if K's value is A; the other puts C (a size class of its own, freeing A's block) and then
 * D, of A's size class, which takes A's block back: K's slot word then names the same position as when it held A.
 * A CAS that compared positions only would replace D with B; the generation in the word makes it fail, and the
 * operation sees D and gives up.
 *
 * Results: r1 = replace's result, r2 = the final value (1 = A, 2 = B, 3 = C, 4 = D).
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreReplaceIfEqualTest
 */
@JCStressTest
@Outcome(id = "true, 4", expect = ACCEPTABLE, desc = "replace first (A to B), then C, then D.")
@Outcome(id = "false, 4", expect = ACCEPTABLE, desc = "replace after C or D: not equal.")
@Outcome(id = "true, 2", expect = FORBIDDEN, desc = "B replaced D: the CAS matched a recycled block.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ByteStoreReplaceIfEqualTest
{
    static final byte[] K = key("k");
    static final byte[] A = bytes(30, 'a');
    static final byte[] B = bytes(31, 'b');
    static final byte[] C = bytes(500, 'c');
    static final byte[] D = bytes(30, 'd');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous().fill();

    {
        fixture.store.put(K, A);
    }

    @Actor
    public void compareAndSet(final ZI_Result r)
    {
        r.r1 = fixture.store.replace(K, A, B);
    }

    @Actor
    public void recycle()
    {
        fixture.store.put(K, C);
        fixture.store.put(K, D);
    }

    @Arbiter
    public void arbiter(final ZI_Result r)
    {
        r.r2 = fixture.intact() ? which(fixture.store.get(K), A, B, C, D) : 9;
        fixture.close();
    }
}
