package io.slotkv.stress;

import io.slotkv.map.OffHeapByteStore;
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
 * Claim: a byte-store file's next owner opens it the moment close() returns, while the closed store's writer may
 * still be inside a put that builds a new 3,000-byte entry (and, as the fixture's first new key, replaces the
 * table): no write of the closed store reaches the file after that. The close froze every slot it could reach
 * after copying them into tables only the directory names, then waited for every writer to leave before it saved
 * the heaps' allocator state and let the file go, so the writer's block cannot be one the next owner hands out.
 *
 * Results: r1 = the put's outcome (1 = returned, 7 = IllegalStateException); r2 = the key in the store reopened right
 * after close() (1 = the value, 0 = absent, 9 = anything else); r3 = the same in that store after the writer finished;
 * r4 = 1 if every filler key kept its value.
 *
 * Run: java -jar stress/target/jcstress.jar -t ByteStoreFileCloseRaceTest
 */
@JCStressTest
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The put ran before the close; the next owner sees it.")
@Outcome(id = "7, 0, 0, 1", expect = ACCEPTABLE, desc = "The put saw the store closed and wrote nothing.")
@Outcome(id = "1, 0, .*, .*", expect = FORBIDDEN, desc = "A put that returned normally missed the next owner.")
@Outcome(id = ".*, 0, 1, .*", expect = FORBIDDEN, desc = "A write of the closed store reached the next owner.")
@Outcome(expect = FORBIDDEN, desc = "A value nobody wrote, a filler lost, or another exception.")
@State
public class ByteStoreFileCloseRaceTest
{
    static final byte[] K = key("new key");
    static final byte[] V = bytes(3_000, 'v');

    final ByteStoreFixture fixture = ByteStoreFixture.mapped().fill();
    volatile OffHeapByteStore next;

    @Actor
    public void writer(final IIII_Result r)
    {
        try
        {
            fixture.store.put(K, V);
            r.r1 = 1;
        }
        catch (final IllegalStateException ex)
        {
            r.r1 = 7;
        }
    }

    @Actor
    public void closerThenNextOwner(final IIII_Result r)
    {
        fixture.store.close();
        final OffHeapByteStore reopened = fixture.reopen();
        next = reopened;
        r.r2 = which(reopened.get(K), V);
    }

    @Arbiter
    public void arbiter(final IIII_Result r)
    {
        try (OffHeapByteStore reopened = next)
        {
            r.r3 = which(reopened.get(K), V);
            boolean intact = true;
            for (int i = 0; i < ByteStoreFixture.FILLER_COUNT; i++)
            {
                final byte[] filler = key("filler-" + i);
                intact &= 1 == which(reopened.get(filler), filler);
            }
            r.r4 = intact ? 1 : 0;
        }
        fixture.close();
    }
}
