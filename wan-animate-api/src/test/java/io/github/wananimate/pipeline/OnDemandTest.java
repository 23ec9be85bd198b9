package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.RefBackend;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.LoadedNetwork;
import org.junit.jupiter.api.Test;

class OnDemandTest {

    private static final ClipVisionConfig TINY = new ClipVisionConfig(224, 14, 64, 2, 3, 4, 32);

    @Test
    void bindsWhenAcquiredAndReleasesAfterEachUse() {
        ClipVisionEncoder network = new ClipVisionEncoder(TINY);
        try (ProceduralWeights weights = ProceduralWeights.forSpecs(0, network.parameters());
                OnDemand<LoadedNetwork> clip = new OnDemand<>("clip", () -> new RefBackend().load(network, weights))) {
            assertThat(clip.isBound()).isFalse();
            LoadedNetwork first = clip.acquire();
            assertThat(clip.acquire()).as("bound once per use").isSameAs(first);
            assertThat(clip.isBound()).isTrue();
            clip.release();
            assertThat(clip.isBound()).isFalse();
            clip.acquire();
            clip.release();
            assertThat(clip.bindCount()).isEqualTo(2);
        }
    }

    @Test
    void aResidentHandleKeepsItsNetwork() {
        ClipVisionEncoder network = new ClipVisionEncoder(TINY);
        try (ProceduralWeights weights = ProceduralWeights.forSpecs(0, network.parameters());
                LoadedNetwork bound = new RefBackend().load(network, weights)) {
            Lease<LoadedNetwork> handle = Lease.resident(bound);
            assertThat(handle.acquire()).isSameAs(bound);
            handle.release();
            assertThat(handle.acquire()).isSameAs(bound);
        }
    }
}
