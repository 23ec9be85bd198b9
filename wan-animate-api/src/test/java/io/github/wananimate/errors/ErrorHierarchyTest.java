package io.github.wananimate.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.api.FrameSinkException;
import io.github.wananimate.api.GenerationCancelledException;
import io.github.wananimate.api.InvalidRequestException;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.nn.RefBackend;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.WeightException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure kind the SDK reports on purpose is a {@link WanAnimateException}, thrown where it happens. */
class ErrorHierarchyTest {

    @Test
    void theKindsShareOneBase() {
        assertThat(WanAnimateException.class).isAssignableFrom(InvalidRequestException.class)
                .isAssignableFrom(ModelFileException.class).isAssignableFrom(BackendUnavailableException.class)
                .isAssignableFrom(GenerationCancelledException.class).isAssignableFrom(FrameSinkException.class);
        assertThat(ModelFileException.class).isAssignableFrom(WeightException.class);
    }

    @Test
    void anUnknownBackendIsBackendUnavailable() {
        assertThatThrownBy(() -> Backends.byName("no-such-backend")).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("no backend named 'no-such-backend'");
    }

    @Test
    void aMissingModelFolderIsAModelFileProblem(@TempDir Path dir) {
        assertThatThrownBy(() -> ModelFolder.of(dir.resolve("missing"))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void anInvalidRequestIsAWanAnimateException() {
        assertThatThrownBy(() -> MotionSignals.builder().build())
                .isInstanceOf(InvalidRequestException.class).isInstanceOf(WanAnimateException.class);
    }

    @Test
    void aModelWithoutTextEncoderIsRefusedAtBuild() {
        ProceduralModel model = ProceduralModel.tiny(0);
        try (RefBackend backend = new RefBackend()) {
            assertThatThrownBy(() -> WanAnimate.builder().dit(model.dit(), model.ditWeights())
                    .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights()).backend(backend)
                    .build())
                    .isInstanceOf(ModelFileException.class)
                    .hasMessageContaining("no text encoder: no model folder was given")
                    .hasMessageContaining("WanAnimate.Builder.textEncoder");
        }
    }
}
