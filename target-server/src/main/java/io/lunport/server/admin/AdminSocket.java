package io.lunport.server.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control channel of a running server: a UNIX domain socket {@code lunport.sock}
 * in the state directory, readable by its owner only. A client sends one command line
 * ({@code reload}); the server answers {@code ok} or {@code refused} on the first line, then
 * the lines that explain it, and closes. One client at a time, on a thread of its own.
 */
public final class AdminSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSocket.class);

    public static final String FILE_NAME = "lunport.sock";
    /** A command line longer than this is not a command. */
    static final int MAX_COMMAND = 256;

    /** The answer to a command: whether it succeeded, and the lines that say what happened. */
    public record Reply(boolean ok, List<String> lines) {
        public Reply {
            lines = List.copyOf(lines);
        }
    }

    /** Runs a command: {@code reload}, or something unknown. */
    public interface Handler {
        Reply handle(String command);
    }

    private final Path path;
    private final ServerSocketChannel listener;
    private final Thread acceptor;

    private AdminSocket(Path path, ServerSocketChannel listener, Handler handler) {
        this.path = path;
        this.listener = listener;
        this.acceptor = new Thread(() -> serve(handler), "lunport-admin");
        this.acceptor.setDaemon(true);
    }

    public static Path path(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /**
     * Listens on {@code stateDir/lunport.sock}. A socket file nobody answers on is left over
     * from a server that died and is replaced; one that answers belongs to a running server.
     */
    public static AdminSocket open(Path stateDir, Handler handler) throws IOException {
        Files.createDirectories(stateDir);
        Path path = path(stateDir);
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IllegalArgumentException("another lunport is serving with state directory " + stateDir
                        + " (its admin socket " + path + " answers)");
            } catch (IOException stale) {
                Files.delete(path);
            }
        }
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        AdminSocket socket = new AdminSocket(path, listener, handler);
        socket.acceptor.start();
        return socket;
    }

    private void serve(Handler handler) {
        while (listener.isOpen()) {
            try (SocketChannel client = listener.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                String command = readCommand(in);
                Reply reply = command == null ? new Reply(false, List.of("no command")) : handler.handle(command);
                Writer out = new OutputStreamWriter(Channels.newOutputStream(client), StandardCharsets.UTF_8);
                out.write((reply.ok() ? "ok" : "refused") + "\n");
                for (String line : reply.lines()) {
                    out.write(line + "\n");
                }
                out.flush();
            } catch (IOException e) {
                if (listener.isOpen()) {
                    LOG.warn("admin socket: {}", e.getMessage());
                }
            }
        }
    }

    private static String readCommand(BufferedReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (line.length() >= MAX_COMMAND) {
                return null;
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString().trim();
    }

    /** The client side: sends {@code command} to the server of {@code stateDir} and returns its reply. */
    public static Reply request(Path stateDir, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path(stateDir)))) {
            Writer out = new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8);
            out.write(command + "\n");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String status = in.readLine();
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
            return new Reply("ok".equals(status), lines);
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("closing the admin socket: {}", e.getMessage());
        }
    }
}
