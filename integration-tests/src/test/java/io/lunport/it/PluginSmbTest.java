package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The way a Hyper-V host reaches the mount: Samba shares it over SMB 3 and smbclient, as a
 * guest, reads the VHDX byte for byte as the mount shows it locally, and sees no sparse
 * attribute (Windows refuses to attach a sparse VHDX).
 */
class PluginSmbTest {

    private static final long MIB = TestImages.MIB;
    private static final int FILE_ATTRIBUTE_SPARSE_FILE = 0x200;

    @Test
    void sambaServesTheVhdxAsAPlainFile() throws Exception {
        Path work = Itwork.fresh(Itwork.dir("plugin-smb"));
        Path raw = TestImages.striped(work.resolve("disk.raw"), 80 * MIB, 5, 16 * MIB, (int) MIB);
        Path image = work.resolve("disk.qcow2");
        Tools.check("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), image.toString());
        Path out = work.resolve("fetched.vhdx");

        try (MountProcess mount = MountProcess.start(work.resolve("mnt"), work.resolve("state"), Map.of("vm", image))) {
            String allinfo;
            // Samba stops before the mount goes away: an open SMB session would see the empty mount point.
            try (SambaProcess samba = SambaProcess.share(mount.file("vm").getParent(), work.resolve("samba"))) {
                samba.client("get vm.vhdx " + out);
                allinfo = samba.client("allinfo vm.vhdx").stdout();
            }
            TestImages.assertSameBytes(mount.file("vm"), out);
            Matcher m = Pattern.compile("attributes:.*\\(([0-9a-f]+)\\)").matcher(allinfo);
            assertThat(m.find()).as("allinfo prints the attributes:%n%s", allinfo).isTrue();
            assertThat(Integer.parseInt(m.group(1), 16) & FILE_ATTRIBUTE_SPARSE_FILE)
                    .as("sparse bit in %s", m.group()).isZero();
        }
        Tools.check("qemu-img", "check", "-f", "vhdx", out.toString());
        assertThat(Tools.check("qemu-img", "compare", "-f", "vhdx", "-F", "qcow2", out.toString(), image.toString())
                .stdout()).contains("Images are identical");
        Files.delete(out);
    }
}
