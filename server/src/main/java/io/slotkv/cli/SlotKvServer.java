package io.slotkv.cli;

/**
 * The server jar's entry point: {@code java -jar slotkv-server.jar [options]} is {@code slotkv server [options]}
 * (127.0.0.1:6379, store file in ./data, without options).
 */
public final class SlotKvServer
{
    private SlotKvServer()
    {
    }

    public static void main(final String[] args)
    {
        final String[] command = new String[args.length + 1];
        command[0] = "server";
        System.arraycopy(args, 0, command, 1, args.length);
        SlotKv.main(command);
    }
}
