package io.github.wananimate.samples;

import io.github.wananimate.api.AnimationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --network pipeline}: peak memory of whole generations of growing length ({@code --pipeline-frames})
 * with the tiny procedural model ({@link ProceduralModel#tiny}): animation, clips of 9 frames (r = 1),
 * {@code --pipeline-steps} DPM++ steps. The driving frames are made on demand (as a video decoder hands them out)
 * and the output frames are discarded by the sink, so what is measured is the pipeline's own working set. Before
 * each run the kernel's peak-RSS counter is reset (Linux); the sink collects garbage after every frame so that the
 * figure is live memory rather than uncollected heap. A warm-up run of the first length comes first.
 */
final class PipelineBench {

    private final BenchReport report;
    private final List<Integer> frameCounts;
    private final int size;
    private final int steps;

    PipelineBench(BenchReport report, List<Integer> frameCounts, int size, int steps) {
        this.report = report;
        this.frameCounts = frameCounts;
        this.size = size;
        this.steps = steps;
    }

    void run(Backend backend) {
        if (size % 16 != 0 || steps < 1) {
            throw new IllegalArgumentException("--pipeline-size must be a multiple of 16 and --pipeline-steps >= 1");
        }
        PrintWriter out = report.out();
        ProceduralModel model = ProceduralModel.tiny(0);
        try (WanAnimate wan = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder()).backend(backend).build()) {
            generate(wan, frameCounts.get(0));
            long first = -1;
            for (int frames : frameCounts) {
                System.gc();
                PeakMemory.reset();
                long before = PeakMemory.residentKiB();
                long start = System.nanoTime();
                GenerationResult result = generate(wan, frames);
                double seconds = (System.nanoTime() - start) / 1e9;
                long peak = PeakMemory.peakKiB();
                if (first < 0) {
                    first = peak;
                }
                out.printf(Locale.ROOT, "  pipeline %s %d frames %dx%d (%d clips, %d steps): %.1f s, peak RSS %s MiB"
                        + " (%s MiB before the run)%s%n", backend.name(), frames, size, size,
                        result.clipCount(), steps, seconds, BenchReport.mib(peak), BenchReport.mib(before),
                        peak < 0 || first <= 0 ? "" : String.format(Locale.ROOT, ", %+.1f%% vs %d frames",
                                100.0 * (peak - first) / first, frameCounts.get(0)));
                out.flush();
            }
        }
    }

    private GenerationResult generate(WanAnimate wan, int frames) {
        MotionSignals signals = MotionSignals.builder()
                .pose(new ProceduralFrames("bench.pose", frames, size, size))
                .face(new ProceduralFrames("bench.face", frames, MotionSignals.FACE_SIZE, MotionSignals.FACE_SIZE))
                .reference(new ProceduralFrames("bench.reference", 1, size, size).get(0))
                .build();
        AnimationRequest request = AnimationRequest.builder(signals).clipLength(9).continuationFrames(1)
                .steps(steps).seed(0).build();
        return wan.animate(request, (index, frame) -> System.gc());
    }

    /** Frames made on demand from {@code u(name.i, k)}, none kept: a stand-in for a decoder reading a file. */
    private record ProceduralFrames(String name, int size, int width, int height) implements FrameSequence {
        @Override
        public Frame get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("frame " + index + " of a sequence of " + size);
            }
            byte[] rgb = new byte[3 * width * height];
            long key = Procedural.fnv1a64(name + "." + index);
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (int) ((Procedural.uniform(key, i) + 1) * 127.5);
            }
            return Frame.ofRgb(width, height, rgb);
        }
    }
}
