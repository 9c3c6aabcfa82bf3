package io.slotkv.stress.fuzz;

import io.slotkv.core.memory.CorruptStoreException;
import io.slotkv.core.memory.MappedFileSpace;
import io.slotkv.core.memory.OpenMode;
import io.slotkv.core.memory.StoreLockedException;
import io.slotkv.map.RecoveryReport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The judgement of one mutated file, whatever the kind of store: the steps and rules both kinds share. Open it
 * ({@link #open}); a refusal must be a {@link CorruptStoreException} that left the file byte-for-byte unchanged and
 * not locked (the seed written over the same inode opens); an open that succeeded is the kind's to check
 * ({@link #opened}), with {@link #openChanges} (everything the open changed in the file is covered by a recovery
 * report that says it changed something), {@link #inconsistent} (a failure, unless the file is exempt: a trusted
 * clean file whose only damage is in slots or entries, opened without verification) and {@link #raw} (any other
 * exception is a failure, an {@link OutOfMemoryError} its own). A zero-length file must be refused by OPEN_EXISTING
 * (and left empty) and made a new store by CREATE_OR_OPEN. Self-tests inject each kind of failure.
 *
 * @param <S> the store.
 */
abstract class StoreCheck<S extends AutoCloseable>
{
    static final int MAX_EXAMPLES = 4;

    final Arm arm;
    final Set<String> selfTests;
    final Path file;
    final Mutation mutation;
    final byte[] before;
    final Set<String> flags = new TreeSet<>();
    final List<Outcome> kinds = new ArrayList<>();
    final StringBuilder details = new StringBuilder();
    /** The default arm, a file that claims a clean close, damage only in slots (and entries): trusted by design. */
    final boolean exemptible;
    boolean exempt;
    S store;

    StoreCheck(final Arm arm, final Set<String> selfTests, final Path file, final Mutation mutation)
    {
        this.arm = arm;
        this.selfTests = selfTests;
        this.file = file;
        this.mutation = mutation;
        this.before = mutation.bytes;
        this.exemptible = Arm.DEFAULT == arm && Mutation.Damage.SLOT_ONLY == mutation.damage &&
            mutation.claimsCleanClose();
    }

    /**
     * @return the store in the file, opened in {@code mode}, verifying or not.
     */
    abstract S open(OpenMode mode, boolean verify);

    /**
     * Check the store just opened ({@link #store}): consistency, the seed's entries where the damage cannot change
     * them, writes, close and reopen.
     */
    abstract void opened(boolean verify) throws IOException;

    /**
     * Before the open: what the kind checks on the file as it is (nothing by default).
     */
    void beforeOpen(final boolean verify) throws IOException
    {
    }

    /**
     * @return whether an inconsistency of a file that is not {@link #exemptible} is still the slots' (by design):
     * a clean file with slot damage and other, harmless, damage (false by default).
     */
    boolean attributable()
    {
        return false;
    }

    final FileCheck.Result run() throws IOException
    {
        flags.add(mutation.claimsCleanClose() ? "claims-clean" : "claims-open");
        try
        {
            if (0 == before.length)
            {
                zeroLengthPolicy();
            }
            final boolean verify = arm.verify && !selfTests.contains("verify-off");
            beforeOpen(verify);
            try
            {
                store = open(OpenMode.CREATE_OR_OPEN, verify);
            }
            catch (final CorruptStoreException ex)
            {
                refused(ex);
                return result();
            }
            catch (final StoreLockedException ex)
            {
                problem(Outcome.STILL_LOCKED, "open: locked although nothing else has it open (a lock left by an " +
                    "earlier file of this JVM?): " + FileCheck.stack(ex));
                return result();
            }
            catch (final Throwable ex)
            {
                raw("open", ex);
            }
            opened(verify);
        }
        catch (final Abort ignore)
        {
            // recorded
        }
        finally
        {
            closeQuietly();
        }
        return result();
    }

    final FileCheck.Result result()
    {
        Outcome outcome = Outcome.OPENED;
        for (final Outcome kind : kinds)
        {
            outcome = kind.ordinal() < outcome.ordinal() ? kind : outcome;
        }
        if (Outcome.OPENED == outcome && exempt)
        {
            outcome = Outcome.EXEMPT;
        }
        if (Outcome.OPENED == outcome && flags.contains("refused"))
        {
            outcome = Outcome.REFUSED;
        }
        return new FileCheck.Result(outcome, flags, details.toString());
    }

    final void problem(final Outcome kind, final String text)
    {
        kinds.add(kind);
        details.append(details.length() > 0 ? "\n" : "").append(kind.name()).append(": ").append(text);
    }

    /**
     * An inconsistency: a failure, unless the file is a clean one with only slot damage opened without
     * verification, which by design is trusted: then it is noted, and the model is no longer checked (it
     * diverged).
     */
    final void inconsistent(final String text)
    {
        if (exemptible || attributable())
        {
            if (!exempt)
            {
                details.append(details.length() > 0 ? "\n" : "").append("EXEMPT: ").append(text);
                if (!exemptible)
                {
                    flags.add("exempt-differential");
                }
            }
            exempt = true;
        }
        else
        {
            problem(Outcome.INCONSISTENT, text);
        }
    }

    final void raw(final String phase, final Throwable ex)
    {
        if (ex instanceof Abort)
        {
            throw (Abort)ex;
        }
        if (ex instanceof IllegalStateException && String.valueOf(ex.getMessage()).startsWith("segment is full"))
        {
            // documented: a segment whose largest table cannot hold more entries at the file's max load (a
            // damaged but in-range max load or capacity can make it so); the map stays consistent and readable
            flags.add("segment-full-documented");
            details.append(details.length() > 0 ? "\n" : "").append("DOCUMENTED: ").append(phase).append(": ")
                .append(ex.getMessage());
            throw new Abort();
        }
        if (ex instanceof IllegalArgumentException &&
            String.valueOf(ex.getMessage()).startsWith("maxKeyLength + maxValueLength do not fit an entry"))
        {
            // documented: the harness's limits do not fit the chunk size of a file that holds no store yet (a
            // damaged chunk size in its header); the builder refuses before it writes anything
            flags.add("limits-documented");
            details.append(details.length() > 0 ? "\n" : "").append("DOCUMENTED: ").append(phase).append(": ")
                .append(ex.getMessage());
            throw new Abort();
        }
        if (ex instanceof CorruptStoreException && (exemptible || attributable()))
        {
            // documented: an operation that meets damage a clean open trusted (slots, entries) throws
            // CorruptStoreException; the store then leaves the file for recovery at its close
            inconsistent(phase + ": " + ex);
            flags.add("corrupt-in-use-documented");
            throw new Abort();
        }
        problem(ex instanceof OutOfMemoryError ? Outcome.OOM : Outcome.RAW_EXCEPTION, phase + ": " + FileCheck.stack(ex));
        throw new Abort();
    }

    final void step(final String phase, final Step step)
    {
        try
        {
            step.run();
        }
        catch (final Throwable ex)
        {
            raw(phase, ex);
        }
    }

    final void closeQuietly()
    {
        final S open = store;
        store = null;
        if (null != open)
        {
            try
            {
                open.close();
            }
            catch (final Throwable ignore)
            {
                // the failure that got us here is recorded
            }
        }
    }

    /**
     * A zero-length file: OPEN_EXISTING must refuse it and leave it empty; CREATE_OR_OPEN (next) makes it a new
     * store.
     */
    private void zeroLengthPolicy() throws IOException
    {
        try
        {
            final S opened = open(OpenMode.OPEN_EXISTING, arm.verify);
            opened.close();
            problem(Outcome.INCONSISTENT, "OPEN_EXISTING opened a zero-length file");
        }
        catch (final CorruptStoreException ex)
        {
            if (0 != Files.size(file))
            {
                problem(Outcome.REFUSED_MODIFIED, "OPEN_EXISTING refused the zero-length file but it is now " +
                    Files.size(file) + " bytes");
            }
            else
            {
                flags.add("empty-open-existing-refused");
            }
        }
        catch (final Throwable ex)
        {
            raw("OPEN_EXISTING of a zero-length file", ex);
        }
    }

    private void refused(final CorruptStoreException ex) throws IOException
    {
        flags.add("refused");
        final String message = String.valueOf(ex.getMessage());
        details.append(message);
        final String withoutFile = message.replaceAll("file=\\S+", "").replaceAll("MappedFileSpace\\{[^}]*}", "");
        if (!withoutFile.matches("(?s).*[A-Za-z]=\\S.*"))
        {
            flags.add("vague-message");
        }
        if (selfTests.contains("modify") && mutation.index % 3 == 0)
        {
            Files.write(file, new byte[]{1}, StandardOpenOption.APPEND); // injected: must be caught
        }
        final byte[] after = Bytes.read(file);
        if (!Arrays.equals(before, after))
        {
            problem(Outcome.REFUSED_MODIFIED, "refused but the file changed: sha256 " + Bytes.sha256(before) +
                " -> " + Bytes.sha256(after) + ", " + Bytes.differences(before, after) + "; the refusal: " +
                FileCheck.stack(ex));
        }
        // not locked: the seed written over the same inode must open (a lock left behind would refuse it)
        Bytes.overwrite(file, mutation.seed.bytes);
        MappedFileSpace leak = null;
        if (selfTests.contains("lock") && mutation.index % 3 == 1)
        {
            leak = MappedFileSpace.open(file, OpenMode.OPEN_EXISTING, FileCheck.CHUNK_SIZE); // injected: must be caught
        }
        try
        {
            final S repaired = open(OpenMode.OPEN_EXISTING, false);
            repaired.close();
        }
        catch (final Throwable failure)
        {
            problem(Outcome.STILL_LOCKED, "after the refusal, the seed written over the same file did not open: " +
                FileCheck.stack(failure));
        }
        finally
        {
            if (null != leak)
            {
                leak.close();
            }
        }
    }

    /**
     * Everything the open changed in the file, beyond marking it open and dropping bytes past the end, must be
     * covered by a recovery report that says it changed something.
     */
    final void openChanges(final Optional<RecoveryReport> report) throws IOException
    {
        if (before.length < FileLayout.HEADER_LENGTH)
        {
            return;
        }
        final long root = Bytes.getLong(before, FileLayout.ROOT_OFFSET_OFFSET);
        if (FileLayout.NO_ROOT == root)
        {
            flags.add("map-created"); // a header without a store: the open creates one
            return;
        }
        final byte[] after = Bytes.read(file);
        final long end = Bytes.getLong(before, FileLayout.END_OFFSET);
        final long expectedLength = before.length > end ? end : before.length;
        final List<String> changes = new ArrayList<>();
        if (after.length != expectedLength)
        {
            changes.add("length " + before.length + " -> " + after.length + " (end=" + end + ")");
        }
        int words = 0;
        final int common = (int)Math.min(expectedLength, after.length);
        for (int i = 0; i < common; i++)
        {
            if (before[i] == after[i] || (i >= FileLayout.STATE_OFFSET && i < FileLayout.STATE_OFFSET + 8))
            {
                continue;
            }
            words++;
            if (changes.size() < MAX_EXAMPLES)
            {
                final int word = i & ~7;
                changes.add("word @" + word + " (" +
                    mutation.seed.layout.regionNames(mutation.seed.layout.regionBits(word)) + ") " +
                    Bytes.getLong(before, word) + " -> " + Bytes.getLong(after, word));
            }
            i |= 7;
        }
        if (!changes.isEmpty())
        {
            flags.add("changed-at-open");
            if (report.isEmpty() || !report.get().changedAnything())
            {
                problem(Outcome.UNREPORTED_REPAIR, "the open changed " + words + " words but " +
                    (report.isEmpty() ? "there is no recovery report" : "its report says nothing changed: " +
                    report.get()) + "; e.g. " + changes);
            }
        }
    }

    final void injectFailures()
    {
        final long index = mutation.index;
        if (selfTests.contains("raw") && index % 7 == 3)
        {
            throw new IllegalArgumentException("injected by --self-test raw");
        }
        if (selfTests.contains("hang") && index % 97 == 5)
        {
            try
            {
                Thread.sleep(Long.MAX_VALUE);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (selfTests.contains("crash") && index % 97 == 11)
        {
            FileCheck.crashTheJvm();
        }
        if (selfTests.contains("oom") && index % 97 == 17)
        {
            final List<long[]> hog = new ArrayList<>();
            while (hog.size() < 1_000_000)
            {
                hog.add(new long[1 << 24]);
            }
        }
    }

    final void injectUnreported() throws IOException
    {
        final long root = before.length >= FileLayout.HEADER_LENGTH ?
            Bytes.getLong(before, FileLayout.ROOT_OFFSET_OFFSET) : FileLayout.NO_ROOT;
        if (selfTests.contains("unreported") && mutation.index % 3 == 2 && FileLayout.NO_ROOT != root)
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                // a reserved header word: nothing reads it, but the open did not write it either
                channel.write(ByteBuffer.wrap(new byte[]{(byte)0xA5}), FileLayout.RESERVED_HEADER_OFFSET + 8);
            }
        }
    }

    /**
     * Thrown to stop checking a file after a failure that makes the rest meaningless.
     */
    static final class Abort extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        Abort()
        {
            super(null, null, false, false);
        }
    }

    @FunctionalInterface
    interface Step
    {
        void run() throws Exception;
    }
}
