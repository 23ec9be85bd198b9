package io.github.wananimate.weights.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The Relighting LoRA rule (NETWORKS.md §7) on the tiny DiT of NETWORKS.md §11 (10 blocks → 120 adapted Linears),
 * with made-up rank-2 LoRAs over the real parameter list of {@link WanAnimateDiT}; and the strength rules.
 */
class LoraTargetsTest {

    private static final DiTConfig TINY = new DiTConfig(128, 256, 256, 32, 16, 2, 10, 1e-6);
    private static final int RANK = 2;

    private final ParameterSource dit = ProceduralWeights.forSpecs(0, new WanAnimateDiT(TINY).parameters());

    @Test
    void relightingRuleListsTwelveLinearsPerBlock() {
        Set<String> modules = LoraTargets.wanRelighting(TINY.numLayers()).modules().orElseThrow();
        assertThat(modules).hasSize(120).contains("blocks.0.self_attn.q", "blocks.9.cross_attn.v_img", "blocks.9.ffn.2")
                .noneMatch(m -> m.contains("face") || m.contains("modulation"));
        assertThat(LoraTargets.wanRelighting(40).modules().orElseThrow()).hasSize(480);
        assertThat(modules).allMatch(m -> dit.contains(m + ".weight"));
        assertThat(LoraTargets.any().modules()).isEmpty();
        assertThatThrownBy(() -> LoraTargets.wanRelighting(0)).hasMessageContaining("num_layers = 0");
    }

    @Test
    void acceptsExactlyTheRelightingModulesUnderAnyNaming() {
        Map<String, long[]> lora = relightingLora(m -> "diffusion_model." + m);
        // diffusers names for one block (table §8.3) map to the official modules
        for (String[] d : new String[][] {{"self_attn.q", "attn1.to_q"}, {"cross_attn.k_img", "attn2.add_k_proj"},
                {"ffn.0", "ffn.net.0.proj"}}) {
            long[] a = lora.remove("diffusion_model.blocks.3." + d[0] + ".lora_A.weight");
            long[] b = lora.remove("diffusion_model.blocks.3." + d[0] + ".lora_B.weight");
            lora.put("transformer.blocks.3." + d[1] + ".lora_A.weight", a);
            lora.put("transformer.blocks.3." + d[1] + ".lora_B.weight", b);
        }
        try (LoraAdapter adapter = adapter(lora)) {
            LoraMergedSource merged = new LoraMergedSource(dit, adapter, 1.0, LoraTargets.wanRelighting(10));
            assertThat(merged.mergedWeights()).hasSize(120);
            assertThat(merged.unmatched()).isEmpty();
        }
    }

    @Test
    void refusesARelightingLoraWithAMissingModule() {
        Map<String, long[]> lora = relightingLora(m -> m);
        lora.remove("blocks.7.ffn.2.lora_A.weight");
        lora.remove("blocks.7.ffn.2.lora_B.weight");
        try (LoraAdapter adapter = adapter(lora)) {
            assertThatThrownBy(() -> new LoraMergedSource(dit, adapter, 1.0, LoraTargets.wanRelighting(10)))
                    .isInstanceOf(WeightException.class)
                    .hasMessageContaining("is not the Wan relighting LoRA (10 blocks x 12 Linears")
                    .hasMessageContaining("must adapt exactly 120 modules, it has 119")
                    .hasMessageContaining("1 required module(s) missing from the LoRA: blocks.7.ffn.2")
                    .hasMessageNotContaining("no target");
            // the general rule merges what is there
            assertThat(new LoraMergedSource(dit, adapter, 1.0).mergedWeights()).hasSize(119);
        }
    }

