package io.github.wananimate.parity;

import com.google.gson.JsonObject;
import io.github.wananimate.nn.clip.ClipPreprocessing;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code clip_visual} ({@code golden/clip_tiny}): {@code input.image} ({@code [3, 1, H, W]} in
 * [-1, 1]) through {@link ClipPreprocessing} and {@link ClipVisionEncoder}; output {@code features}.
 */
public final class ClipVisualFixture implements FixtureComponent {

    static final String INPUT = "input.image";

    @Override
    public String component() {
        return "clip_visual";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        ClipVisionConfig config = config(fixture);
        ProceduralWeights weights = fixture.weights();
        HostTensor pixels = ClipPreprocessing.preprocess(fixture.input(INPUT), config.imageSize());
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        try (LoadedNetwork loaded = backend.load(new ClipVisionEncoder(config), weights)) {
            outputs.put("features", loaded.run(Map.of(ClipVisionEncoder.INPUT, pixels)).get(ClipVisionEncoder.OUTPUT));
        }
        return outputs;
    }

    static ClipVisionConfig config(Fixture fixture) {
        JsonObject c = fixture.config();
        int dim = c.get("dim").getAsInt();
        // The unused projection's width is only visible in the weight list.
        long[] head = fixture.weightShapes("weights").get(ClipVisionEncoder.PREFIX + "head");
        int embedDim = head == null ? dim : Math.toIntExact(head[1]);
        return new ClipVisionConfig(c.get("image_size").getAsInt(), c.get("patch_size").getAsInt(), dim,
                c.get("num_heads").getAsInt(), c.get("num_layers").getAsInt(), c.get("mlp_ratio").getAsInt(), embedDim);
    }
}
