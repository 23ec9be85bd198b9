package io.github.wananimate.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.pipeline.WanVae;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code vae} ({@code golden/vae_tiny}): the Wan 2.1 VAE with the fixture's {@code config}.
 * {@code input.video [1, 3, T, H, W]} → {@code encoded} (chunked encode, 1 + 4 + 4 … frames, as the original)
 * and {@code input.latent [1, 16, T', h, w]} → {@code decoded} (streamed one latent frame at a time, clamped).
 * The whole-sequence forms are reported too ({@code encoded.full_sequence}, {@code decoded.full_sequence}); they
 * have no golden value of their own but must match the same golden outputs.
 */
public final class VaeFixture implements FixtureComponent {

    static final String INPUT_VIDEO = "input.video";
    static final String INPUT_LATENT = "input.latent";

    @Override
    public String component() {
        return "vae";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        VaeConfig config = config(fixture.config());
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        try (WanVae vae = WanVae.load(backend, fixture.weights(), config)) {
            if (fixture.inputNames().contains(INPUT_VIDEO)) {
                HostTensor video = unbatched(fixture.input(INPUT_VIDEO));
                outputs.put("encoded", batched(vae.encode(video)));
                outputs.put("encoded.full_sequence", batched(vae.encodeFullSequence(video)));
            }
            if (fixture.inputNames().contains(INPUT_LATENT)) {
                HostTensor latent = unbatched(fixture.input(INPUT_LATENT));
                outputs.put("decoded", batched(vae.decode(latent)));
                outputs.put("decoded.full_sequence", batched(vae.decodeFullSequence(latent)));
            }
        }
        return outputs;
    }

    /** The {@code config} object of a VAE fixture (the {@code WanVAE_} constructor arguments). */
    public static VaeConfig config(JsonObject json) {
        JsonArray attnScales = json.has("attn_scales") ? json.getAsJsonArray("attn_scales") : new JsonArray();
        if (!attnScales.isEmpty()) {
            throw new FixtureException("VAE attn_scales other than [] are not supported, got " + attnScales);
        }
        return new VaeConfig(json.get("dim").getAsInt(), json.get("z_dim").getAsInt(),
                ints(json.getAsJsonArray("dim_mult")), json.get("num_res_blocks").getAsInt(),
                booleans(json.getAsJsonArray("temperal_downsample")));
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    private static boolean[] booleans(JsonArray array) {
        boolean[] out = new boolean[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsBoolean();
        }
        return out;
    }

    private static HostTensor unbatched(HostTensor t) {
        long[] s = t.shape();
        if (s.length != 5 || s[0] != 1) {
            throw new FixtureException("VAE fixture inputs are [1, C, T, H, W], got " + Arrays.toString(s));
        }
        return t.reshape(Arrays.copyOfRange(s, 1, 5));
    }

    private static HostTensor batched(HostTensor t) {
        long[] s = t.shape();
        return t.reshape(1, s[0], s[1], s[2], s[3]);
    }
}
