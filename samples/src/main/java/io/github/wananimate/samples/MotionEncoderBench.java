package io.github.wananimate.samples;

import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.Map;

/** {@code bench --network motion_encoder}: the motion-encoder forward of {@code faces} procedural 512×512 faces. */
final class MotionEncoderBench {

    private final BenchReport report;
    private final int faces;

    MotionEncoderBench(BenchReport report, int faces) {
        this.report = report;
        this.faces = faces;
    }

    void run(Backend backend) {
        boolean reset = PeakMemory.reset();
        HostTensor pixels = Procedural.tensor("bench.faces", 0, faces, 3, MotionEncoder.SIZE, MotionEncoder.SIZE);
        double[] ms = report.timeForward(backend, new MotionEncoder("motion_encoder."),
                Map.of(MotionEncoder.INPUT_FACES, pixels));
        report.rowWithPeak("motion_encoder forward, " + faces + " faces", BenchReport.where(backend), ms, reset);
    }
}
