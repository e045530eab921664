package io.lunport.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lunport.server.export.Units;
import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lunport inspect IMAGE [--json]}: format, sizes and the backing chain, from headers only. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describes an image: format, virtual size, cluster size, compression, backing chain, allocated bytes.")
public final class InspectCommand implements Callable<Integer>, OpensImages {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image file.")
    Path image;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        try (BlockSource source = new ImageOpener(TranslationContext.defaults()).open(image)) {
            SourceInfo info = source.describe();
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                System.out.println(mapper.writeValueAsString(toJson(mapper, info)));
            } else {
                printText(info);
            }
        }
        return 0;
    }

    private static ObjectNode toJson(ObjectMapper mapper, SourceInfo top) {
        ObjectNode root = layer(mapper, top);
        ArrayNode chain = root.putArray("backingChain");
        for (SourceInfo layer = top.backing(); layer != null; layer = layer.backing()) {
            chain.add(layer(mapper, layer));
        }
        return root;
    }

    private static ObjectNode layer(ObjectMapper mapper, SourceInfo info) {
        ObjectNode node = mapper.createObjectNode();
        node.put("file", info.file().toString());
        node.put("format", info.format());
        node.put("virtualSize", info.virtualSize());
        if (info.clusterSize() > 0) {
            node.put("clusterSize", info.clusterSize());
        }
        if (info.compression() != null) {
            node.put("compression", info.compression());
        }
        if (info.allocatedBytes() >= 0) {
            node.put("allocatedBytes", info.allocatedBytes());
        }
        if (!info.details().isEmpty()) {
            ObjectNode details = node.putObject("details");
            info.details().forEach(details::put);
        }
        return node;
    }

    private static void printText(SourceInfo top) {
        int depth = 0;
        for (SourceInfo layer = top; layer != null; layer = layer.backing(), depth++) {
            String indent = "  ".repeat(depth);
            System.out.println(indent + (depth == 0 ? "image:        " : "backing file: ") + layer.file());
            System.out.println(indent + "format:       " + layer.format());
            System.out.println(indent + "virtual size: " + layer.virtualSize() + " bytes (" + Units.human(layer.virtualSize()) + ")");
            if (layer.clusterSize() > 0) {
                System.out.println(indent + "cluster size: " + layer.clusterSize());
            }
            if (layer.compression() != null) {
                System.out.println(indent + "compression:  " + layer.compression());
            }
            if (layer.allocatedBytes() >= 0) {
                System.out.println(indent + "allocated:    " + layer.allocatedBytes() + " bytes (" + Units.human(layer.allocatedBytes()) + ")");
            }
            for (Map.Entry<String, String> e : layer.details().entrySet()) {
                System.out.println(indent + e.getKey() + ": " + e.getValue());
            }
        }
    }
}
