package io.slotkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection: reads commands, runs each on the event loop (the store is lock-free, so no command waits),
 * and writes their replies, pipelined ones together. Input is kept only as long as a command is incomplete.
 * <p>
 * <b>Output bound.</b> Before each command the connection checks that its channel is writable (its unsent replies
 * are under the high water mark); if not, it stops reading and parsing until they drain, so a client that pipelines
 * without reading its replies holds at most the high water mark plus one reply, and its unread commands stay in the
 * kernel's socket buffer.
 */
final class RespConnection extends ChannelInboundHandlerAdapter
{
    /** Replies of one read are written out once they reach this many bytes. */
    private static final int WRITE_AT = 64 * 1024;

    private final RespServer server;
    private final RespParser parser;
    final long id;
    final long createdMillis = System.currentTimeMillis();
    private ChannelHandlerContext context;
    private ByteBuf input;
    private boolean authenticated;
    private boolean closing;
    private boolean paused;
    private volatile String name;
    private volatile String libraryName;
    private volatile String libraryVersion;
    private volatile String lastCommand = "NULL";
    private volatile SocketAddress remote;

    RespConnection(final RespServer server, final long id)
    {
        this.server = server;
        this.id = id;
        this.parser = new RespParser(server.settings().protoMaxBulkLength(), server.settings().maxArguments());
        this.authenticated = null == server.settings().password();
    }

    RespServer server()
    {
        return server;
    }

    boolean authenticated()
    {
        return authenticated;
    }

    void authenticate()
    {
        authenticated = true;
    }

    String name()
    {
        return name;
    }

    void name(final String name)
    {
        this.name = name;
    }

    void library(final String libraryName, final String libraryVersion)
    {
        if (null != libraryName)
        {
            this.libraryName = libraryName;
        }
        if (null != libraryVersion)
        {
            this.libraryVersion = libraryVersion;
        }
    }

    /** After the replies written so far: close the connection (QUIT, a protocol error, SHUTDOWN). */
    void closeAfterReply()
    {
        closing = true;
    }

    void lastCommand(final String command)
    {
        lastCommand = command;
    }

    /** @return a {@code CLIENT LIST} line. */
    String describe()
    {
        final long now = System.currentTimeMillis();
        return "id=" + id + " addr=" + address(remote) + " laddr=" + (null == context ? "?" :
            address(context.channel().localAddress())) + " name=" + (null == name ? "" : name) + " age=" +
            (now - createdMillis) / 1000 + " db=0 cmd=" + lastCommand + " lib-name=" +
            (null == libraryName ? "" : libraryName) + " lib-ver=" + (null == libraryVersion ? "" : libraryVersion) +
            " resp=2";
    }

    private static String address(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress inet)
        {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        context = ctx;
        remote = ctx.channel().remoteAddress();
        final String refusal = server.admit(this, remote);
        if (null != refusal)
        {
            final ByteBuf out = ctx.alloc().buffer();
            Reply.error(out, refusal);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            closing = true;
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object message)
    {
        final ByteBuf data = (ByteBuf)message;
        if (closing)
        {
            data.release();
            return;
        }
        input = null == input ? data : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, data);
        if (input.readableBytes() > server.settings().queryBufferLimit())
        {
            // Redis frees such a client without a reply
            server.log("closing client id=" + id + " addr=" + address(remote) + ": query buffer of " +
                input.readableBytes() + " bytes is over the limit of " + server.settings().queryBufferLimit());
            closing = true;
            ctx.close();
            return;
        }
        process(ctx);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (paused && ctx.channel().isWritable())
        {
            paused = false;
            server.pausedConnections.decrementAndGet();
            ctx.channel().config().setAutoRead(true);
            process(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void process(final ChannelHandlerContext ctx)
    {
        if (null == input)
        {
            return;
        }
        ByteBuf out = ctx.alloc().ioBuffer();
        try
        {
            while (!closing)
            {
                if (!ctx.channel().isWritable())
                {
                    paused = true;
                    server.pausedConnections.incrementAndGet();
                    ctx.channel().config().setAutoRead(false);
                    break;
                }
                final byte[][] command;
                try
                {
                    command = parser.next(input, authenticated);
                }
                catch (final ProtocolError error)
                {
                    Reply.error(out, error.reply());
                    closing = true;
                    break;
                }
                if (null == command)
                {
                    break;
                }
                if (0 == command.length)
                {
                    continue;
                }
                server.execute(this, command, out);
                if (out.readableBytes() >= WRITE_AT)
                {
                    ctx.write(out);
                    out = ctx.alloc().ioBuffer();
                }
            }
        }
        finally
        {
            if (out.isReadable() || closing)
            {
                final var written = ctx.writeAndFlush(out.isReadable() ? out : releaseAndEmpty(out));
                if (closing)
                {
                    written.addListener(ChannelFutureListener.CLOSE);
                }
            }
            else
            {
                out.release();
                ctx.flush();
            }
            if (null != input)
            {
                if (input.isReadable())
                {
                    input.discardSomeReadBytes();
                }
                else
                {
                    input.release();
                    input = null;
                }
            }
        }
    }

    private static ByteBuf releaseAndEmpty(final ByteBuf out)
    {
        out.release();
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof IdleStateEvent)
        {
            closing = true; // Redis closes idle clients without a reply
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (null != input)
        {
            input.release();
            input = null;
        }
        server.disconnected(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!(cause instanceof IOException))
        {
            server.log("closing client id=" + id + " addr=" + address(remote) + " after an error: " + cause);
        }
        closing = true;
        ctx.close();
    }
}
