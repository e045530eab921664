package io.lunport.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Main builds only the subcommand it runs, yet help and errors still see them all. */
class MainTest {

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertThat(Main.subcommandsFor("export", "a.qcow2", "-o", "a.vhdx")).containsExactly(ExportCommand.class);
        assertThat(Main.subcommandsFor("version")).containsExactly(VersionCommand.class);
    }

    @Test
    void withoutASubcommandNameAllAreBuilt() {
        assertThat(Main.subcommandsFor()).isEqualTo(Main.SUBCOMMANDS);
        assertThat(Main.subcommandsFor("--help")).isEqualTo(Main.SUBCOMMANDS);
        assertThat(Main.subcommandsFor("expor", "a.qcow2")).isEqualTo(Main.SUBCOMMANDS);
    }

    @Test
    void topLevelHelpListsEverySubcommand() {
        String help = captureStdout(() -> assertThat(Main.run("--help")).isZero());
        for (String name : new String[] {"serve", "reload", "inspect", "overlay", "export", "stub", "mount", "version"}) {
            assertThat(help).containsPattern("(?m)^  " + name + " ");
        }
    }

    private static String captureStdout(Runnable action) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
