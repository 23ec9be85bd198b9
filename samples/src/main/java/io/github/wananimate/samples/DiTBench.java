package io.github.wananimate.samples;

import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bench --network dit}: the whole {@link WanAnimateDiT} forward (face path included) in {@link #CONFIG} on
 * procedural weights, on a latent of {@code frames} frames (reference included) of {@code size}², so
 * {@code 4(frames−1)−3} face frames and {@code frames·(size/2)²} tokens.
 */
final class DiTBench {

    /** The documented bench configuration of the DiT: larger than the tiny fixture, seconds per forward on a laptop. */
    static final DiTConfig CONFIG = new DiTConfig(256, 1024, 256, 256, 64, 4, 10, 1e-6);

    private final BenchReport report;
    private final int frames;
    private final int size;

    DiTBench(BenchReport report, int frames, int size) {
        this.report = report;
        this.frames = frames;
        this.size = size;
    }

    void run(Backend backend) {
        boolean reset = PeakMemory.reset();
        int faceFrames = 4 * (frames - 1) - 3;
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        inputs.put(WanAnimateDiT.X, Procedural.tensor("bench.x", 0, 16, frames, size, size));
        inputs.put(WanAnimateDiT.Y, Procedural.tensor("bench.y", 0, 20, frames, size, size));
        inputs.put(WanAnimateDiT.TIMESTEP_SINUSOID, WanAnimateDiT.timestepSinusoid(937, CONFIG.freqDim()));
        inputs.put(WanAnimateDiT.CONTEXT, Procedural.tensor("bench.context", 0, CONFIG.textLen() / 2, CONFIG.textDim()));
        inputs.put(WanAnimateDiT.CLIP_FEA,
                Procedural.tensor("bench.clip_fea", 0, 1, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM));
        inputs.put(WanAnimateDiT.POSE_LATENTS, Procedural.tensor("bench.pose", 0, 1, 16, frames - 1, size, size));
        inputs.put(WanAnimateDiT.FACE_PIXEL_VALUES, Procedural.tensor("bench.faces", 0, 1, 3, faceFrames,
                MotionEncoder.SIZE, MotionEncoder.SIZE));
        double[] ms = report.timeForward(backend, new WanAnimateDiT(CONFIG), inputs);
        report.rowWithPeak("dit forward, " + frames + "x" + size + "x" + size + " latent, "
                + frames * (size / 2) * (size / 2) + " tokens", BenchReport.where(backend), ms, reset);
    }
}
