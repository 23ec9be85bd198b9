package io.github.wananimate.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.wananimate.nn.t5.TokenEmbeddings;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code umt5_encoder} ({@code golden/t5_tiny}): the padded {@code token_ids} with their
 * {@code mask}, embeddings gathered on the host; outputs {@code context} trimmed to the real tokens and
 * {@code layer0_position_bias} for the padded length.
 */
public final class UMT5EncoderFixture implements FixtureComponent {

    @Override
    public String component() {
        return "umt5_encoder";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        UMT5Config config = config(fixture);
        int[] ids = ints(fixture, "token_ids");
        int[] mask = fixture.json().has("mask") ? ints(fixture, "mask") : null;
        float[] keyMask = new float[ids.length];
        int real = 0;
        for (int i = 0; i < ids.length; i++) {
            keyMask[i] = mask == null ? 1f : mask[i];
            real += keyMask[i] != 0f ? 1 : 0;
        }
        ProceduralWeights weights = fixture.weights();
        HostTensor embeddings = TokenEmbeddings.gather(weights, UMT5Encoder.TOKEN_EMBEDDING_KEY, ids);
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        try (LoadedNetwork loaded = backend.load(new UMT5Encoder(config, true), weights)) {
            Map<String, HostTensor> result = loaded.run(Map.of(
                    UMT5Encoder.INPUT_EMBEDDINGS, embeddings,
                    UMT5Encoder.INPUT_KEY_MASK, HostTensor.ofFloats(new long[] {ids.length}, keyMask)));
            float[] context = result.get(UMT5Encoder.OUTPUT).toFloatArray();
            outputs.put("context", HostTensor.ofFloats(new long[] {real, config.dim()},
                    Arrays.copyOf(context, real * config.dim())));
            outputs.put("layer0_position_bias", result.get(UMT5Encoder.OUTPUT_LAYER0_POSITION_BIAS));
        }
        return outputs;
    }

    static UMT5Config config(Fixture fixture) {
        JsonObject c = fixture.config();
        int dim = c.get("dim").getAsInt();
        return new UMT5Config(c.get("vocab").getAsInt(), dim, c.has("dim_attn") ? c.get("dim_attn").getAsInt() : dim,
                c.get("dim_ffn").getAsInt(), c.get("num_heads").getAsInt(), c.get("num_layers").getAsInt(),
                c.has("num_buckets") ? c.get("num_buckets").getAsInt() : 32,
                c.has("max_distance") ? c.get("max_distance").getAsInt() : 128);
    }

    private static int[] ints(Fixture fixture, String field) {
        JsonArray a = fixture.json().getAsJsonArray(field);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
