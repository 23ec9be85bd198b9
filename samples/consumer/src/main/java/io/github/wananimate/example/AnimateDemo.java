package io.github.wananimate.example;

import io.github.wananimate.api.AnimationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.preprocess.demo.DemoSample;
import io.github.wananimate.preprocess.video.Mp4FrameSink;
import io.github.wananimate.procedural.ProceduralModel;
import java.nio.file.Path;

/**
 * Animates the SDK's bundled demo sample into an mp4, as a user's application would: signals from
 * {@link DemoSample}, the model from {@link ProceduralModel#tiny} (the real network structure with generated weights,
 * since the 14B weights are 70 GB; with them, {@code WanAnimate.builder().modelFolder(path)} replaces the four model
 * lines), the backend chosen by the SDK (the fastest available for the device), frames streamed to
 * {@link Mp4FrameSink}.
 *
 * <p>Usage: {@code AnimateDemo [output.mp4] [steps]}.
 */
public final class AnimateDemo {

    private AnimateDemo() {
    }

    public static void main(String[] args) {
        Path output = Path.of(args.length > 0 ? args[0] : "demo.mp4");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        GenerationResult result = run(output, steps);
        System.out.printf("Wrote %s: %d frames of %dx%d at %.2f fps%n", output, result.frameCount(), result.width(),
                result.height(), result.fps());
    }

    /** Generates the demo animation into {@code output} with {@code steps} denoising steps. */
    public static GenerationResult run(Path output, int steps) {
        MotionSignals signals = DemoSample.load().signals();
        AnimationRequest request = AnimationRequest.builder(signals).steps(steps).clipLength(9).seed(42).build();
        ProceduralModel model = ProceduralModel.tiny(0);
        try (WanAnimate wan = WanAnimate.builder()
                .dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights())
                .clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder())
                .device("cpu")
                .build();
             Mp4FrameSink sink = new Mp4FrameSink(output, signals.width(), signals.height(), request.outputFps())) {
            return wan.animate(request, sink);
        }
    }
}