    @Test
    void refusesARelightingLoraWithAFaceAdapterModule() {
        Map<String, long[]> lora = relightingLora(m -> "base_model.model." + m);
        long[] kv = dit.shape("face_adapter.fuser_blocks.0.linear1_kv.weight");
        lora.put("base_model.model.face_adapter.fuser_blocks.0.linear1_kv.lora_A.weight", new long[] {RANK, kv[1]});
        lora.put("base_model.model.face_adapter.fuser_blocks.0.linear1_kv.lora_B.weight", new long[] {kv[0], RANK});
        try (LoraAdapter adapter = adapter(lora)) {
            assertThatThrownBy(() -> new LoraMergedSource(dit, adapter, 1.0, LoraTargets.wanRelighting(10)))
                    .isInstanceOf(WeightException.class)
                    .hasMessageContaining("it has 121 (120 of them required)")
                    .hasMessageContaining("1 module(s) that are no target of it: face_adapter.fuser_blocks.0.linear1_kv")
                    .hasMessageNotContaining("missing");
            assertThat(new LoraMergedSource(dit, adapter, 1.0).mergedWeights()).hasSize(121);
        }
    }

    @Test
    void refusesARelightingLoraForADeeperModelAndNamesTheFirstFewMissing() {
        // a 20-block relighting LoRA on the 10-block DiT: blocks 10..19 are no targets; against a 20-block rule,
        // 120 required modules have no weight in the checkpoint
        Map<String, long[]> lora = relightingLora(m -> m);
        Map<String, long[]> deeper = new LinkedHashMap<>(lora);
        lora.forEach((k, v) -> deeper.put(k.replaceFirst("^blocks\\.(\\d)\\.", "blocks.1$1."), v));
        try (LoraAdapter adapter = adapter(deeper)) {
            assertThatThrownBy(() -> new LoraMergedSource(dit, adapter, 1.0, LoraTargets.wanRelighting(10)))
                    .hasMessageContaining("120 module(s) that are no target of it: blocks.10.cross_attn.k,");
            assertThatThrownBy(() -> new LoraMergedSource(dit, adapter, 1.0, LoraTargets.wanRelighting(20)))
                    .hasMessageContaining("120 required module(s) without a weight in")
                    .hasMessageContaining("blocks.10.self_attn.q, blocks.10.self_attn.k, blocks.10.self_attn.v, "
                            + "blocks.10.self_attn.o, blocks.10.cross_attn.q, … 115 more");
        }
    }

    @Test
    void strengthZeroReturnsTheStoredWeights() {
        try (LoraAdapter adapter = adapter(relightingLora(m -> m))) {
            LoraMergedSource off = new LoraMergedSource(dit, adapter, 0.0, LoraTargets.wanRelighting(10));
            String key = "blocks.4.cross_attn.k_img.weight";
            assertThat(off.mergedWeights()).containsKey(key);
            assertThat(off.dtype(key)).isEqualTo(dit.dtype(key));
            assertThat(off.get(key).toFloatArray()).containsExactly(dit.get(key).toFloatArray());
            LoraMergedSource on = new LoraMergedSource(dit, adapter, 1.0);
            assertThat(on.dtype(key)).isEqualTo(DType.F32);
            assertThat(on.get(key).toFloatArray()).isNotEqualTo(dit.get(key).toFloatArray());
        }
    }

    @Test
    void negativeAndNonFiniteStrengthsAreRefused() {
        try (LoraAdapter adapter = adapter(relightingLora(m -> m))) {
            for (double strength : new double[] {-1.0, -0.0001, Double.NaN, Double.POSITIVE_INFINITY}) {
                assertThatThrownBy(() -> new LoraMergedSource(dit, adapter, strength))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("LoRA strength must be a finite number >= 0")
                        .hasMessageContaining("got " + strength);
            }
        }
    }

    /** Shapes of a rank-2 LoRA on the 120 relighting modules of {@link #dit}, keys named by {@code naming}. */
    private Map<String, long[]> relightingLora(UnaryOperator<String> naming) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String module : LoraTargets.wanRelighting(TINY.numLayers()).modules().orElseThrow()) {
            long[] w = dit.shape(module + ".weight");
            shapes.put(naming.apply(module) + ".lora_A.weight", new long[] {RANK, w[1]});
            shapes.put(naming.apply(module) + ".lora_B.weight", new long[] {w[0], RANK});
        }
        return shapes;
    }

    private static LoraAdapter adapter(Map<String, long[]> shapes) {
        return LoraAdapter.of(new ProceduralWeights(1, shapes), "made-up LoRA", null);
    }
}
