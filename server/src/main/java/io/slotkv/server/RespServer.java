package io.slotkv.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.slotkv.map.MemoryLimitException;
import io.slotkv.map.OffHeapByteStore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The RESP server: Redis's protocol and string commands over an {@link OffHeapByteStore} in a store file, on
 * Netty (epoll where the machine has it, NIO otherwise). Commands run on the event loop threads, straight against
 * the lock-free store: no command waits for another, and connections on different threads run in parallel.
 * <p>
 * Lifecycle: {@link #start} opens (and, after a crash, recovers) the store file, then listens; {@link #close}
 * (also {@code SHUTDOWN}, and SIGTERM through the launcher's shutdown hook) stops listening, closes every client,
 * then closes the store, which syncs it and marks it closed cleanly.
 */
public final class RespServer implements AutoCloseable
{
    /** What {@code INFO} and {@code HELLO} report as the Redis version whose behaviour the server follows. */
    static final String REDIS_VERSION = "7.2.0";

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS");

    private final ServerSettings settings;
    private final OffHeapByteStore store;
    private final CommandTable commands = new CommandTable();
    private final Persistence persistence;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final boolean epoll;
    private final Map<Long, RespConnection> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong();
    private final LongAdder connectionsReceived = new LongAdder();
    private final LongAdder connectionsRejected = new LongAdder();
    private final LongAdder commandsProcessed = new LongAdder();
    /** Connections not read until their replies drain (the output bound), for tests. */
    final java.util.concurrent.atomic.AtomicInteger pausedConnections = new java.util.concurrent.atomic.AtomicInteger();
    private final long startMillis = System.currentTimeMillis();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private RespServer(final ServerSettings settings, final java.util.function.Consumer<RespServer> listening)
        throws IOException
    {
        this.settings = settings;
        Files.createDirectories(settings.directory());
        final Path file = settings.directory().resolve(ServerSettings.STORE_FILE);
        final OffHeapByteStore.Builder builder = OffHeapByteStore.builder().file(file)
            .maxValueLength(settings.maxValueLength());
        if (settings.maxMemory() > 0)
        {
            builder.maxMemory(settings.maxMemory());
        }
        this.store = builder.build();
        store.recoveryReport().ifPresent(report -> log("store file " + file + " was not closed cleanly: " + report));
        log("store file " + file + ": " + store.size() + " keys");
        this.persistence = new Persistence(this, settings.directory().resolve(ServerSettings.BACKUP_FILE));
        new ConnectionCommands(this).register(commands);
        new StringCommands(store).register(commands);
        new KeyCommands(store).register(commands);
        new ServerCommands(this).register(commands);
        this.epoll = Epoll.isAvailable();
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final int threads = 0 == settings.ioThreads() ? Runtime.getRuntime().availableProcessors() :
            settings.ioThreads();
        this.acceptor = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(threads, io);
        final Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class :
            NioServerSocketChannel.class;
        try
        {
            final ServerBootstrap bootstrap = new ServerBootstrap().group(acceptor, workers).channel(channel)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(settings.outputHighWater() / 2, settings.outputHighWater()))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        if (settings.idleTimeoutSeconds() > 0)
                        {
                            channel.pipeline().addLast(new IdleStateHandler(0, 0, settings.idleTimeoutSeconds(),
                                TimeUnit.SECONDS));
                        }
                        channel.pipeline().addLast(new RespConnection(RespServer.this,
                            nextClientId.incrementAndGet()));
                    }
                });
            this.listener = bind(bootstrap, settings);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            store.close();
            throw ex;
        }
        listening.accept(this);
        log("ready to accept connections on " + address() + " (" + (epoll ? "epoll" : "nio") + ", " + threads +
            " event loop threads)");
    }

    /**
     * @throws IOException naming the address if it cannot be bound (in use, not an address of this machine).
     */
    private static Channel bind(final ServerBootstrap bootstrap, final ServerSettings settings) throws IOException
    {
        try
        {
            return bootstrap.bind(settings.bind(), settings.port()).syncUninterruptibly().channel();
        }
        catch (final Exception failed) // Netty rethrows the bind's IOException without declaring it
        {
            throw new IOException("cannot listen on " + settings.bind() + ":" + settings.port() + ": " +
                failed.getMessage(), failed);
        }
    }

    /**
     * Open the store in the settings' directory (recovering it if it was not closed cleanly) and listen.
     *
     * @throws IOException if the directory or the store file cannot be made or opened, or the address cannot be
     *                     bound (the store is closed again).
     */
    public static RespServer start(final ServerSettings settings) throws IOException
    {
        return new RespServer(settings, server -> { });
    }

    /**
     * As {@link #start(ServerSettings)}, handing the server to {@code listening} once it listens and before it logs
     * that it is ready: a launcher registers its shutdown hook there, so a SIGTERM that follows the ready line
     * always closes the store cleanly.
     */
    public static RespServer start(final ServerSettings settings, final java.util.function.Consumer<RespServer>
        listening) throws IOException
    {
        return new RespServer(settings, listening);
    }

    /** @return the address the server listens on (its port, when the settings asked for any). */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)listener.localAddress();
    }

    ServerSettings settings()
    {
        return settings;
    }

    OffHeapByteStore store()
    {
        return store;
    }

    CommandTable commands()
    {
        return commands;
    }

    Persistence persistence()
    {
        return persistence;
    }

    boolean usesEpoll()
    {
        return epoll;
    }

    long startMillis()
    {
        return startMillis;
    }

    Collection<RespConnection> clients()
    {
        return clients.values();
    }

    long connectionsReceived()
    {
        return connectionsReceived.sum();
    }

    long connectionsRejected()
    {
        return connectionsRejected.sum();
    }

    long commandsProcessed()
    {
        return commandsProcessed.sum();
    }

    /**
     * A new connection: count it, or refuse it with an error reply (too many clients, or protected mode).
     *
     * @return the refusal's text, or null if admitted.
     */
    String admit(final RespConnection client, final SocketAddress remote)
    {
        connectionsReceived.increment();
        if (settings.protectedMode() && null == settings.password() && !isLoopback(remote))
        {
            connectionsRejected.increment();
            return "DENIED Redis is running in protected mode because protected mode is enabled and no password is " +
                "set for the default user. In this mode connections are only accepted from the loopback interface. " +
                "To accept others, start the server with a password (--requirepass) or, on a network you trust, " +
                "with --protected-mode no.";
        }
        if (clients.size() >= settings.maxClients())
        {
            connectionsRejected.increment();
            return "ERR max number of clients reached";
        }
        clients.put(client.id, client);
        return null;
    }

    private static boolean isLoopback(final SocketAddress remote)
    {
        if (!(remote instanceof InetSocketAddress inet))
        {
            return true; // a local socket
        }
        final InetAddress address = inet.getAddress();
        return null != address && address.isLoopbackAddress();
    }

    void disconnected(final RespConnection client)
    {
        clients.remove(client.id);
    }

    /**
     * Run one command: look it up, check its arity and the client's authentication, as Redis does in that order,
     * then run it; an error it meets becomes its error reply (anything it wrote before is taken back).
     */
    void execute(final RespConnection client, final byte[][] args, final ByteBuf out)
    {
        commandsProcessed.increment();
        final CommandTable.Command command = commands.find(args[0]);
        if (null == command)
        {
            Reply.error(out, unknownCommand(args));
            return;
        }
        client.lastCommand(command.name());
        if (!command.arityAllows(args.length))
        {
            Reply.error(out, "ERR wrong number of arguments for '" + command.name() + "' command");
            return;
        }
        if (!client.authenticated() && !command.hasFlag("no-auth"))
        {
            Reply.error(out, "NOAUTH Authentication required.");
            return;
        }
        final int mark = out.writerIndex();
        try
        {
            command.handler().run(client, args, out);
        }
        catch (final CommandError error)
        {
            out.writerIndex(mark);
            Reply.error(out, error.getMessage());
        }
        catch (final MemoryLimitException full)
        {
            out.writerIndex(mark);
            Reply.error(out, "OOM command not allowed when used memory > 'maxmemory'.");
        }
        catch (final IllegalArgumentException refused)
        {
            // the store's limits (key or value too long), with the lengths in the message
            out.writerIndex(mark);
            Reply.error(out, "ERR " + refused.getMessage());
        }
        catch (final RuntimeException failure)
        {
            out.writerIndex(mark);
            log("command " + command.name() + " of client id=" + client.id + " failed: " + failure);
            Reply.error(out, "ERR internal error in '" + command.name() + "': " + failure.getMessage());
        }
    }

    /** Redis's text: the name and the first arguments, at most 128 characters of each part. */
    static String unknownCommand(final byte[][] args)
    {
        final StringBuilder given = new StringBuilder();
        for (int i = 1; i < args.length && given.length() < 128; i++)
        {
            final String arg = Args.text(args[i]);
            given.append('\'').append(arg, 0, Math.min(arg.length(), 128 - given.length())).append("' ");
        }
        final String name = Args.text(args[0]);
        return "ERR unknown command '" + name.substring(0, Math.min(name.length(), 128)) +
            "', with args beginning with: " + given;
    }

    /** A line on standard output, in Redis's log format. */
    void log(final String line)
    {
        System.out.println(ProcessHandle.current().pid() + ":M " + LocalDateTime.now().format(LOG_TIME) + " * " +
            line);
    }

    /** Close from a command ({@code SHUTDOWN}): on another thread, since an event loop cannot wait for itself. */
    void shutdownSoon()
    {
        final Thread closer = new Thread(this::close, "slotkv-shutdown");
        closer.setDaemon(false);
        closer.start();
    }

    /** Wait until the server is closed (by {@link #close}, {@code SHUTDOWN} or a signal). */
    public void awaitClose() throws InterruptedException
    {
        terminated.await();
    }

    /**
     * Stop listening, close every client, wait for running backups, then close the store (synced, marked closed
     * cleanly). Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            awaitQuietly();
            return;
        }
        try
        {
            log("shutting down: closing " + clients.size() + " clients, then the store");
            listener.close().syncUninterruptibly();
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            persistence.close();
            store.close();
            log("store closed cleanly; bye");
        }
        finally
        {
            terminated.countDown();
        }
    }

    private void awaitQuietly()
    {
        try
        {
            terminated.await();
        }
        catch (final InterruptedException interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
