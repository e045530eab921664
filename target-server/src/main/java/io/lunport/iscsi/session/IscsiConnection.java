package io.lunport.iscsi.session;

import io.lunport.iscsi.login.LoginNegotiation;
import io.lunport.iscsi.login.LoginRequest;
import io.lunport.iscsi.login.LoginStatus;
import io.lunport.iscsi.login.LoginStep;
import io.lunport.iscsi.login.LoginThrottle;
import io.lunport.iscsi.pdu.Opcode;
import io.lunport.iscsi.pdu.Pdu;
import io.lunport.iscsi.pdu.PduException;
import io.lunport.iscsi.pdu.PduFrameDecoder;
import io.lunport.iscsi.pdu.PduWriter;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.iscsi.text.FullFeatureNegotiation;
import io.lunport.iscsi.text.NegotiatedParameters;
import io.lunport.iscsi.text.TextFormatException;
import io.lunport.iscsi.text.TextParameters;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.scsi.SenseData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection, from the first login request to its close: the phase state machine
 * (login, full feature, logged out), command sequencing by CmdSN, data-out collection with
 * R2T, Data-In and status, NOP pings both ways, task management, text and logout.
 *
 * <p>Threads: every method runs on the channel's event loop, except that SCSI commands run
 * on the worker executor (they may block on disk) and come back through
 * {@link #complete(ScsiCommand)} on the event loop. Nothing here blocks.
 */
public final class IscsiConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnection.class);

    /** Commands an initiator may have outstanding per session; Linux sends up to 128. */
    public static final int QUEUE_DEPTH = 128;

    /** The largest data-out buffer one command may claim (the command set's maximum transfer). */
    static final int MAX_DATA_OUT = 16 * 1024 * 1024;

    /**
     * Payload memory one connection may hold at once, whatever its commands claim: with 128
     * commands of 16 MiB an initiator could otherwise make the target allocate 2 GiB.
     */
    static final long MAX_BUFFERED_PAYLOAD = 128L * 1024 * 1024;

    private enum Phase { LOGIN, FULL_FEATURE, LOGGED_OUT }

    private final TargetRegistry targets;
    private final SessionRegistry sessions;
    private final LoginThrottle throttle;
    private final Portal portal;
    private final Executor workers;
    private final PduFrameDecoder decoder;
    private final SessionEvents events;

    private Channel channel;
    private PduWriter writer;
    private Phase phase = Phase.LOGIN;
    private LoginNegotiation login;
    private boolean firstLoginRequest = true;
    private Session session;
    private NegotiatedParameters params;
    private CommandWindow window;
    private int statSn;
    private int nextTargetTransferTag = 1;
    private int outstandingPingTag = TargetPdus.NO_TAG;
    private boolean loggedOut;
    private boolean coldResetPending;

    private final IntObjectHashMap<ScsiCommand> tasks = new IntObjectHashMap<>();
    /** Finished commands kept for reuse, so that the I/O path allocates none. */
    private final ArrayDeque<ScsiCommand> freeCommands = new ArrayDeque<>();
    /** The SCSI target device of the session's target; null in discovery. */
    private volatile ScsiTargetDevice device;
    /** Payload memory (data-out and data-in buffers) this connection may hold at once. */
    private final BufferBudget budget = new BufferBudget(MAX_BUFFERED_PAYLOAD);
    /** Reads that wait for payload memory, in arrival order. */
    private final ArrayDeque<ScsiCommand> waitingForBuffers = new ArrayDeque<>();
    /**
     * CmdSNs that ABORT TASK disposed of before they were run; the window steps over them. A
     * set of primitive keys (the value is always TRUE), so that looking a CmdSN up boxes nothing.
     */
    private final IntObjectHashMap<Boolean> abortedCmdSns = new IntObjectHashMap<>();
    /** Commands that arrived ahead of ExpCmdSN, by CmdSN, until the gap closes. */
    private final IntObjectHashMap<Pdu> heldCommands = new IntObjectHashMap<>();
    private final List<PendingTaskManagement> pendingTaskManagement = new ArrayList<>();
    private TextContinuation textContinuation;

    public IscsiConnection(TargetRegistry targets, SessionRegistry sessions, LoginThrottle throttle, Portal portal,
                           Executor workers, PduFrameDecoder decoder, SessionEvents events) {
        this.targets = targets;
        this.throttle = throttle;
        this.sessions = sessions;
        this.portal = portal;
        this.workers = workers;
        this.decoder = decoder;
        this.events = events;
    }

    // ---------------------------------------------------------------- channel events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        writer = new PduWriter(channel);
        login = new LoginNegotiation(targets, portal);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Pdu pdu = (Pdu) msg;
        try {
            switch (phase) {
                case LOGIN -> onLoginPhasePdu(pdu);
                case FULL_FEATURE -> onFullFeaturePdu(pdu);
                case LOGGED_OUT -> { } // The connection is closing; nothing more is taken.
            }
        } finally {
            pdu.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            onIdle();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        phase = Phase.LOGGED_OUT;
        for (ScsiCommand command : tasks.values()) {
            command.aborted = true;
            if (command.state == ScsiCommand.State.COLLECTING_DATA || waitingForBuffers.contains(command)) {
                command.discard(); // Nothing runs for it, so it never comes back to complete().
            }
        }
        tasks.clear();
        freeCommands.forEach(ScsiCommand::discard);
        freeCommands.clear();
        waitingForBuffers.clear();
        heldCommands.values().forEach(Pdu::release);
        heldCommands.clear();
        if (session != null) {
            sessions.end(session);
            if (!loggedOut) {
                LOG.info("connection lost: initiator {} ({}) target {} tsih {}", session.initiatorName(), remote(),
                        session.isDiscovery() ? "discovery" : session.target().name(), session.tsih());
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof PduException e) {
            LOG.warn("dropping connection from {}: {}", remote(), e.getMessage());
            ByteBuf header = e.header();
            if (header != null) {
                int reason = e.kind() == PduException.Kind.DATA_DIGEST ? RejectReason.DATA_DIGEST_ERROR : RejectReason.PROTOCOL_ERROR;
                if (phase == Phase.FULL_FEATURE) {
                    reject(reason, header);
                } else {
                    header.release();
                }
            }
        } else {
            LOG.warn("dropping connection from {}: {}", remote(), root.toString());
        }
        closeAfterFlush();
    }

    /** Ends this connection from another thread: its session was reinstated or its target reset. */
    void closeFromOutside(String why) {
        channel.eventLoop().execute(() -> {
            LOG.info("closing the connection from {}: {}", remote(), why);
            channel.close();
        });
    }

    /**
     * Asks the initiator to log out within {@code seconds} (an Async Message, RFC 7143
     * section 11.9, AsyncEvent 1, Parameter3 the time allowed): the server is stopping, or a
     * reload takes the session's target away. Commands in flight go on and are answered; the
     * connection is dropped if it is still there a second after the time allowed. A discovery
     * session or a connection still logging in is simply closed. Callable from any thread.
     */
    void requestLogout(int seconds) {
        channel.eventLoop().execute(() -> {
            if (phase != Phase.FULL_FEATURE || session.isDiscovery()) {
                channel.close();
                return;
            }
            writer.send(TargetPdus.asyncLogoutRequest(writer, statSn++, window, seconds), null, true);
            channel.eventLoop().schedule(() -> {
                if (channel.isActive()) {
                    LOG.info("closing the connection from {}: no logout {} s after the request", remote(), seconds);
                    channel.close();
                }
            }, seconds + 1L, TimeUnit.SECONDS);
        });
    }

    // ---------------------------------------------------------------- login phase

    private void onLoginPhasePdu(Pdu pdu) {
        if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
            LOG.warn("dropping connection from {}: opcode 0x{} before login completed", remote(), Integer.toHexString(pdu.opcode()));
            channel.close();
            return;
        }
        LoginRequest request = LoginRequest.of(pdu);
        if (firstLoginRequest) {
            firstLoginRequest = false;
            statSn = request.expStatSn();
        }
        LoginStep step = login.handle(request);
        ByteBuf header = writer.newHeader(Opcode.LOGIN_RESPONSE);
        header.setByte(1, (step.transit() ? 0x80 : 0) | (step.currentStage() << 2) | (step.transit() ? step.nextStage() : 0));
        header.setByte(2, 0x00); // VersionMax
        header.setByte(3, 0x00); // VersionActive
        header.setShort(8, (int) (request.isid() >>> 32));
        header.setInt(10, (int) request.isid());
        header.setInt(16, request.initiatorTaskTag());
        header.setInt(24, statSn++);
        header.setInt(28, request.cmdSn());
        header.setInt(32, request.cmdSn() + QUEUE_DEPTH - 1);
        header.setByte(36, step.status().statusClass());
        header.setByte(37, step.status().detail());

        if (!step.succeeded()) {
            refuseLogin(header, step);
            return;
        }
        if (step.entersFullFeaturePhase()) {
            params = login.parameters();
            window = new CommandWindow(request.cmdSn(), QUEUE_DEPTH);
            session = sessions.open(login.initiatorName(), login.isid(), login.target(), portal.groupTag(), params, this);
            device = session.isDiscovery() ? null : session.target().device();
            header.setShort(14, session.tsih());
            header.setInt(32, window.maxCmdSn());
            // Counted before the initiator hears of it: a scrape after the login sees it.
            events.loginSucceeded(session);
        }
        writer.send(header, TextParameters.encode(step.keys(), channel.alloc()), true);
        if (step.entersFullFeaturePhase()) {
            // Digests and the negotiated segment limit apply from the next PDU on.
            writer.useDigests(params.headerDigest(), params.dataDigest());
            decoder.startFullFeaturePhase(params.targetMaxRecvDataSegmentLength(), params.headerDigest(), params.dataDigest());
            phase = Phase.FULL_FEATURE;
            throttle.succeeded(remoteAddress());
            LOG.info("login: initiator {} ({}) to {} tsih {} (header digest {}, data digest {})", session.initiatorName(), remote(),
                    session.isDiscovery() ? "discovery" : session.target().name(), session.tsih(),
                    params.headerDigest() ? "CRC32C" : "none", params.dataDigest() ? "CRC32C" : "none");
        }
    }

    /**
     * Answers a failed login and closes. A failed authentication or authorization is logged
     * as a warning and answered only after the source address' {@link LoginThrottle} delay,
     * scheduled on the event loop; meanwhile the connection takes no more PDUs.
     */
    private void refuseLogin(ByteBuf header, LoginStep step) {
        phase = Phase.LOGGED_OUT;
        events.loginFailed(login.target());
        ByteBuf text = TextParameters.encode(step.keys(), channel.alloc());
        LoginStatus status = step.status();
        if (status != LoginStatus.AUTHENTICATION_FAILURE && status != LoginStatus.AUTHORIZATION_FAILURE) {
            LOG.info("login refused: initiator {} ({}): {}", login.initiatorName(), remote(), login.failureReason());
            writer.send(header, text, true);
            closeAfterFlush();
            return;
        }
        int failures = throttle.failed(remoteAddress());
        java.time.Duration delay = LoginThrottle.delayFor(failures);
        LOG.warn("login failed: initiator {} ({}) to {}: {} (failure {} from this address, answered after {} ms)",
                login.initiatorName(), remote(), login.isDiscovery() ? "discovery" : login.targetName(),
                login.failureReason(), failures, delay.toMillis());
        channel.eventLoop().schedule(() -> {
            writer.send(header, text, true);
            closeAfterFlush();
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- full feature phase

    private void onFullFeaturePdu(Pdu pdu) {
        int opcode = pdu.opcode();
        switch (opcode) {
            case Opcode.DATA_OUT -> onDataOut(pdu);
            case Opcode.NOP_OUT, Opcode.SCSI_COMMAND, Opcode.TASK_MANAGEMENT_REQUEST, Opcode.TEXT_REQUEST,
                    Opcode.LOGOUT_REQUEST -> sequence(pdu);
            default -> reject(opcode == Opcode.LOGIN_REQUEST ? RejectReason.PROTOCOL_ERROR : RejectReason.COMMAND_NOT_SUPPORTED,
                    pdu.copyOfHeader());
        }
    }

    /**
     * Delivers requests in CmdSN order: immediate ones at once, the rest when their turn
     * comes; ones outside the window are ignored as RFC 7143 section 4.2.2.1 says.
     */
    private void sequence(Pdu pdu) {
        boolean counted = !pdu.isImmediate() && !(pdu.opcode() == Opcode.NOP_OUT && pdu.initiatorTaskTag() == TargetPdus.NO_TAG);
        if (!counted) {
            dispatch(pdu, false);
            return;
        }
        switch (window.admit(pdu.cmdSn())) {
            case IN_ORDER -> {
                if (abortedCmdSns.remove(pdu.cmdSn()) != null) {
                    window.completed(); // ABORT TASK named it before it arrived: it never runs.
                } else {
                    dispatch(pdu, true);
                }
                drainHeldCommands();
            }
            case AHEAD -> {
                // The PDU is the decoder's view, valid during this call only: keep a copy.
                Pdu previous = heldCommands.put(pdu.cmdSn(), pdu.copy());
                if (previous != null) {
                    previous.release();
                }
            }
            case OUTSIDE -> {
                // Silently ignored, per RFC 7143; the initiator's own timers recover.
            }
        }
    }

    /** Runs the held commands (and skips the aborted CmdSNs) that the window has now reached. */
    private void drainHeldCommands() {
        while (phase == Phase.FULL_FEATURE) {
            int next = window.expCmdSn();
            Pdu held = heldCommands.remove(next);
            if (held != null) {
                try {
                    window.admit(next);
                    dispatch(held, true);
                } finally {
                    held.release();
                }
            } else if (abortedCmdSns.remove(next) != null) {
                window.admit(next);
                window.completed();
            } else {
                return;
            }
        }
    }

    private void dispatch(Pdu pdu, boolean counted) {
        switch (pdu.opcode()) {
            case Opcode.NOP_OUT -> onNopOut(pdu, counted);
            case Opcode.SCSI_COMMAND -> onScsiCommand(pdu, counted);
            case Opcode.TASK_MANAGEMENT_REQUEST -> onTaskManagement(pdu, counted);
            case Opcode.TEXT_REQUEST -> onText(pdu, counted);
            case Opcode.LOGOUT_REQUEST -> onLogout(pdu, counted);
            default -> throw new IllegalStateException("not a sequenced opcode: " + pdu.opcode());
        }
    }

    private void finishUncounted(boolean counted) {
        if (counted) {
            window.completed();
        }
    }

    // ---------------------------------------------------------------- NOP

    private void onNopOut(Pdu pdu, boolean counted) {
        finishUncounted(counted);
        int itt = pdu.initiatorTaskTag();
        if (itt == TargetPdus.NO_TAG) {
            if (pdu.targetTransferTag() == outstandingPingTag) {
                outstandingPingTag = TargetPdus.NO_TAG;
            }
            return;
        }
        int echoLength = Math.min(pdu.dataLength(), params.initiatorMaxRecvDataSegmentLength());
        ByteBuf echo = null;
        if (echoLength > 0) {
            // The PDU's bytes are gone after this call; the echo may wait in the outbound buffer.
            echo = channel.alloc().buffer(echoLength);
            pdu.copyData(echo, 0, echoLength);
            echo.writerIndex(echoLength);
        }
        ByteBuf header = TargetPdus.nopIn(writer, pdu.lun(), itt, TargetPdus.NO_TAG, statSn++, window);
        writer.send(header, echo, true);
    }

    /** No PDU for a while: ping the initiator, and drop it if the last ping went unanswered. */
    private void onIdle() {
        if (phase != Phase.FULL_FEATURE) {
            LOG.info("dropping connection from {}: login did not complete in time", remote());
            channel.close();
            return;
        }
        if (outstandingPingTag != TargetPdus.NO_TAG) {
            LOG.info("dropping connection from {}: no answer to NOP-In", remote());
            channel.close();
            return;
        }
        outstandingPingTag = newTargetTransferTag();
        writer.send(TargetPdus.nopIn(writer, 0, TargetPdus.NO_TAG, outstandingPingTag, statSn, window), null, true);
    }

    // ---------------------------------------------------------------- SCSI commands

    private void onScsiCommand(Pdu pdu, boolean counted) {
        ByteBuf h = pdu.header();
        int itt = pdu.initiatorTaskTag();
        if (session.isDiscovery()) {
            finishUncounted(counted);
            reject(RejectReason.PROTOCOL_ERROR, pdu.copyOfHeader());
            return;
        }
        if (tasks.containsKey(itt)) {
            finishUncounted(counted);
            reject(RejectReason.TASK_IN_PROGRESS, pdu.copyOfHeader());
            return;
        }
        int flags = pdu.flags();
        boolean finalPdu = (flags & 0x80) != 0;
        boolean read = (flags & 0x40) != 0;
        boolean write = (flags & 0x20) != 0;
        long edtlUnsigned = h.getUnsignedInt(20);
        int immediateLength = pdu.dataLength();
        if (immediateLength > 0 && (!write || !params.immediateData() || immediateLength > edtlUnsigned
                || immediateLength > params.firstBurstLength())) {
            finishUncounted(counted);
            reject(RejectReason.PROTOCOL_ERROR, pdu.copyOfHeader());
            return;
        }
        int edtl = (int) Math.min(edtlUnsigned, Integer.MAX_VALUE);
        ScsiCommand command = freeCommands.poll();
        if (command == null) {
            command = new ScsiCommand(session.nexus(), channel.alloc(), this::runOnWorker, this::complete);
        }
        command.start(itt, pdu.cmdSn(), !counted, pdu.lun(), lunNumber(pdu.lun()), read, write, edtl, h);
        tasks.put(itt, command);
        if (write && edtlUnsigned > MAX_DATA_OUT) {
            // Never buffer what a command claims beyond the transfer limit: refuse it outright.
            failCommand(command, SenseData.withFieldPointer(SenseData.ILLEGAL_REQUEST, 0x24, 0x00, true, 0, -1));
            return;
        }
        if (write && edtl > 0) {
            command.unsolicitedEnd = !params.initialR2T() && !finalPdu ? Math.min(params.firstBurstLength(), edtl) : immediateLength;
            if (!budget.tryReserve(command, edtl)) {
                if (command.unsolicitedEnd > 0) {
                    // Its data is already on the way and there is no memory to take it: the
                    // initiator retries later (SAM TASK SET FULL).
                    failCommand(command, null);
                } else {
                    waitingForBuffers.add(command); // Solicited when memory frees up.
                }
                return;
            }
            command.allocateDataOut(edtl);
            if (immediateLength > 0) {
                pdu.copyData(command.dataOut, 0, immediateLength);
                command.received = immediateLength;
            }
            command.nextR2tOffset = command.unsolicitedEnd;
            if (command.received < edtl) {
                if (command.received >= command.unsolicitedEnd) {
                    solicitData(command);
                }
                return;
            }
        }
        execute(command);
    }

    /** LUN field to LUN number: peripheral (00b) and flat (01b) addressing; anything else is no LUN. */
    private static int lunNumber(long lunField) {
        int method = (int) (lunField >>> 62) & 3;
        int first = (int) (lunField >>> 48) & 0xFFFF;
        if ((lunField & 0x0000FFFFFFFFFFFFL) != 0) {
            return -1;
        }
        return switch (method) {
            case 0 -> (first & 0x3F00) == 0 ? first & 0xFF : -1;
            case 1 -> first & 0x3FFF;
            default -> -1;
        };
    }

    private void onDataOut(Pdu pdu) {
        ScsiCommand command = tasks.get(pdu.initiatorTaskTag());
        if (command == null || command.state != ScsiCommand.State.COLLECTING_DATA || command.dataOut == null) {
            return; // Data for a command that was refused or aborted: discarded.
        }
        ByteBuf h = pdu.header();
        int ttt = pdu.targetTransferTag();
        int offset = h.getInt(40);
        int length = pdu.dataLength();
        boolean solicited = ttt != TargetPdus.NO_TAG;
        if ((solicited && ttt != command.targetTransferTag) || offset != command.received
                || h.getInt(36) != command.expectedDataSn
                || (long) offset + length > command.expectedDataTransferLength()
                || (!solicited && (long) offset + length > command.unsolicitedEnd)) {
            // Data out of sequence cannot be put right at ErrorRecoveryLevel 0. The command
            // ends at once with ABORTED COMMAND (DATA PHASE ERROR / DATA OFFSET ERROR), so the
            // initiator learns it now rather than by a timeout; later data for it is dropped.
            boolean offsetError = offset != command.received;
            failCommand(command, SenseData.of(SenseData.ABORTED_COMMAND, 0x4B, offsetError ? 0x05 : 0x00));
            return;
        }
        pdu.copyData(command.dataOut, offset, length);
        command.received += length;
        command.expectedDataSn++;
        if (pdu.isFinal()) {
            command.expectedDataSn = 0; // Every sequence (unsolicited, or one R2T's) counts from 0.
            if (solicited) {
                command.outstandingR2ts--;
            } else {
                command.unsolicitedEnd = command.received;
                command.nextR2tOffset = Math.max(command.nextR2tOffset, command.received);
            }
        }
        if (command.received >= command.expectedDataTransferLength()) {
            execute(command);
        } else if (command.received >= command.unsolicitedEnd) {
            solicitData(command);
        }
    }

    /** Sends R2Ts for the rest of a command's data, up to MaxOutstandingR2T at a time. */
    private void solicitData(ScsiCommand command) {
        if (command.targetTransferTag == -1) {
            command.targetTransferTag = newTargetTransferTag();
        }
        boolean sent = false;
        int total = command.expectedDataTransferLength();
        while (command.outstandingR2ts < params.maxOutstandingR2T() && command.nextR2tOffset < total) {
            int length = Math.min(params.maxBurstLength(), total - command.nextR2tOffset);
            writer.send(TargetPdus.r2t(writer, command.lunField(), command.initiatorTaskTag(), command.targetTransferTag,
                    statSn, window, command.r2tSn++, command.nextR2tOffset, length), null, false);
            command.nextR2tOffset += length;
            command.outstandingR2ts++;
            sent = true;
        }
        if (sent) {
            writer.flush();
        }
    }

    /** Ends a command without running it: CHECK CONDITION with {@code sense}, or TASK SET FULL when null. */
    private void failCommand(ScsiCommand command, byte[] sense) {
        command.status = sense == null ? ScsiStatus.TASK_SET_FULL : ScsiStatus.checkCondition(sense);
        command.state = ScsiCommand.State.EXECUTING;
        complete(command);
    }

    /**
     * Hands a command whose data-out is complete to a worker. A read first reserves the
     * payload memory its data-in may take; when the connection has none left it waits in
     * line until earlier commands give theirs back.
     */
    private void execute(ScsiCommand command) {
        command.state = ScsiCommand.State.EXECUTING;
        if (command.expectsDataIn() && !budget.tryReserve(command, Math.min(command.expectedDataTransferLength(), MAX_DATA_OUT))) {
            waitingForBuffers.add(command);
            return;
        }
        handToWorker(command);
    }

    /** Queues a command for a worker; when the queue is full (or the server stops) it ends with TASK SET FULL. */
    private void handToWorker(ScsiCommand command) {
        try {
            workers.execute(command.onWorker);
        } catch (RejectedExecutionException full) {
            failCommand(command, null);
        }
    }

    /** On a worker thread: run the command (unless it was aborted while queued), then hand it back, whatever happens. */
    private void runOnWorker(ScsiCommand command) {
        try {
            if (!command.aborted) {
                command.status = device.execute(command);
            }
        } catch (Throwable t) {
            // Out of direct memory, a bug below: the command fails, the connection goes on.
            LOG.error("command failed in the target: {}", t.toString());
            command.status = ScsiStatus.checkCondition(SenseData.of(SenseData.HARDWARE_ERROR, 0x44, 0x00));
        } finally {
            channel.eventLoop().execute(command.onEventLoop);
        }
    }

    /**
     * Starts, in arrival order and while payload memory lasts, the commands that waited for
     * it: a write gets its buffer and its first R2Ts, a read goes to a worker.
     */
    private void startWaitingCommands() {
        ScsiCommand next;
        while ((next = waitingForBuffers.peek()) != null) {
            int need = Math.min(next.expectedDataTransferLength(), MAX_DATA_OUT);
            if (!budget.tryReserve(next, need)) {
                return;
            }
            waitingForBuffers.poll();
            if (next.state == ScsiCommand.State.COLLECTING_DATA) {
                next.allocateDataOut(need);
                solicitData(next);
            } else {
                handToWorker(next);
            }
        }
    }

    /** Back on the event loop: send the data-in and status, or drop them if the task was aborted. */
    private void complete(ScsiCommand command) {
        command.state = ScsiCommand.State.DONE;
        if (tasks.get(command.initiatorTaskTag()) == command) {
            tasks.remove(command.initiatorTaskTag());
        }
        if (!command.isImmediate() && phase == Phase.FULL_FEATURE) {
            window.completed();
        }
        if (command.aborted || phase != Phase.FULL_FEATURE) {
            command.release();
            taskEnded(command);
        } else {
            sendResult(command);
            command.release();
        }
        budget.release(command);
        if (freeCommands.size() < QUEUE_DEPTH && phase == Phase.FULL_FEATURE) {
            freeCommands.add(command);
        } else {
            command.discard(); // the connection is closing, or has free commands enough
        }
        if (phase == Phase.FULL_FEATURE) {
            startWaitingCommands();
        }
    }

    private void sendResult(ScsiCommand command) {
        ScsiStatus status = command.status;
        ByteBuf data = command.takeDataIn();
        int length = data == null ? 0 : data.readableBytes();
        long residual = command.residual(length);
        int residualFlags = residual > 0 ? TargetPdus.RESIDUAL_UNDERFLOW : residual < 0 ? TargetPdus.RESIDUAL_OVERFLOW : 0;
        int residualCount = (int) Math.min(Math.abs(residual), 0xFFFFFFFFL);
        boolean statusInDataIn = length > 0 && !status.hasSense();
        int dataSn = 0;
        if (length > 0) {
            int segmentLimit = params.initiatorMaxRecvDataSegmentLength();
            int burst = params.maxBurstLength();
            int offset = 0;
            while (offset < length) {
                int segment = Math.min(segmentLimit, length - offset);
                // A Data-In sequence ends at every MaxBurstLength boundary (F bit).
                int burstEnd = (offset / burst + 1) * burst;
                segment = Math.min(segment, burstEnd - offset);
                boolean last = offset + segment == length;
                int flags = (last || offset + segment == burstEnd) ? TargetPdus.FINAL : 0;
                if (last && statusInDataIn) {
                    flags |= TargetPdus.STATUS_PRESENT | residualFlags;
                }
                ByteBuf header = TargetPdus.dataIn(writer, flags, status.code(), command.initiatorTaskTag(),
                        last && statusInDataIn ? statSn++ : 0, window, dataSn++, offset,
                        last && statusInDataIn ? residualCount : 0);
                // The last segment (for most commands the only one) goes out in the buffer itself,
                // which passes to the channel with it; earlier ones are slices of it.
                writer.send(header, last ? data.setIndex(offset, length) : data.retainedSlice(offset, segment), false);
                offset += segment;
            }
        } else if (data != null) {
            data.release();
        }
        if (!statusInDataIn) {
            ByteBuf senseSegment = null;
            if (status.hasSense()) {
                senseSegment = channel.alloc().buffer(2 + status.sense().length);
                senseSegment.writeShort(status.sense().length).writeBytes(status.sense());
            }
            // ExpDataSN: the Data-In and R2T PDUs the target sent for the command.
            writer.send(TargetPdus.scsiResponse(writer, residualFlags, status.code(), command.initiatorTaskTag(), statSn++,
                    window, dataSn + command.r2tSn, residualCount), senseSegment, false);
        }
        writer.flush();
    }

    // ---------------------------------------------------------------- task management

    private static final int TMF_FUNCTION_COMPLETE = 0;
    private static final int TMF_TASK_DOES_NOT_EXIST = 1;
    private static final int TMF_LUN_DOES_NOT_EXIST = 2;
    private static final int TMF_REASSIGNMENT_NOT_SUPPORTED = 4;
    private static final int TMF_NOT_SUPPORTED = 5;

    private void onTaskManagement(Pdu pdu, boolean counted) {
        finishUncounted(counted);
        int itt = pdu.initiatorTaskTag();
        if (session.isDiscovery()) {
            reject(RejectReason.PROTOCOL_ERROR, pdu.copyOfHeader());
            return;
        }
        int function = pdu.flags() & 0x7F;
        int lun = lunNumber(pdu.lun());
        List<ScsiCommand> victims = new ArrayList<>();
        int response = TMF_FUNCTION_COMPLETE;
        Runnable whenStopped = null;
        switch (function) {
            case 1 -> response = abortTask(pdu, victims); // ABORT TASK
            case 2, 4 -> collectTasks(lun, victims); // ABORT TASK SET, CLEAR TASK SET
            case 5 -> { // LOGICAL UNIT RESET
                if (!device.luns().contains(lun)) {
                    response = TMF_LUN_DOES_NOT_EXIST;
                } else {
                    collectTasks(lun, victims);
                    whenStopped = () -> device.resetLogicalUnit(lun, session.nexus());
                }
            }
            case 6 -> { // TARGET WARM RESET
                collectTasks(-1, victims);
                whenStopped = () -> device.resetTarget(session.nexus());
            }
            case 7 -> { // TARGET COLD RESET: a warm reset, then every session of the target ends
                collectTasks(-1, victims);
                whenStopped = () -> {
                    device.resetTarget(session.nexus());
                    coldResetPending = true;
                };
            }
            case 8 -> response = TMF_REASSIGNMENT_NOT_SUPPORTED; // TASK REASSIGN needs ErrorRecoveryLevel 2
            default -> response = TMF_NOT_SUPPORTED; // CLEAR ACA
        }
        // The reset itself waits until the aborted tasks can no longer touch the medium.
        PendingTaskManagement pending = new PendingTaskManagement(itt, response, whenStopped);
        for (ScsiCommand running : abort(victims)) {
            pending.waitFor(running);
        }
        if (pending.isReady()) {
            sendTaskManagementResponse(pending);
        } else {
            pendingTaskManagement.add(pending);
        }
    }

    /**
     * Marks the tasks aborted and ends at once those that run nothing yet; returns those still
     * running on a worker, whose status will be dropped when they finish.
     */
    private List<ScsiCommand> abort(List<ScsiCommand> victims) {
        List<ScsiCommand> running = new ArrayList<>();
        for (ScsiCommand victim : victims) {
            victim.aborted = true;
            if (victim.state == ScsiCommand.State.COLLECTING_DATA || waitingForBuffers.remove(victim)) {
                // Nothing runs for it yet: end it here.
                waitingForBuffers.remove(victim);
                complete(victim);
            } else {
                running.add(victim);
            }
        }
        return running;
    }

    /**
     * Another nexus' PREEMPT AND ABORT preempted this session's nexus: its tasks on {@code lun},
     * held ones included, end without a response (TAS 0), as if by an ABORT TASK SET nobody
     * answers. Runs on this connection's event loop; the future completes once no such task
     * can start or answer any more, so that a command the initiator sends after seeing the
     * PERSISTENT RESERVE OUT complete is never mistaken for one of them.
     */
    CompletableFuture<Void> abortTasksFromOutside(int lun) {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        Runnable abortTasks = () -> {
            try {
                List<ScsiCommand> victims = new ArrayList<>();
                collectTasks(lun, victims);
                abort(victims);
            } finally {
                applied.complete(null);
            }
        };
        try {
            if (channel.eventLoop().inEventLoop()) {
                abortTasks.run();
            } else {
                channel.eventLoop().execute(abortTasks);
            }
        } catch (RejectedExecutionException shuttingDown) {
            applied.complete(null); // the loop is gone, and with it every task of this connection
        }
        return applied;
    }

    /**
     * ABORT TASK by RFC 7143 section 11.5.1: a task that exists is aborted; one that has not
     * arrived yet but whose RefCmdSN lies in the window before this request is considered
     * received, so it never runs and the window steps over it; anything else does not exist.
     */
    private int abortTask(Pdu pdu, List<ScsiCommand> victims) {
        int referencedTag = pdu.targetTransferTag();
        int refCmdSn = pdu.header().getInt(32);
        ScsiCommand victim = tasks.get(referencedTag);
        if (victim != null) {
            victims.add(victim);
            return TMF_FUNCTION_COMPLETE;
        }
        Pdu held = heldCommands.get(refCmdSn);
        if (held != null && held.initiatorTaskTag() == referencedTag) {
            heldCommands.remove(refCmdSn).release();
            abortedCmdSns.put(refCmdSn, Boolean.TRUE);
            return TMF_FUNCTION_COMPLETE;
        }
        boolean inWindow = SerialNumbers.lessOrEqual(window.expCmdSn(), refCmdSn) && SerialNumbers.lessOrEqual(refCmdSn, window.maxCmdSn());
        if (inWindow && SerialNumbers.lessThan(refCmdSn, pdu.cmdSn()) && held == null) {
            abortedCmdSns.put(refCmdSn, Boolean.TRUE);
            return TMF_FUNCTION_COMPLETE;
        }
        return TMF_TASK_DOES_NOT_EXIST;
    }

    /** Every task of the session on {@code lun} (all LUNs when negative), held ones included. */
    private void collectTasks(int lun, List<ScsiCommand> into) {
        for (ScsiCommand command : tasks.values()) {
            if (lun < 0 || command.lun() == lun) {
                into.add(command);
            }
        }
        // Commands still waiting for their CmdSN turn are aborted too: they must not run after the TMF.
        for (Iterator<IntObjectMap.PrimitiveEntry<Pdu>> it = heldCommands.entries().iterator(); it.hasNext(); ) {
            IntObjectMap.PrimitiveEntry<Pdu> e = it.next();
            Pdu held = e.value();
            if (held.opcode() == Opcode.SCSI_COMMAND && (lun < 0 || lunNumber(held.lun()) == lun)) {
                abortedCmdSns.put(e.key(), Boolean.TRUE);
                held.release();
                it.remove();
            }
        }
    }

    /** An aborted task has ended: answer every task management request that waited for it. */
    private void taskEnded(ScsiCommand command) {
        for (int i = pendingTaskManagement.size() - 1; i >= 0; i--) {
            PendingTaskManagement pending = pendingTaskManagement.get(i);
            if (pending.ended(command)) {
                pendingTaskManagement.remove(i);
                sendTaskManagementResponse(pending);
            }
        }
    }

    private void sendTaskManagementResponse(PendingTaskManagement pending) {
        if (pending.whenStopped() != null) {
            pending.whenStopped().run();
        }
        if (phase != Phase.FULL_FEATURE) {
            return;
        }
        writer.send(TargetPdus.taskManagementResponse(writer, pending.response(), pending.initiatorTaskTag(), statSn++, window),
                null, true);
        if (coldResetPending) {
            // RFC 7143 11.5.1: after the response, the target drops every connection of the target.
            LOG.info("target cold reset by initiator {} ({}): closing every session of {}", session.initiatorName(), remote(),
                    session.target().name());
            sessions.closeAll(session.target());
            closeAfterFlush();
        }
    }

    // ---------------------------------------------------------------- text

    private void onText(Pdu pdu, boolean counted) {
        finishUncounted(counted);
        int itt = pdu.initiatorTaskTag();
        int ttt = pdu.targetTransferTag();
        if (ttt != TargetPdus.NO_TAG && textContinuation != null && textContinuation.targetTransferTag == ttt) {
            sendTextChunk(itt);
            return;
        }
        Map<String, String> request;
        try {
            request = TextParameters.parse(ByteBufUtil.getBytes(pdu.data()));
        } catch (TextFormatException e) {
            reject(RejectReason.PROTOCOL_ERROR, pdu.copyOfHeader());
            return;
        }
        ByteBuf text = Unpooled.buffer();
        String sendTargets = request.remove("SendTargets");
        if (sendTargets != null) {
            text.writeBytes(SendTargets.answer(targets, sendTargets, session.target(), session.initiatorName(),
                    (InetSocketAddress) channel.localAddress()));
        }
        // Renegotiation after login: a new MaxRecvDataSegmentLength bounds this response already.
        FullFeatureNegotiation.Outcome outcome = FullFeatureNegotiation.negotiate(request, params);
        params = outcome.parameters();
        text.writeBytes(TextParameters.encode(outcome.answers()));
        textContinuation = new TextContinuation(ByteBufUtil.getBytes(text), newTargetTransferTag());
        text.release();
        sendTextChunk(itt);
    }

    private void sendTextChunk(int itt) {
        TextContinuation c = textContinuation;
        int length = Math.min(params.initiatorMaxRecvDataSegmentLength(), c.text.length - c.sent);
        boolean last = c.sent + length == c.text.length;
        ByteBuf data = channel.alloc().buffer(length).writeBytes(c.text, c.sent, length);
        c.sent += length;
        writer.send(TargetPdus.textResponse(writer, last, itt, last ? TargetPdus.NO_TAG : c.targetTransferTag, statSn++, window),
                data, true);
        if (last) {
            textContinuation = null;
        }
    }

    // ---------------------------------------------------------------- logout

    private void onLogout(Pdu pdu, boolean counted) {
        finishUncounted(counted);
        int reason = pdu.flags() & 0x7F;
        // Reason 2 (remove the connection for recovery) needs ErrorRecoveryLevel 2.
        int response = reason == 2 ? 2 : 0;
        if (response == 0) {
            // The session is over before the initiator hears so: once it has the response, its
            // nexus is gone (an SPC-2 reservation released) for every other initiator too.
            sessions.end(session);
        }
        writer.send(TargetPdus.logoutResponse(writer, response, pdu.initiatorTaskTag(), statSn++, window,
                params.defaultTime2Wait(), params.defaultTime2Retain()), null, true);
        if (response == 0) {
            phase = Phase.LOGGED_OUT;
            loggedOut = true;
            LOG.info("logout: initiator {} ({}) from {} tsih {}", session.initiatorName(), remote(),
                    session.isDiscovery() ? "discovery" : session.target().name(), session.tsih());
            closeAfterFlush();
        }
    }

    // ---------------------------------------------------------------- helpers

    private void reject(int reason, ByteBuf rejectedHeader) {
        writer.send(TargetPdus.reject(writer, reason, statSn++, window), rejectedHeader, true);
    }

    private int newTargetTransferTag() {
        int tag = nextTargetTransferTag++;
        if (nextTargetTransferTag == TargetPdus.NO_TAG || nextTargetTransferTag == -1) {
            nextTargetTransferTag = 1;
        }
        return tag;
    }

    private void closeAfterFlush() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private String remote() {
        return String.valueOf(channel.remoteAddress());
    }

    private java.net.InetAddress remoteAddress() {
        return ((InetSocketAddress) channel.remoteAddress()).getAddress();
    }

    /** A long text response handed out one MaxRecvDataSegmentLength at a time. */
    private static final class TextContinuation {
        final byte[] text;
        final int targetTransferTag;
        int sent;

        TextContinuation(byte[] text, int targetTransferTag) {
            this.text = text;
            this.targetTransferTag = targetTransferTag;
        }
    }
}
