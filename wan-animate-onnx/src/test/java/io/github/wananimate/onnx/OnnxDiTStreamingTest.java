package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The onnx backend keeps parameters resident: streaming requests are checked, then refused with the way out. */
class OnnxDiTStreamingTest {

    private final WanAnimateDiT dit = new WanAnimateDiT(new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6));

    @Test
    void streamingIsRefusedNamingTheNetworkAndTheOtherBackend() {
        try (Backend backend = Backends.byName("onnx").open(BackendOptions.cpu())) {
            assertThat(backend.streamsParameterGroups()).isFalse();
            var weights = ProceduralWeights.forSpecs(7, dit.parameters());
            assertThatThrownBy(() -> backend.load(dit, weights, Set.of("blocks.3")))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(dit.name()).hasMessageContaining("djl");
            assertThatThrownBy(() -> backend.load(dit, weights, Set.of("blocks.10")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'blocks.10'");
        }
    }
}
