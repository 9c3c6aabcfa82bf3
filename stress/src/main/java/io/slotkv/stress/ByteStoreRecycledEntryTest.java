package io.slotkv.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static io.slotkv.stress.ByteStoreFixture.bytes;
import static io.slotkv.stress.ByteStoreFixture.key;
import static io.slotkv.stress.ByteStoreFixture.which;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/*
 * Claim: a reader of a key whose entry is freed and reused for another key never returns the other key's bytes.
 * K holds K1; one writer replaces it with K2 (freeing K1's block), the other then puts J's new value of K1's size,
 * which takes the block just freed (the free lists are last-in first-out). A reader of K that loaded K1's slot word
 * and copies late would copy J's bytes: it must notice the block's new generation and read again.
 *
 * Results: r1 = the reader's value of K (1 = K1, 2 = K2, 3 = J's new bytes, 9 = anything else), r2 = 1 if
 * afterwards K = K2 and J = J2.
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreRecycledEntryTest
 */
@JCStressTest
@Outcome(id = "[12], 1", expect = ACCEPTABLE, desc = "K's old or new value.")
@Outcome(id = "3, .*", expect = FORBIDDEN, desc = "Another key's bytes: a reused block read without noticing.")
@Outcome(expect = FORBIDDEN, desc = "A torn value, or a lost write.")
@State
public class ByteStoreRecycledEntryTest
{
    static final byte[] K = key("k");
    static final byte[] J = key("j");
    static final byte[] K1 = bytes(40, '1');
    static final byte[] K2 = bytes(200, '2');
    static final byte[] J1 = bytes(200, 'x');
    static final byte[] J2 = bytes(40, 'J');

    final ByteStoreFixture fixture = ByteStoreFixture.anonymous();

    {
        fixture.store.put(K, K1);
        fixture.store.put(J, J1);
    }

    @Actor
    public void writer()
    {
        fixture.store.put(K, K2); // frees K1's block
        fixture.store.put(J, J2); // of K1's size class: takes that block
    }

    @Actor
    public void reader(final II_Result r)
    {
        final int seen = which(fixture.store.get(K), K1, K2, J2);
        r.r1 = 0 == seen ? 9 : seen;
    }

    @Arbiter
    public void arbiter(final II_Result r)
    {
        r.r2 = 2 == which(fixture.store.get(K), K1, K2) && 1 == which(fixture.store.get(J), J2) ? 1 : 0;
        fixture.close();
    }
}
