package io.lunport.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Framing of the byte stream into PDUs by the real decoder on an embedded channel. */
class PduFrameDecoderTest {

    private final List<Pdu> decoded = new ArrayList<>();

    @AfterEach
    void releaseDecoded() {
        decoded.forEach(Pdu::release);
    }

    /** Builds one initiator PDU as it travels: BHS, AHS, header digest, data, padding, data digest. */
    static byte[] pdu(int opcode, int itt, int ahsWords, byte[] data, boolean headerDigest, boolean dataDigest) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(opcode).writeByte(0x80).writeShort(0);
        b.writeByte(ahsWords).writeMedium(data.length);
        b.writeLong(0).writeInt(itt).writeZero(28);
        for (int i = 0; i < ahsWords * 4; i++) {
            b.writeByte(0xA0 + i);
        }
        if (headerDigest) {
            b.writeIntLE(Digests.crc32c(b, 0, b.writerIndex()));
        }
        int dataStart = b.writerIndex();
        b.writeBytes(data).writeZero(PduFrameDecoder.padding(data.length));
        if (dataDigest && data.length > 0) {
            b.writeIntLE(Digests.crc32c(b, dataStart, b.writerIndex() - dataStart));
        }
        return ByteBufUtil.getBytes(b);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private EmbeddedChannel channel(PduFrameDecoder decoder) {
        return new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoded.add(((Pdu) msg).copy()); // the decoder's view is valid during this call only
            }
        });
    }

    /** A channel whose decoder is past login with these settings. */
    private EmbeddedChannel fullFeature(int limit, boolean headerDigest, boolean dataDigest) {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.startFullFeaturePhase(limit, headerDigest, dataDigest);
        return channel(decoder);
    }

    /** Feeds {@code in} and returns the PduException the decoder refused it with. */
    private static PduException refused(EmbeddedChannel ch, ByteBuf in) {
        Throwable t = catchThrowable(() -> ch.writeInbound(in));
        assertThat(t).isInstanceOf(DecoderException.class).hasCauseInstanceOf(PduException.class);
        return (PduException) t.getCause();
    }

    @Test
    void reassemblesAPduSplitAtEveryByteBoundary() {
        byte[] wire = pdu(Opcode.SCSI_COMMAND, 0x01020304, 0, text("HelloWorld"), false, false);
        for (int split = 1; split < wire.length; split++) {
            decoded.forEach(Pdu::release);
            decoded.clear();
            EmbeddedChannel ch = channel(new PduFrameDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            assertThat(decoded).as("split at %d", split).isEmpty();
            ch.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            assertThat(decoded).as("split at %d", split).hasSize(1);
            Pdu p = decoded.get(0);
            assertThat(p.opcode()).isEqualTo(Opcode.SCSI_COMMAND);
            assertThat(p.initiatorTaskTag()).isEqualTo(0x01020304);
            assertThat(p.data().toString(StandardCharsets.UTF_8)).isEqualTo("HelloWorld");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void reassemblesDigestedPdusFedOneByteAtATime() {
        EmbeddedChannel ch = fullFeature(8192, true, true);
        byte[] first = pdu(Opcode.SCSI_COMMAND, 1, 1, text("abcde"), true, true);
        byte[] second = pdu(Opcode.NOP_OUT, 2, 0, new byte[0], true, true);
        for (byte[] wire : List.of(first, second)) {
            for (byte b : wire) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        }
        assertThat(decoded).extracting(Pdu::initiatorTaskTag).containsExactly(1, 2);
        assertThat(decoded.get(0).data().toString(StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(decoded.get(1).data().readableBytes()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void skipsAhsAndPaddingSoTheNextPduStartsInPlace() {
        EmbeddedChannel ch = channel(new PduFrameDecoder());
        byte[] a = pdu(Opcode.SCSI_COMMAND, 7, 2, text("abcde"), false, false); // 8 AHS bytes, 3 pad bytes
        byte[] b = pdu(Opcode.NOP_OUT, 8, 0, text("xyz"), false, false);
        assertThat(a.length).isEqualTo(48 + 8 + 8);
        ch.writeInbound(Unpooled.wrappedBuffer(a, b));
        assertThat(decoded).hasSize(2);
        Pdu first = decoded.get(0);
        assertThat(first.header().readableBytes()).isEqualTo(Pdu.BHS_LENGTH);
        assertThat(first.totalAhsLength()).isEqualTo(2);
        assertThat(first.data().toString(StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(decoded.get(1).initiatorTaskTag()).isEqualTo(8);
        assertThat(decoded.get(1).data().toString(StandardCharsets.UTF_8)).isEqualTo("xyz");
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesAnOverlongSegmentFromTheHeaderAlone() {
        EmbeddedChannel ch = channel(new PduFrameDecoder());
        ByteBuf header = Unpooled.buffer(48);
        header.writeByte(Opcode.LOGIN_REQUEST).writeByte(0x87).writeShort(0).writeByte(0)
                .writeMedium(PduFrameDecoder.LOGIN_MAX_DATA_SEGMENT_LENGTH + 1).writeZero(40);
        // Only the 48-byte header: the refusal must not wait for (or buffer) the claimed data.
        PduException e = refused(ch, header);
        assertThat(e.kind()).isEqualTo(PduException.Kind.LENGTH);
        assertThat(e.header().readableBytes()).isEqualTo(Pdu.BHS_LENGTH);
        assertThat(e.header().getByte(0)).isEqualTo((byte) Opcode.LOGIN_REQUEST);
        e.header().release();
        assertThat(decoded).isEmpty();
        ch.close();
    }

    @Test
    void afterARefusalTheRestOfTheStreamIsDroppedNotRefusedAgain() {
        EmbeddedChannel ch = channel(new PduFrameDecoder());
        ByteBuf header = Unpooled.buffer(48).writeByte(Opcode.LOGIN_REQUEST).writeByte(0x87).writeShort(0)
                .writeByte(0).writeMedium(1 << 20).writeZero(40);
        refused(ch, header).header().release();
        // More bytes (the claimed data, or a well-formed PDU) neither re-raise nor decode.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));
        ch.writeInbound(Unpooled.wrappedBuffer(pdu(Opcode.NOP_OUT, 1, 0, new byte[0], false, false)));
        assertThat(decoded).isEmpty();
        ch.finishAndReleaseAll(); // decodeLast at close raises nothing either
    }

    @Test
    void theLimitAfterLoginIsTheNegotiatedOne() {
        EmbeddedChannel ch = fullFeature(65536, false, false);
        ch.writeInbound(Unpooled.wrappedBuffer(pdu(Opcode.DATA_OUT, 3, 0, new byte[65536], false, false)));
        assertThat(decoded).hasSize(1);

        ByteBuf header = Unpooled.buffer(48).writeByte(Opcode.DATA_OUT).writeByte(0x80).writeShort(0)
                .writeByte(0).writeMedium(65537).writeZero(40);
        PduException e = refused(ch, header);
        assertThat(e.kind()).isEqualTo(PduException.Kind.LENGTH);
        e.header().release();
        ch.close();
    }

    @Test
    void headerDigestMismatchIsRefusedWithoutTrustingTheHeader() {
        EmbeddedChannel ch = fullFeature(8192, true, false);
        byte[] wire = pdu(Opcode.NOP_OUT, 9, 0, new byte[0], true, false);
        wire[20] ^= 1; // a flipped bit in the header
        PduException e = refused(ch, Unpooled.wrappedBuffer(wire));
        assertThat(e.kind()).isEqualTo(PduException.Kind.HEADER_DIGEST);
        assertThat(e.header()).isNull();
        assertThat(decoded).isEmpty();
        ch.close();
    }

    @Test
    void headerDigestInTheWrongByteOrderIsAMismatch() {
        EmbeddedChannel ch = fullFeature(8192, true, false);
        byte[] wire = pdu(Opcode.NOP_OUT, 9, 0, new byte[0], true, false);
        // Swap the digest to big-endian: an initiator doing that is wrong, and so would we be.
        byte t0 = wire[48];
        byte t1 = wire[49];
        wire[48] = wire[51];
        wire[49] = wire[50];
        wire[50] = t1;
        wire[51] = t0;
        PduException e = refused(ch, Unpooled.wrappedBuffer(wire));
        assertThat(e.kind()).isEqualTo(PduException.Kind.HEADER_DIGEST);
        ch.close();
    }

    @Test
    void dataDigestIsVerifiedOverDataAndPadding() {
        EmbeddedChannel ch = fullFeature(8192, false, true);
        ch.writeInbound(Unpooled.wrappedBuffer(pdu(Opcode.DATA_OUT, 4, 0, text("abcdefg"), false, true)));
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).data().toString(StandardCharsets.UTF_8)).isEqualTo("abcdefg");

        byte[] bad = pdu(Opcode.DATA_OUT, 5, 0, text("abcdefg"), false, true);
        bad[48 + 2] ^= 0x40;
        PduException e = refused(ch, Unpooled.wrappedBuffer(bad));
        assertThat(e.kind()).isEqualTo(PduException.Kind.DATA_DIGEST);
        // The header is handed over so that the Reject can quote it.
        assertThat(e.header().getInt(16)).isEqualTo(5);
        e.header().release();
        ch.close();
    }

    @Test
    void noDataDigestWhenThereIsNoData() {
        EmbeddedChannel ch = fullFeature(8192, false, true);
        byte[] empty = pdu(Opcode.NOP_OUT, 6, 0, new byte[0], false, true);
        assertThat(empty).hasSize(48);
        ch.writeInbound(Unpooled.wrappedBuffer(empty));
        assertThat(decoded).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void newSettingsApplyFromThePduAfterTheOneThatEndsLogin() {
        // The final login request and the first digested PDU arrive in one read: the
        // connection switches the decoder while handling the first, before the second is framed.
        PduFrameDecoder decoder = new PduFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Pdu p = (Pdu) msg;
                if (p.opcode() == Opcode.LOGIN_REQUEST) {
                    decoder.startFullFeaturePhase(8192, true, true);
                }
                decoded.add(p.copy());
            }
        });
        byte[] login = pdu(Opcode.LOGIN_REQUEST, 1, 0, text("a=b\0"), false, false);
        byte[] command = pdu(Opcode.SCSI_COMMAND, 2, 0, text("data"), true, true);
        ch.writeInbound(Unpooled.wrappedBuffer(login, command));
        assertThat(decoded).extracting(Pdu::initiatorTaskTag).containsExactly(1, 2);
        assertThat(decoded.get(1).data().toString(StandardCharsets.UTF_8)).isEqualTo("data");
        ch.finishAndReleaseAll();
    }

    @Test
    void theViewPinsNoInputAndACopyOwnsItsBytes() {
        EmbeddedChannel ch = channel(new PduFrameDecoder());
        ByteBuf in = Unpooled.directBuffer().writeBytes(pdu(Opcode.SCSI_COMMAND, 1, 0, text("abc"), false, false));
        ch.writeInbound(in);
        assertThat(in.refCnt()).as("input released once framed").isZero();
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).data().toString(StandardCharsets.UTF_8)).isEqualTo("abc");
        ch.finishAndReleaseAll();
    }

    @Test
    void everyPduOfOneReadArrivesWithItsOwnFieldsInTheReusedView() {
        List<String> seen = new ArrayList<>();
        List<Pdu> views = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Pdu p = (Pdu) msg;
                views.add(p);
                ByteBuf copy = Unpooled.buffer();
                p.copyData(copy, 0, p.dataLength());
                copy.writerIndex(p.dataLength());
                seen.add(p.initiatorTaskTag() + ":" + copy.toString(StandardCharsets.UTF_8));
                p.release();
            }
        });
        ch.writeInbound(Unpooled.wrappedBuffer(pdu(Opcode.SCSI_COMMAND, 1, 0, text("one"), false, false),
                pdu(Opcode.NOP_OUT, 2, 0, new byte[0], false, false), pdu(Opcode.DATA_OUT, 3, 0, text("three"), false, false)));
        assertThat(seen).containsExactly("1:one", "2:", "3:three");
        assertThat(views).hasSize(3).allSatisfy(v -> assertThat(v).isSameAs(views.get(0)));
        ch.finishAndReleaseAll();
    }
}
