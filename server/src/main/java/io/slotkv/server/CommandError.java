package io.slotkv.server;

/**
 * A command refused with an error reply: the message is the reply's text, starting with its code
 * ({@code ERR syntax error}). Thrown often, on bad input, so it has no stack trace.
 */
final class CommandError extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_A_FLOAT = "ERR value is not a valid float";
    static final String SYNTAX = "ERR syntax error";

    CommandError(final String reply)
    {
        super(reply, null, false, false);
    }

    static CommandError invalidExpireTime(final String command)
    {
        return new CommandError("ERR invalid expire time in '" + command + "' command");
    }
}
