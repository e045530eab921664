package io.lunport.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What PduWriter puts on the wire, read back by the decoder with the same settings. */
class PduWriterTest {

    private static byte[] written(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = ch.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    @Test
    void digestsTravelInTheByteOrderOfRfc3720AppendixB4() {
        EmbeddedChannel ch = new EmbeddedChannel();
        PduWriter writer = new PduWriter(ch);
        writer.useDigests(true, true);
        ByteBuf header = writer.newHeader(Opcode.DATA_IN);
        writer.send(header, Unpooled.directBuffer(32).writeZero(32), true);
        byte[] wire = written(ch);
        assertThat(wire).hasSize(48 + 4 + 32 + 4);
        assertThat(wire[0]).isEqualTo((byte) Opcode.DATA_IN);
        assertThat(wire[5] << 16 | wire[6] << 8 | wire[7]).isEqualTo(32); // DataSegmentLength
        // 32 zero bytes: the data digest bytes are aa 36 91 8a.
        assertThat(ByteBufUtil.hexDump(wire, 84, 4)).isEqualTo("aa36918a");
        ch.finishAndReleaseAll();
    }

    @Test
    void decoderReadsWhatTheWriterWrites() {
        for (boolean hd : new boolean[] {false, true}) {
            for (boolean dd : new boolean[] {false, true}) {
                for (int length : new int[] {0, 1, 3, 4, 7}) {
                    EmbeddedChannel out = new EmbeddedChannel();
                    PduWriter writer = new PduWriter(out);
                    writer.useDigests(hd, dd);
                    ByteBuf header = writer.newHeader(Opcode.NOP_IN);
                    header.setInt(16, 0xCAFE0000 + length);
                    byte[] data = new byte[length];
                    for (int i = 0; i < length; i++) {
                        data[i] = (byte) (i + 1);
                    }
                    writer.send(header, length == 0 ? null : Unpooled.wrappedBuffer(data), true);
                    byte[] wire = written(out);
                    int expectedLength = 48 + (hd ? 4 : 0) + length + PduFrameDecoder.padding(length) + (dd && length > 0 ? 4 : 0);
                    assertThat(wire).as("hd %s dd %s length %d", hd, dd, length).hasSize(expectedLength);

                    PduFrameDecoder decoder = new PduFrameDecoder();
                    decoder.startFullFeaturePhase(8192, hd, dd);
                    List<Pdu> pdus = new ArrayList<>();
                    EmbeddedChannel in = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            pdus.add(((Pdu) msg).copy()); // the view is valid during this call only
                        }
                    });
                    in.writeInbound(Unpooled.wrappedBuffer(wire));
                    assertThat(pdus).hasSize(1);
                    assertThat(pdus.get(0).initiatorTaskTag()).isEqualTo(0xCAFE0000 + length);
                    assertThat(ByteBufUtil.getBytes(pdus.get(0).data())).isEqualTo(data);
                    pdus.forEach(Pdu::release);
                    in.finishAndReleaseAll();
                    out.finishAndReleaseAll();
                }
            }
        }
    }

    @Test
    void anEmptyDataBufferIsReleased() {
        EmbeddedChannel ch = new EmbeddedChannel();
        PduWriter writer = new PduWriter(ch);
        ByteBuf empty = Unpooled.directBuffer(0);
        writer.send(writer.newHeader(Opcode.LOGIN_RESPONSE), empty, true);
        assertThat(empty.refCnt()).isZero();
        assertThat(written(ch)).hasSize(48);
        ch.finishAndReleaseAll();
    }
}
