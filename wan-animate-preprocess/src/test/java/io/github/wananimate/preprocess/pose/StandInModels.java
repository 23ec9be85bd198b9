package io.github.wananimate.preprocess.pose;

import io.github.wananimate.nn.Tensor;
import io.github.wananimate.onnx.OnnxGraphRecorder;
import io.github.wananimate.onnx.RecordedGraph;
import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stand-ins for the official detector and pose model (which cannot be downloaded here), with their input/output
 * names and shapes, built as real ONNX files with the project's graph recorder. Their outputs are deterministic
 * functions of the input, so the Java pre- and post-processing is checked end to end:
 *
 * <ul>
 * <li>detector {@code images [1,3,640,640] → output0 [1,300,6]}: row 0 is the box of the bright part (> 0.5) of
 * input channel 0, row 1 of channel 1 — centre ± √3·σ of the brightness mass, which is exactly the rectangle for
 * a uniform rectangle — with scores 0.9 and 0.8 (0 when the channel is dark), class 0; then fixed rows: a
 * non-person (class 2, score 0.95), a person below the score threshold, a tiny person, and zero rows.</li>
 * <li>pose model {@code input [1,3,256,192] → output [1,133,64,48]}: heatmap k is a 5×5 box average (stride 4,
 * pad 2) of input channel k mod 3, plus 2.2 — so keypoint k lands on the brightest blob of that channel.</li>
 * </ul>
 */
public final class StandInModels {

    /** The fixed detector rows after the two input-dependent ones, in 640-space. */
    static final float[][] FIXED_ROWS = {
        {10, 10, 600, 600, 0.95f, 2},     // not a person
        {0, 0, 640, 640, 0.04f, 0},       // below the score threshold
        {600, 600, 610, 615, 0.3f, 0},    // a tiny person: detected, never selected next to a large one
    };

    private StandInModels() {
    }

    public static Path writeDetector(Path file) throws IOException {
        OnnxGraphRecorder g = recorder();
        Tensor x = g.input("images", new long[] {1, 3, 640, 640});
        Tensor row0 = blobRow(g, g.slice(x, 1, 0, 1), 0.9);
        Tensor row1 = blobRow(g, g.slice(x, 1, 1, 2), 0.8);
        float[] fixed = new float[298 * 6];
        for (int r = 0; r < FIXED_ROWS.length; r++) {
            System.arraycopy(FIXED_ROWS[r], 0, fixed, r * 6, 6);
        }
        Tensor rest = g.constant(HostTensor.ofFloats(new long[] {1, 298, 6}, fixed));
        g.output("output0", g.concat(1, row0, row1, rest));
        return write(g.finish("yolov10m_stand_in"), file);
    }

    /** (x1, y1, x2, y2, score, 0) of the pixels brighter than half in a [1,1,640,640] channel. */
    private static Tensor blobRow(OnnxGraphRecorder g, Tensor channel, double score) {
        Tensor m = g.clamp(g.add(channel, -0.5), 0, 1);
        Tensor cols = g.sum(m, 2, false);                    // [1,1,640] mass per column
        Tensor rows = g.sum(m, 3, false);                    // [1,1,640] mass per row
        Tensor total = g.add(g.sum(cols, 2, true), 1e-6);    // [1,1,1]
        float[] pos = new float[640];
        float[] pos2 = new float[640];
        for (int i = 0; i < 640; i++) {
            pos[i] = i + 0.5f;
            pos2[i] = (i + 0.5f) * (i + 0.5f);
        }
        Tensor p = g.constant(HostTensor.ofFloats(new long[] {640, 1}, pos));
        Tensor p2 = g.constant(HostTensor.ofFloats(new long[] {640, 1}, pos2));
        Tensor[] lo = new Tensor[2];
        Tensor[] hi = new Tensor[2];
        Tensor[] profiles = {cols, rows};
        for (int a = 0; a < 2; a++) {
            Tensor mean = g.div(g.matmul(profiles[a], p), total);
            Tensor second = g.div(g.matmul(profiles[a], p2), total);
            Tensor sd = g.sqrt(g.maximum(g.sub(second, g.mul(mean, mean)), 1e-6));
            Tensor half = g.mul(sd, Math.sqrt(3));
            lo[a] = g.sub(mean, half);
            hi[a] = g.add(mean, half);
        }
        Tensor s = g.mul(g.clamp(g.add(total, -1e-6), 0, 1), score);
        Tensor cls = g.mul(s, 0.0);
        return g.concat(2, lo[0], lo[1], hi[0], hi[1], s, cls);
    }

    public static Path writePoseModel(Path file) throws IOException {
        OnnxGraphRecorder g = recorder();
        Tensor x = g.input("input", new long[] {1, 3, 256, 192});
        float[] w = new float[133 * 3 * 25];
        for (int k = 0; k < 133; k++) {
            int c = k % 3;
            for (int i = 0; i < 25; i++) {
                w[(k * 3 + c) * 25 + i] = 1 / 25f;
            }
        }
        float[] bias = new float[133];
        java.util.Arrays.fill(bias, 2.2f);
        Tensor weight = g.constant(HostTensor.ofFloats(new long[] {133, 3, 5, 5}, w));
        Tensor b = g.constant(HostTensor.ofFloats(new long[] {133}, bias));
        Tensor y = g.conv(x, weight, b, new int[] {4, 4}, new int[] {2, 2}, new int[] {2, 2}, 1);
        g.output("output", y);
        return write(g.finish("vitpose_stand_in"), file);
    }

    private static OnnxGraphRecorder recorder() {
        return new OnnxGraphRecorder(key -> {
            throw new IllegalArgumentException("stand-in models have no parameters: " + key);
        }, new OnnxGraphRecorder.Options(false, 1L << 30));
    }

    private static Path write(RecordedGraph graph, Path file) throws IOException {
        if (!graph.boundConstants().isEmpty() || !graph.parameters().isEmpty()) {
            throw new IllegalStateException("stand-in model must be self-contained");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, graph.model());
    }
}
