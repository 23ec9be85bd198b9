package io.github.wananimate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.github.wananimate.nn.Network;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.ForwardingBackend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.video.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WanAnimate} built from a model folder in the official layout ({@link TinyOfficialFolder}, the tiny procedural
 * model), run by a backend module on its own backend. Only the onnx module runs it: it takes ~13 s there and ~45 s on
 * djl (four DiT bindings) on the shared 2-core build machine; the folder code path is the same on both.
 */
public abstract class WanAnimateModelFolderEndToEndTests {

    /** The backend under test. */
    protected abstract String backendName();

    /**
     * A folder in the official layout and formats ({@link TinyOfficialFolder}) opened by
     * {@code WanAnimate.builder().modelFolder(…)}: 5 frames of 64×64, one clip, 2 steps. The prompt is encoded by the
     * folder's umT5 once; the second generation reads it from the text cache and binds no umT5. Replacement merges
     * the folder's {@code relighting_lora.ckpt}; without that file it fails naming it.
     */
    @Test
    void modelFolderInTheOfficialLayoutAnimatesAndReplaces(@TempDir Path dir) throws IOException {
        Path folder = TinyOfficialFolder.write(ProceduralModel.tiny(7), dir.resolve("Wan2.2-Animate-14B"), true);
        Path cache = dir.resolve("text-cache");
        MotionSignals signals = WanAnimateEndToEndTests.signals(true, 5, 64);
        // More than the DiT's text_len (32) tokens: the folder's tokenizer must truncate to it, as the original does.
        AnimationRequest animation = AnimationRequest.builder(signals).clipLength(5).steps(2).seed(21)
                .prompt("the person in the video is dancing slowly in warm evening light").build();
        try (CountingBackend backend = new CountingBackend(Backends.byName(backendName())
                .open(new BackendOptions("cpu", 0)));
                WanAnimate fromFolder = WanAnimate.builder().modelFolder(folder).backend(backend).textCache(cache)
                        .build()) {
            WanAnimateEndToEndTests.CollectingSink first = new WanAnimateEndToEndTests.CollectingSink();
            GenerationResult result = fromFolder.animate(animation, first);
            assertThat(result.frameCount()).isEqualTo(5);
            assertThat(result.clipCount()).isEqualTo(1);
            assertThat(first.indices).containsExactly(0, 1, 2, 3, 4);
            assertThat(first.frames).extracting(Frame::width, Frame::height).containsOnly(tuple(64, 64));
            assertThat(WanAnimateEndToEndTests.distinctSamples(first.frames.get(0))).isGreaterThan(16);
            assertThat(backend.loads("umt5_encoder")).isEqualTo(1);
            try (var entries = Files.list(cache)) {
                assertThat(entries.toList()).singleElement()
                        .satisfies(entry -> assertThat(entry.toString()).endsWith(".safetensors"));
            }

            WanAnimateEndToEndTests.CollectingSink second = new WanAnimateEndToEndTests.CollectingSink();
            fromFolder.animate(animation, second);
            assertThat(backend.loads("umt5_encoder")).as("the cached prompt binds no umT5").isEqualTo(1);
            assertThat(second.frames).isEqualTo(first.frames);

            WanAnimateEndToEndTests.CollectingSink plain = new WanAnimateEndToEndTests.CollectingSink();
            fromFolder.replace(ReplacementRequest.builder(signals).clipLength(5).steps(2).seed(21).build(), plain);
            WanAnimateEndToEndTests.CollectingSink relit = new WanAnimateEndToEndTests.CollectingSink();
            fromFolder.replace(ReplacementRequest.builder(signals).clipLength(5).steps(2).seed(21)
                    .relightingLora(true).build(), relit);
            assertThat(relit.indices).containsExactly(0, 1, 2, 3, 4);
            assertThat(relit.frames).as("the folder's LoRA changes the DiT").isNotEqualTo(plain.frames);
        }

        Files.delete(folder.resolve(TinyOfficialFolder.LORA));
        try (WanAnimate noLora = WanAnimate.builder().modelFolder(folder).backend(backendName()).textCache(cache)
                .build()) {
            WanAnimateEndToEndTests.CollectingSink sink = new WanAnimateEndToEndTests.CollectingSink();
            assertThatThrownBy(() -> noLora.replace(ReplacementRequest.builder(signals).clipLength(5).steps(2)
                    .relightingLora(true).build(), sink))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(TinyOfficialFolder.LORA)
                    .hasMessageContaining(folder.toString());
            assertThat(sink.closed).isTrue();
        }
    }

    /** A backend that counts how often each network (by name) is bound. */
    private static final class CountingBackend extends ForwardingBackend {
        private final Map<String, Integer> loads = new HashMap<>();

        CountingBackend(Backend delegate) {
            super(delegate);
        }

        int loads(String network) {
            return loads.getOrDefault(network, 0);
        }

        @Override
        protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
            loads.merge(network.name(), 1, Integer::sum);
            return loaded;
        }
    }
}
