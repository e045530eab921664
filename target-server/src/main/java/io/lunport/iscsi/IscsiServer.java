package io.lunport.iscsi;

import io.lunport.iscsi.login.LoginThrottle;
import io.lunport.iscsi.pdu.PduFrameDecoder;
import io.lunport.iscsi.session.IscsiConnection;
import io.lunport.iscsi.session.SessionEvents;
import io.lunport.iscsi.session.SessionRegistry;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.netty.bootstrap.ServerBootstrap;
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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side: one Netty server channel per portal, the native epoll transport when
 * the platform has it, and a bounded pool of worker threads on which SCSI commands run so
 * that no event loop ever waits for a disk.
 */
public final class IscsiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IscsiServer.class);

    /** Seconds without a PDU before the target pings (and, one more period later, drops). */
    static final int IDLE_SECONDS = Integer.getInteger("lunport.idleSeconds", 15);

    /**
     * Commands that may wait for a worker thread, all connections together: 512 connections
     * with a full command window. The array (256 KiB) is allocated once.
     */
    static final int WORKER_QUEUE_CAPACITY = 512 * IscsiConnection.QUEUE_DEPTH;

    private final TargetRegistry targets;
    private final SessionRegistry sessions = new SessionRegistry();
    private final LoginThrottle throttle = new LoginThrottle();
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private final ExecutorService workers;
    private final SessionEvents events;
    private final List<Channel> listeners = new ArrayList<>();

    public IscsiServer(TargetRegistry targets, int workerThreads) {
        this(targets, workerThreads, SessionEvents.NONE);
    }

    /** @param events told of every login, successful or not */
    public IscsiServer(TargetRegistry targets, int workerThreads, SessionEvents events) {
        this.targets = targets;
        this.events = events;
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.group = new MultiThreadIoEventLoopGroup(0, io);
        AtomicInteger n = new AtomicInteger();
        // An array queue: handing a command over allocates no queue node. When it is full the
        // executor refuses, and the connection answers TASK SET FULL (the initiator retries).
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORKER_QUEUE_CAPACITY), r -> {
            Thread t = new Thread(r, "lunport-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Binds every address; the portal group tag of each is its position, from 1. */
    public List<Portal> bind(List<InetSocketAddress> addresses) throws InterruptedException {
        List<Portal> bound = new ArrayList<>();
        int tag = 1;
        for (InetSocketAddress address : addresses) {
            Portal requested = new Portal(address, tag++);
            Channel listener = bootstrap(requested).bind(address).sync().channel();
            listeners.add(listener);
            Portal actual = new Portal((InetSocketAddress) listener.localAddress(), requested.groupTag());
            targets.addPortal(actual);
            bound.add(actual);
        }
        LOG.info("listening on {} ({} transport)", bound.stream().map(Portal::targetAddress).toList(),
                Epoll.isAvailable() ? "epoll" : "nio");
        return bound;
    }

    private ServerBootstrap bootstrap(Portal portal) {
        return new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Above the high mark the connection stops reading commands until the initiator
                // has taken its responses: an initiator that never reads cannot grow our queues.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 32 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PduFrameDecoder decoder = new PduFrameDecoder();
                        ch.pipeline().addLast("idle", new IdleStateHandler(IDLE_SECONDS, 0, 0));
                        ch.pipeline().addLast("framing", decoder);
                        ch.pipeline().addLast("connection",
                                new IscsiConnection(targets, sessions, throttle, portal, workers, decoder, events));
                    }
                });
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /** Closes every listening socket: no new connection is accepted; the open ones go on. */
    public void stopAccepting() {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
    }

    /**
     * The first half of a graceful stop: asks every logged-in initiator to log out (an Async
     * Message allowing {@code wait}), then waits up to {@code wait} for all of them to have
     * done so. Returns how many sessions are still open.
     */
    public int requestLogoutAndWait(Duration wait) throws InterruptedException {
        int seconds = (int) Math.max(1, Math.min(wait.toSeconds(), 0xFFFF));
        sessions.requestLogoutFromAll(seconds);
        long deadline = System.nanoTime() + wait.toNanos();
        // Polled, not signalled: this runs once, at shutdown, on the thread that stops the server.
        while (!sessions.sessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return sessions.sessions().size();
    }

    @Override
    public void close() {
        stopAccepting();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
