package io.github.wananimate.procedural;

import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.FaceEncoder;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Procedural inputs of one {@link WanAnimateDiT} forward, for benchmarks and tests at any configuration. */
public final class ProceduralDiTInputs {

    private ProceduralDiTInputs() {
    }

    /**
     * The inputs for a latent of {@code frames} frames (reference included) of {@code size}² latent pixels, so
     * {@code frames·(size/2)²} tokens and {@code 4(frames−1)−3} face frames, with half of text_len prompt tokens.
     *
     * @param config the configuration
     * @param frames the number of frames
     * @param size the size
     * @param facePixels give face pixels (the DiT runs its motion encoder) rather than precomputed motion codes
     *     (the pipeline's way)
     * @return the result
     */
    public static Map<String, HostTensor> of(DiTConfig config, int frames, int size, boolean facePixels) {
        int faceFrames = 4 * (frames - 1) - 3;
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        inputs.put(WanAnimateDiT.X, Procedural.tensor("bench.x", 0, 16, frames, size, size));
        inputs.put(WanAnimateDiT.Y, Procedural.tensor("bench.y", 0, 20, frames, size, size));
        inputs.put(WanAnimateDiT.TIMESTEP_SINUSOID, WanAnimateDiT.timestepSinusoid(937, config.freqDim()));
        inputs.put(WanAnimateDiT.CONTEXT, Procedural.tensor("bench.context", 0, config.textLen() / 2,
                config.textDim()));
        inputs.put(WanAnimateDiT.CLIP_FEA,
                Procedural.tensor("bench.clip_fea", 0, 1, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM));
        inputs.put(WanAnimateDiT.POSE_LATENTS, Procedural.tensor("bench.pose", 0, 1, 16, frames - 1, size, size));
        if (facePixels) {
            inputs.put(WanAnimateDiT.FACE_PIXEL_VALUES, Procedural.tensor("bench.faces", 0, 1, 3, faceFrames,
                    MotionEncoder.SIZE, MotionEncoder.SIZE));
        } else {
            inputs.put(WanAnimateDiT.FACE_MOTION, Procedural.tensor("bench.motion", 0, faceFrames,
                    FaceEncoder.MOTION_DIM));
        }
        return inputs;
    }
}
