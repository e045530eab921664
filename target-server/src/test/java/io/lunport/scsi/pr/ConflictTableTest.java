package io.lunport.scsi.pr;

import static io.lunport.scsi.pr.ConflictTable.Access.ALWAYS;
import static io.lunport.scsi.pr.ConflictTable.Access.READ;
import static io.lunport.scsi.pr.ConflictTable.Access.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ConflictTableTest {

    private static ConflictTable.Access access(int... cdb) {
        byte[] b = new byte[16];
        for (int i = 0; i < cdb.length; i++) {
            b[i] = (byte) cdb[i];
        }
        return ConflictTable.access(ByteBuffer.wrap(b, 0, Math.max(cdb.length, 6)).slice());
    }

    @Test
    void commandsThatDependOnTheirCdb() {
        assertThat(access(0x1E, 0, 0, 0, 0, 0)).isEqualTo(ALWAYS); // allow medium removal
        assertThat(access(0x1E, 0, 0, 0, 1, 0)).isEqualTo(WRITE); // prevent it
        assertThat(access(0x1B, 0, 0, 0, 0x01, 0)).isEqualTo(ALWAYS); // START
        assertThat(access(0x1B, 0, 0, 0, 0x00, 0)).isEqualTo(WRITE); // STOP
        assertThat(access(0x1B, 0, 0, 0, 0x11, 0)).isEqualTo(WRITE); // power condition
        assertThat(access(0x9E, 0x10)).isEqualTo(ALWAYS); // READ CAPACITY(16)
        assertThat(access(0x9E, 0x12)).isEqualTo(READ); // GET LBA STATUS
        assertThat(access(0xA3, 0x0A)).isEqualTo(ALWAYS); // REPORT TARGET PORT GROUPS
        assertThat(access(0xA3, 0x0C)).isEqualTo(READ); // REPORT SUPPORTED OPERATION CODES
    }

    @Test
    void unknownCommandsAreTreatedAsWrites() {
        assertThat(access(0x89)).isEqualTo(WRITE); // COMPARE AND WRITE
        assertThat(access(0x93)).isEqualTo(WRITE); // WRITE SAME(16)
        assertThat(access(0xC0)).isEqualTo(WRITE); // vendor specific
        assertThat(access(0x28)).isEqualTo(READ);
        assertThat(access(0x00)).isEqualTo(ALWAYS);
    }

    @Test
    void spc2ReservationLetsOnlyTheSpc2ListThrough() {
        for (int op : new int[] {0x12, 0x03, 0xA0, 0x17, 0x57, 0x5E}) {
            assertThat(ConflictTable.allowedUnderSpc2Reservation(ByteBuffer.wrap(new byte[] {(byte) op, 0, 0, 0, 0, 0})))
                    .as("opcode %02x", op).isTrue();
        }
        for (int op : new int[] {0x00, 0x16, 0x1A, 0x28, 0x2A, 0x5F, 0x25}) {
            assertThat(ConflictTable.allowedUnderSpc2Reservation(ByteBuffer.wrap(new byte[] {(byte) op, 0, 0, 0, 0, 0})))
                    .as("opcode %02x", op).isFalse();
        }
    }
}
