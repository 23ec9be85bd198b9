package io.github.wananimate.nn.t5;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.MapParameterSource;
import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A made-up HF {@code UMT5EncoderModel} checkpoint (names of NETWORKS.md §8.7) read through KeyMappings.HF_T5. */
class HfUMT5MappingTest {

    static final UMT5Config TINY = new UMT5Config(256, 64, 64, 128, 2, 2, 32, 128);

    @Test
    void hfNamesMapToEveryOfficialTensor() {
        UMT5Encoder network = new UMT5Encoder(TINY);
        ProceduralWeights official = ProceduralWeights.forSpecs(0, network.parameters());
        Map<String, String> hfOf = new LinkedHashMap<>();
        hfOf.put("token_embedding.weight", "shared.weight");
        hfOf.put("norm.weight", "encoder.final_layer_norm.weight");
        for (int i = 0; i < TINY.numLayers(); i++) {
            String o = "blocks." + i + ".";
            String h = "encoder.block." + i + ".layer.";
            hfOf.put(o + "norm1.weight", h + "0.layer_norm.weight");
            for (String p : new String[] {"q", "k", "v", "o"}) {
                hfOf.put(o + "attn." + p + ".weight", h + "0.SelfAttention." + p + ".weight");
            }
            hfOf.put(o + "pos_embedding.embedding.weight", h + "0.SelfAttention.relative_attention_bias.weight");
            hfOf.put(o + "norm2.weight", h + "1.layer_norm.weight");
            hfOf.put(o + "ffn.gate.0.weight", h + "1.DenseReluDense.wi_0.weight");
            hfOf.put(o + "ffn.fc1.weight", h + "1.DenseReluDense.wi_1.weight");
            hfOf.put(o + "ffn.fc2.weight", h + "1.DenseReluDense.wo.weight");
        }
        Map<String, HostTensor> hf = new LinkedHashMap<>();
        hfOf.forEach((o, h) -> hf.put(h, official.get(o)));
        hf.put("encoder.embed_tokens.weight", official.get("token_embedding.weight")); // HF's tied copy

        ParameterSource view = KeyMappings.toOfficial(new MapParameterSource(hf));
        assertThat(view.keys()).containsExactlyInAnyOrderElementsOf(official.keys());
        ParameterBinding.validateAndPrepare(network, view);
        for (ParameterSpec spec : network.parameters()) {
            assertThat(view.get(spec.key()).toFloatArray()).as(spec.key())
                    .containsExactly(official.get(spec.key()).toFloatArray());
        }
    }
}
