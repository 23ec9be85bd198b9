package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.ProgressListener;
import io.github.wananimate.api.ReplacementRequest;
import io.github.wananimate.api.WanAnimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code wan-animate replace}: the character replaces the person in the driving video, keeping its background. */
@Command(name = "replace", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Replaces the person in the driving video with the reference character (needs the mask and "
                + "background signals: src_mask.mp4, src_bg.mp4).",
                "",
                "With no arguments it runs on the demo weights and the bundled sample, whose mask is the person's "
                        + "box:",
                "  wan-animate replace --preview preview.png",
                "  wan-animate replace --model-dir Wan2.2-Animate-14B -i preprocessed/ --relight --device cuda",
                ""})
final class ReplaceCommand extends GenerateCommand {

    @Option(names = "--relight", description = "merge the Relighting LoRA (relighting_lora.ckpt) into the DiT")
    boolean relight;

    @Option(names = "--relight-strength", defaultValue = "1.0", description = "LoRA strength (default "
            + "${DEFAULT-VALUE})")
    double relightStrength;

    @Option(names = "--relight-alpha", paramLabel = "<alpha>", description = "LoRA alpha, for a LoRA file that does "
            + "not carry the one it was trained with (default: the file's, else its rank)")
    Double relightAlpha;

    @Override
    Double loraAlpha() {
        return relightAlpha;
    }

    @Override
    boolean replacement() {
        return true;
    }

    @Override
    GenerationResult generate(WanAnimate model, GenerationRequest request, FrameSink sink, ProgressListener listener,
            CancellationToken token) {
        return model.replace((ReplacementRequest) request, sink, listener, token);
    }

    @Override
    GenerationRequest request(MotionSignals signals, int clipLength, int steps, double outputFps) {
        if (relightAlpha != null && !(Double.isFinite(relightAlpha) && relightAlpha > 0)) {
            throw new ParameterException(spec.commandLine(), "--relight-alpha must be a finite number > 0, got "
                    + relightAlpha);
        }
        return ReplacementRequest.builder(signals).relightingLora(relight).relightingLoraStrength(relightStrength)
                .clipLength(clipLength).continuationFrames(refert).steps(steps).shift(shift).guideScale(guideScale)
                .solver(solver).prompt(prompt).negativePrompt(negativePrompt).seed(seed).outputFps(outputFps)
                .build();
    }
}
