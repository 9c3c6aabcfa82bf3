package io.slotkv.server;

/**
 * Input that is not RESP: the connection gets {@code -ERR Protocol error: <reason>} and is closed once the reply is
 * written, as Redis does.
 */
final class ProtocolError extends Exception
{
    private static final long serialVersionUID = 1L;

    ProtocolError(final String reason)
    {
        super(reason, null, false, false);
    }

    /** @return the reply's text. */
    String reply()
    {
        return "ERR Protocol error: " + getMessage();
    }
}
