package io.slotkv.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;

/**
 * Progress of long work on standard error: a progress bar on a terminal, a plain line every few seconds otherwise
 * (a log or a pipe), nothing with {@code --quiet}.
 */
final class Progress implements AutoCloseable
{
    private static final int LINE_EVERY_MILLIS = 5_000;

    private final ProgressBar bar;

    private Progress(final ProgressBar bar)
    {
        this.bar = bar;
    }

    /**
     * @param task  what is being done, for the bar's label.
     * @param total the amount of work, or -1 if unknown.
     * @param unit  of the amount ("entries", "MB").
     * @param unitSize how many counted units make one shown unit (1, or 1 MiB for bytes shown as MB).
     */
    static Progress start(final String task, final long total, final String unit, final long unitSize,
        final boolean quiet, final PrintWriter err)
    {
        if (quiet)
        {
            return new Progress(null);
        }
        final ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
            .setUnit(" " + unit, unitSize).showSpeed().continuousUpdate();
        if (null == System.console())
        {
            builder.setUpdateIntervalMillis(LINE_EVERY_MILLIS).setStyle(ProgressBarStyle.ASCII) // no colour codes
                .setConsumer(new DelegatingProgressBarConsumer(line -> err.println(line.strip())));
        }
        return new Progress(builder.build());
    }

    void stepTo(final long done)
    {
        if (null != bar)
        {
            bar.stepTo(done);
        }
    }

    /** @return {@code out}, counting what passes through into this progress. */
    java.io.OutputStream counting(final java.io.OutputStream out)
    {
        return new java.io.FilterOutputStream(out)
        {
            private long bytes;

            @Override
            public void write(final byte[] b, final int off, final int len) throws java.io.IOException
            {
                out.write(b, off, len);
                stepTo(bytes += len);
            }

            @Override
            public void write(final int b) throws java.io.IOException
            {
                out.write(b);
                stepTo(++bytes);
            }
        };
    }

    /** @return {@code in}, counting what passes through into this progress. */
    java.io.InputStream counting(final java.io.InputStream in)
    {
        return new java.io.FilterInputStream(in)
        {
            private long bytes;

            @Override
            public int read(final byte[] b, final int off, final int len) throws java.io.IOException
            {
                final int read = in.read(b, off, len);
                if (read > 0)
                {
                    stepTo(bytes += read);
                }
                return read;
            }

            @Override
            public int read() throws java.io.IOException
            {
                final int read = in.read();
                if (read >= 0)
                {
                    stepTo(++bytes);
                }
                return read;
            }
        };
    }

    @Override
    public void close()
    {
        if (null != bar)
        {
            bar.close();
        }
    }
}
