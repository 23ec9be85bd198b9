package io.github.wananimate.preprocess.mask;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.Tensor;
import io.github.wananimate.onnx.OnnxGraphRecorder;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.WholeBody;
import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sam2MaskTest {

    @TempDir
    Path dir;

    private static OnnxGraphRecorder recorder() {
        return new OnnxGraphRecorder(k -> {
            throw new IllegalArgumentException(k);
        }, new OnnxGraphRecorder.Options(false, 1L << 30));
    }

    /** Average-pools channel 0 of [1,3,1024,1024] by {@code f} and repeats it to {@code channels}. */
    private static Tensor pooled(OnnxGraphRecorder g, Tensor x, int f, int channels) {
        int n = 1024 / f;
        Tensor c0 = g.reshape(g.slice(x, 1, 0, 1), 1, 1, n, f, n, f);
        Tensor m = g.mean(g.mean(c0, 5, false), 3, false);
        return g.broadcastTo(m, 1, channels, n, n);
    }

    /**
     * Stand-in SAM2 pair with the usual export's names and shapes: the decoder's mask logits are channel 0 of the
     * 4×-pooled image minus the normalised value of 50 % brightness, so bright red regions become the mask; the
     * prompts are wired in with weight 0.
     */
    private void writeStandIns(Path encoder, Path decoder) throws IOException {
        OnnxGraphRecorder e = recorder();
        Tensor image = e.input("image", new long[] {1, 3, 1024, 1024});
        e.output("high_res_feats_0", pooled(e, image, 4, 32));
        e.output("high_res_feats_1", pooled(e, image, 8, 64));
        e.output("image_embed", pooled(e, image, 16, 256));
        Files.write(encoder, e.finish("sam2_encoder_stand_in").model());

        OnnxGraphRecorder d = recorder();
        d.input("image_embed", new long[] {1, 256, 64, 64});
        Tensor hr0 = d.input("high_res_feats_0", new long[] {1, 32, 256, 256});
        d.input("high_res_feats_1", new long[] {1, 64, 128, 128});
        Tensor coords = d.input("point_coords", new long[] {1, 8, 2});
        d.input("point_labels", new long[] {1, 8});
        d.input("mask_input", new long[] {1, 1, 256, 256});
        d.input("has_mask_input", new long[] {1});
        Tensor prompt = d.mul(d.sum(d.sum(coords, 2, true), 1, true), 0.0);       // [1,1,1]
        Tensor logits = d.add(d.add(d.slice(hr0, 1, 0, 1), -(0.5 - 0.485) / 0.229), d.reshape(prompt, 1, 1, 1, 1));
        d.output("masks", logits);
        d.output("iou_predictions", d.constant(HostTensor.ofFloats(new long[] {1, 1}, new float[] {0.9f})));
        Files.write(decoder, d.finish("sam2_decoder_stand_in").model());
    }

    @Test
    void segmentsWithTheDecoderAndScalesTheMaskToTheFrame() throws IOException {
        Path enc = dir.resolve("sam2_encoder.onnx");
        Path dec = dir.resolve("sam2_decoder.onnx");
        writeStandIns(enc, dec);
        RgbImage frame = RgbImage.black(640, 360);
        for (int y = 60; y < 300; y++) {
            for (int x = 200; x < 360; x++) {
                frame.set(x, y, 255, 0, 0);
            }
        }
        float[] v = new float[WholeBody.POINTS * 3];
        v[0] = 280;
        v[1] = 80;
        PoseMeta meta = PoseMeta.of(new WholeBody(v), 640, 360, null);
        try (Sam2Mask sam = new Sam2Mask(enc, dec, 1)) {
            BinaryMask m = sam.segment(frame, meta);
            assertThat(m.width()).isEqualTo(640);
            assertThat(m.get(280, 180)).isTrue();
            assertThat(m.get(100, 180)).isFalse();
            int[] b = m.bounds();
            assertThat(b[0]).isBetween(196, 204);
            assertThat(b[2]).isBetween(355, 363);
            assertThat(b[1]).isBetween(56, 64);
            assertThat(b[3]).isBetween(295, 303);
        }
    }

    @Test
    void promptsAreTheOriginalsEightBodyPointsWithoutScoreFilter() {
        float[] v = new float[WholeBody.POINTS * 3];
        v[0] = 100;   // nose
        v[1] = 50;
        v[5 * 3] = 80;  // left shoulder (AA 5), score 0: still a prompt
        v[5 * 3 + 1] = 90;
        v[16 * 3] = 130; // right ankle (AA 10)
        v[16 * 3 + 1] = 300;
        PoseMeta meta = PoseMeta.of(new WholeBody(v), 200, 400, null);
        int[][] pts = Sam2Mask.promptPoints(meta, 200, 400);
        assertThat(pts).hasNumberOfRows(8);
        assertThat(pts[0]).containsExactly(100, 50);
        // int32(float32(y/H)·H) truncates: 90/400 and 130/200 are not exact in float32, as in the original
        assertThat(pts[3]).containsExactly(80, 89);
        assertThat(pts[6]).containsExactly(129, 300);
    }
}
