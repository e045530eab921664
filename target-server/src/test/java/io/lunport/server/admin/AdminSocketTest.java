package io.lunport.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSocketTest {

    @TempDir
    Path dir;

    @Test
    void answersACommandOverTheSocketInTheStateDirectory() throws Exception {
        AdminSocket.Handler handler = command -> command.equals("reload")
                ? new AdminSocket.Reply(true, List.of("lunport: reloaded: no change"))
                : new AdminSocket.Reply(false, List.of("unknown command '" + command + "'"));
        try (AdminSocket socket = AdminSocket.open(dir, handler)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("lunport.sock")))).isEqualTo("rw-------");
            assertThat(AdminSocket.request(dir, "reload")).isEqualTo(new AdminSocket.Reply(true, List.of("lunport: reloaded: no change")));
            assertThat(AdminSocket.request(dir, "dance")).isEqualTo(new AdminSocket.Reply(false, List.of("unknown command 'dance'")));
            assertThatThrownBy(() -> AdminSocket.open(dir, handler)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another lunport is serving with state directory");
        }
        assertThat(dir.resolve("lunport.sock")).doesNotExist();
    }

    @Test
    void aSocketFileNobodyAnswersOnIsReplaced() throws Exception {
        Files.writeString(dir.resolve("lunport.sock"), "left over from a crash");
        try (AdminSocket socket = AdminSocket.open(dir, command -> new AdminSocket.Reply(true, List.of("fine")))) {
            assertThat(AdminSocket.request(dir, "reload").lines()).containsExactly("fine");
        }
    }
}
