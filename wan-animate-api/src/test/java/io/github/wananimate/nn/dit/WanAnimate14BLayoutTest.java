package io.github.wananimate.nn.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.ParameterBinding;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.ShardedSafetensors;
import io.github.wananimate.weights.SparseCheckpoints;
import io.github.wananimate.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official 14B layout without the weights: a sparse 4-shard bf16 safetensors set (headers with the official
 * keys and shapes, data regions that exist only as file length) must bind to {@link WanAnimateDiT} with the 14B
 * config — every key, no missing, no extra — and opening it must read no tensor data.
 */
class WanAnimate14BLayoutTest {

    private static final int SHARDS = 4;

    @Test
    void the14BCheckpointLayoutBindsCompletelyAndLazily(@TempDir Path dir) throws IOException {
        WanAnimateDiT dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);
        List<ParameterSpec> specs = dit.parameters();
        // §1.2 / §8.2: 1,441 tensors including the 14 blur-kernel buffers of the motion encoder
        assertThat(specs).hasSize(1441);
        assertThat(specs.stream().filter(ParameterSpec::optional).map(ParameterSpec::key))
                .hasSize(14).allMatch(k -> k.startsWith("motion_encoder.") && k.endsWith(".kernel"));
        long parameterCount = specs.stream().filter(s -> !s.optional()).mapToLong(s -> Shapes.elementCount(s.shape())).sum();
        assertThat(parameterCount).isEqualTo(17_274_816_884L);

        Path index = SparseCheckpoints.writeShardedDit(dir, specs, SHARDS, UnaryOperator.identity());
        long totalBytes = 0;
        for (Path shard : Files.list(dir).filter(p -> p.toString().endsWith(".safetensors")).toList()) {
            totalBytes += Files.size(shard);
        }

        System.gc();
        long heapBefore = usedHeap();
        long start = System.nanoTime();
        try (ShardedSafetensors checkpoint = ShardedSafetensors.open(index)) {
            ParameterSource prepared = ParameterBinding.validateAndPrepare(dit, checkpoint);
            double openMillis = (System.nanoTime() - start) / 1e6;
            long heapAfter = usedHeap();
            assertThat(prepared.keys()).containsAll(specs.stream().map(ParameterSpec::key).toList());
            assertThat(prepared.dtype("blocks.39.ffn.2.weight")).isEqualTo(DType.BF16);
            System.out.printf(Locale.ROOT, "14B sparse layout: %d tensors, %.2f GB apparent size in %d shards;"
                    + " open + validate + prepare %.0f ms, heap delta %.1f MB%n", specs.size(), totalBytes / 1e9,
                    SHARDS, openMillis, (heapAfter - heapBefore) / 1e6);
        }
    }

    @Test
    void missingAndExtraKeysAreReportedTogether(@TempDir Path dir) throws IOException {
        WanAnimateDiT dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);
        Path index = SparseCheckpoints.writeShardedDit(dir, dit.parameters(), SHARDS,
                key -> key.equals("blocks.17.cross_attn.k_img.weight") ? "blocks.17.cross_attn.k_image.weight" : key);
        try (ShardedSafetensors checkpoint = ShardedSafetensors.open(index)) {
            assertThatThrownBy(() -> ParameterBinding.validateAndPrepare(dit, checkpoint))
                    .isInstanceOf(WeightException.class)
                    .hasMessageContaining("missing key 'blocks.17.cross_attn.k_img.weight' (expected shape [5120, 5120])")
                    .hasMessageContaining("unexpected key 'blocks.17.cross_attn.k_image.weight'");
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
