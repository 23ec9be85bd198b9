package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureTest {

    @TempDir
    Path temp;

    private Path write(String json) throws Exception {
        Files.writeString(temp.resolve(Fixture.DESCRIPTION_FILE), json);
        return temp;
    }

    @Test
    void readsTheMotionEncoderFixture() {
        try (Fixture fixture = Fixture.load(GoldenFixtures.fixture("motion_encoder"))) {
            assertThat(fixture.component()).isEqualTo("motion_encoder");
            assertThat(fixture.name()).isEqualTo("motion_encoder");
            assertThat(fixture.seed()).isZero();
            assertThat(fixture.tolerance()).isEqualTo(1e-4);
            assertThat(fixture.config().get("motion_dim").getAsInt()).isEqualTo(20);
            assertThat(fixture.expectedNames()).containsExactlyInAnyOrder("motion", "motion_features", "direction_q");
            assertThat(fixture.expected("motion").shape()).containsExactly(2, 512);
            assertThat(fixture.weights().keys()).hasSize(49).allMatch(k -> k.startsWith("motion_encoder."));
            assertThatThrownBy(() -> fixture.expected("nope")).isInstanceOf(FixtureException.class)
                    .hasMessageContaining("no golden output 'nope'").hasMessageContaining("motion_features");
        }
    }

    @Test
    void inputsAreScaledAndOffsetUniformDraws() throws Exception {
        Path dir = write("""
                {"component": "x", "seed": 7,
                 "inputs": [{"name": "input.a", "shape": [2, 3], "scale": 2.5, "offset": -1.0}]}""");
        try (Fixture fixture = Fixture.load(dir)) {
            float[] values = fixture.input("input.a").toFloatArray();
            assertThat(values).hasSize(6);
            for (int i = 0; i < 6; i++) {
                assertThat(values[i]).isEqualTo((float) (2.5 * Procedural.uniform("input.a", i, 7) - 1.0));
            }
            assertThat(fixture.tolerance()).isEqualTo(Fixture.DEFAULT_MAX_ABS_OVER_PEAK);
            assertThat(fixture.expectedNames()).isEmpty();
            assertThatThrownBy(() -> fixture.input("input.b")).isInstanceOf(FixtureException.class)
                    .hasMessageContaining("input.b").hasMessageContaining("input.a");
        }
    }

    @Test
    void appliesThePipelineFixtureTransforms() throws Exception {
        Path dir = write("""
                {"component": "pipeline", "seed": 0, "inputs": [
                 {"name": "input.pose_frames", "shape": [4, 8, 8, 3], "scale": 128.0, "offset": 128.0,
                  "transform": "floor then clip to [0, 255]"},
                 {"name": "input.mask", "shape": [4, 8, 8], "scale": 1.0, "offset": 0.0,
                  "transform": "1 where u > 0 else 0 (the mask after the original's /255)"}]}""");
        try (Fixture fixture = Fixture.load(dir)) {
            float[] pixels = fixture.input("input.pose_frames").toFloatArray();
            for (int i = 0; i < pixels.length; i++) {
                double raw = 128.0 * Procedural.uniform("input.pose_frames", i, 0) + 128.0;
                assertThat(pixels[i]).isEqualTo((float) Math.min(255, Math.floor(raw)));
            }
            assertThat(pixels).contains(0f).doesNotContain(256f);
            float[] mask = fixture.input("input.mask").toFloatArray();
            for (int i = 0; i < mask.length; i++) {
                assertThat(mask[i]).isEqualTo(Procedural.uniform("input.mask", i, 0) > 0 ? 1f : 0f);
            }
            assertThat(mask).contains(0f, 1f);
        }
    }

    @Test
    void clipBoundsComeFromTheNote() {
        InputTransform clip = InputTransform.parse("floor then clip to [-2, 3.5]");
        assertThat(clip.apply(0, 7.9)).isEqualTo(3.5);
        assertThat(clip.apply(0, -7.9)).isEqualTo(-2);
        assertThat(clip.apply(0, 1.7)).isEqualTo(1);
        assertThatThrownBy(() -> InputTransform.parse("round half up")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("round half up").hasMessageContaining("floor then clip");
    }

    @Test
    void unknownTransformNamesTheInput() throws Exception {
        Path dir = write("""
                {"component": "x", "inputs": [{"name": "input.q", "shape": [1], "transform": "square it"}]}""");
        assertThatThrownBy(() -> Fixture.load(dir)).isInstanceOf(FixtureException.class)
                .hasMessageContaining("input.q").hasMessageContaining("square it");
    }

    @Test
    void templateInputsMatchNumberedNames() throws Exception {
        Path dir = write("""
                {"component": "schedulers", "seed": 0,
                 "inputs": [{"name": "model_output.<k>", "shape": [2, 2], "scale": 1.0, "offset": 0.0}]}""");
        try (Fixture fixture = Fixture.load(dir)) {
            HostTensor third = fixture.input("model_output.3");
            assertThat(third.shape()).containsExactly(2, 2);
            assertThat(third.toFloatArray()[1]).isEqualTo((float) Procedural.uniform("model_output.3", 1, 0));
            assertThatThrownBy(() -> fixture.input("model_output.3.x")).isInstanceOf(FixtureException.class);
            assertThatThrownBy(() -> fixture.input("latent.3")).isInstanceOf(FixtureException.class);
        }
    }

    @Test
    void weightListsByFieldAndNestedPath() throws Exception {
        Path dir = write("""
                {"component": "pipeline", "seed": "18446744073709551615",
                 "vae_weights": [["encoder.conv1.weight", [4, 3, 3, 3, 3]]],
                 "weights": {"dit": [["blocks.0.norm3.weight", [8]], ["patch_embedding.bias", [8]]],
                             "clip": []}}""");
        try (Fixture fixture = Fixture.load(dir)) {
            assertThat(fixture.seed()).isEqualTo(-1L);
            ProceduralWeights vae = fixture.weights("vae_weights");
            assertThat(vae.keys()).containsExactly("encoder.conv1.weight");
            assertThat(vae.shape("encoder.conv1.weight")).containsExactly(4, 3, 3, 3, 3);
            assertThat(vae.seed()).isEqualTo(-1L);
            Map<String, long[]> dit = fixture.weightShapes("weights.dit");
            assertThat(dit).containsOnlyKeys("blocks.0.norm3.weight", "patch_embedding.bias");
            assertThat(fixture.weights("weights.clip").keys()).isEmpty();
            assertThatThrownBy(fixture::weights).isInstanceOf(FixtureException.class)
                    .hasMessageContaining("'weights' is not a list").hasMessageContaining("dit");
            assertThatThrownBy(() -> fixture.weights("weights.t5")).isInstanceOf(FixtureException.class)
                    .hasMessageContaining("no weight list 'weights.t5'");
        }
    }

    @Test
    void aFolderWithoutDescriptionIsRefused() {
        assertThatThrownBy(() -> Fixture.load(temp)).isInstanceOf(FixtureException.class)
                .hasMessageContaining("fixture.json");
    }
}
