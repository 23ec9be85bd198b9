package io.github.wananimate.samples;

import io.github.wananimate.api.AnimationRequest;
import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.ProgressListener;
import io.github.wananimate.api.WanAnimate;
import picocli.CommandLine.Command;

/** {@code wan-animate animate}: the character performs the driving motion, on the reference's background. */
@Command(name = "animate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Animates the reference character with the driving pose and face signals.",
                "",
                "With no arguments it runs the whole chain on built-in demo weights (generated at start-up, no "
                        + "download) and the bundled 13-frame sample, and writes demo.mp4:",
                "  wan-animate animate --preview preview.png",
                "With the real model and your own preprocessed input:",
                "  wan-animate animate --model-dir Wan2.2-Animate-14B -i preprocessed/ -o out.mp4 --device cuda",
                ""})
final class AnimateCommand extends GenerateCommand {

    @Override
    boolean replacement() {
        return false;
    }

    @Override
    GenerationResult generate(WanAnimate model, GenerationRequest request, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        return model.animate((AnimationRequest) request, sink, listener, token);
    }

    @Override
    GenerationRequest request(MotionSignals signals, int clipLength, int steps, double outputFps) {
        return AnimationRequest.builder(signals).clipLength(clipLength).continuationFrames(refert).steps(steps).shift(shift)
                .guideScale(guideScale).solver(solver).prompt(prompt).negativePrompt(negativePrompt)
                .seed(seed).outputFps(outputFps).build();
    }
}
