package io.github.wananimate.preprocess.pose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseEstimator.ChannelOrder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionAndPoseTest {

    @TempDir
    static Path dir;
    static Path detectorFile;
    static Path poseFile;

    @BeforeAll
    static void buildModels() throws IOException {
        detectorFile = StandInModels.writeDetector(dir.resolve("det/yolov10m.onnx"));
        poseFile = StandInModels.writePoseModel(dir.resolve("pose2d/vitpose_h_wholebody.onnx"));
    }

    /** A black frame with filled rectangles in the given channel. */
    static RgbImage frame(int w, int h, int[]... rects) {
        RgbImage img = RgbImage.black(w, h);
        for (int[] r : rects) {
            for (int y = r[1]; y < r[3]; y++) {
                for (int x = r[0]; x < r[2]; x++) {
                    byte[] px = img.pixels();
                    px[(y * w + x) * 3 + r[4]] = (byte) 255;
                }
            }
        }
        return img;
    }

    @Test
    void decodingScalesTruncatesAndSuppresses() {
        // 1280x960 image: factors 2 and 1.5
        float[] out = new float[6 * 6];
        float[][] rows = {
            {100.7f, 50.9f, 300.2f, 400.6f, 0.9f, 0},   // → x 201.4, y 76.35, w 399, h 524.5 → int (201, 76, 399, 524)
            {102, 52, 301, 401, 0.7f, 0},                 // IoU with the first > 0.5 → suppressed
            {400, 100, 500, 300, 0.6f, 0},                // kept
            {400, 100, 500, 300, 0.05f, 0},               // ≥ 0.05 passes the first filter, not NMS's strict >
            {0, 0, 10, 10, 0.01f, 0},                     // below threshold
            {0, 0, 0, 0, 0, 0},
        };
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * 6, 6);
        }
        List<Detection> d = PersonDetector.decode(out, new long[] {1, 6, 6}, 1280, 960);
        assertThat(d).hasSize(2);
        assertThat(d.get(0)).isEqualTo(new Detection(201, 76, 201 + 399, 76 + 524, 0.9f, 0));
        assertThat(d.get(1).score()).isEqualTo(0.6f);
        assertThat(PersonDetector.selectLargest(d)).isEqualTo(d.get(0));
    }

    @Test
    void selectionSkipsBoxesMuchSmallerThanTheLargestSide() {
        List<Detection> d = new ArrayList<>();
        d.add(new Detection(0, 0, 30, 400, 0.9f, 0));    // tall and thin: area 12000, longer side 400
        d.add(new Detection(0, 0, 150, 150, 0.8f, 0));   // area 22500 but longer side 150 < 0.4·400
        d.add(new Detection(0, 0, 170, 170, 0.7f, 0));   // area 28900, side 170 ≥ 160
        d.add(new Detection(0, 0, 500, 500, 0.9f, 2));   // not a person
        assertThat(PersonDetector.selectLargest(d)).isEqualTo(d.get(2));
        assertThat(PersonDetector.selectLargest(List.of())).isNull();
    }

    @Test
    void standInDetectorSeesRgbAndBoxesComeBackInImagePixels() {
        try (PersonDetector detector = new PersonDetector(detectorFile, 1)) {
            // red person at x 320..480, y 120..600 of a 1280x720 frame; green person smaller
            RgbImage img = frame(1280, 720, new int[] {320, 120, 480, 600, 0}, new int[] {900, 300, 980, 500, 1});
            List<Detection> all = detector.detect(img);
            List<Detection> persons = PersonDetector.persons(all);
            assertThat(all).anyMatch(d -> d.classId() == 2);
            assertThat(persons).hasSize(3); // red, green, tiny
            Detection red = persons.get(0);
            assertThat(red.score()).isEqualTo(0.9f);
            assertThat(red.x1()).isCloseTo(320, within(3));
            assertThat(red.x2()).isCloseTo(480, within(3));
            assertThat(red.y1()).isCloseTo(120, within(3));
            assertThat(red.y2()).isCloseTo(600, within(3));
            assertThat(PersonDetector.selectLargest(all)).isEqualTo(red);
            // blue is not seen by rows 0/1: the detector input is RGB, not the swapped BGR
            RgbImage blueOnly = frame(1280, 720, new int[] {320, 120, 480, 600, 2});
            assertThat(PersonDetector.persons(detector.detect(blueOnly))).hasSize(1); // only the tiny fixed one
        }
    }

    @Test
    void cropGeometryFollowsTheOriginal() {
        PoseEstimator.Crop c = PoseEstimator.crop(200, 100, 360, 400, 0.9, 640, 480);
        assertThat(c.cx()).isEqualTo(280.0);
        assertThat(c.cy()).isEqualTo(250.0);
        assertThat(c.height()).isCloseTo(375.0, within(1e-9));   // 1.25 · max(160·4/3, 300)
        assertThat(c.width()).isCloseTo(281.25, within(1e-9));
        PoseEstimator.Crop full = PoseEstimator.crop(0, 0, 5, 5, 0.9, 640, 480);  // too small → whole image
        assertThat(full.cx()).isEqualTo(320.0);
        assertThat(PoseEstimator.crop(10, 10, 300, 300, -1, 640, 480).cx()).isEqualTo(320.0);
    }

    /** A Gaussian blob of σ pixels in one channel. */
    static RgbImage blob(int w, int h, int cx, int cy, double sigma, int channel) {
        RgbImage img = RgbImage.black(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 255 * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma));
                img.pixels()[(y * w + x) * 3 + channel] = (byte) Math.round(v);
            }
        }
        return img;
    }

    @Test
    void heatmapDecodingLandsOnTheBlobInTheChannelTheModelSees() {
        RgbImage img = blob(640, 480, 250, 200, 12, 0); // red blob
        try (PoseEstimator original = new PoseEstimator(poseFile, 1, ChannelOrder.ORIGINAL);
                PoseEstimator rgb = new PoseEstimator(poseFile, 1, ChannelOrder.RGB)) {
            WholeBody kp = original.estimate(img, 200, 100, 360, 400, 0.9);
            // the original feeds BGR: red is input channel 2, seen by keypoints k ≡ 2 (mod 3)
            for (int k = 2; k < 133; k += 3) {
                assertThat(kp.x(k)).as("x of %d", k).isCloseTo(250f, within(1.0f));
                assertThat(kp.y(k)).as("y of %d", k).isCloseTo(200f, within(1.0f));
                assertThat(kp.score(k)).isGreaterThan(2.2f);
            }
            // a flat heatmap: first maximum at (0, 0), no Taylor step: x = cx − Sw/2, y = cy − Sh/2
            assertThat(kp.x(0)).isEqualTo((float) (280 - 281.25 / 2));
            assertThat(kp.y(0)).isEqualTo((float) (250 - 375 / 2.0));
            WholeBody kpRgb = rgb.estimate(img, 200, 100, 360, 400, 0.9);
            assertThat(kpRgb.x(0)).isCloseTo(250f, within(1.0f));
            assertThat(kpRgb.x(2)).isEqualTo((float) (280 - 281.25 / 2));
        }
    }

    @Test
    void taylorStepRecoversASubPixelPeak() {
        int w = 48;
        int h = 64;
        float[] log = new float[w * h];
        double px = 20.3;
        double py = 30.6;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                log[y * w + x] = (float) (-((x - px) * (x - px) + (y - py) * (y - py)) / 8); // log of a Gaussian
            }
        }
        float[] r = HeatmapDecoder.taylor(log, h, w, 20, 31);
        assertThat((double) r[0]).isCloseTo(px, within(1e-4));
        assertThat((double) r[1]).isCloseTo(py, within(1e-4));
        assertThat(HeatmapDecoder.taylor(log, h, w, 1, 31)).containsExactly(1f, 31f); // too close to the border
    }

    @Test
    void trackingKeepsThePersonTheOfficialRuleWouldDrop() {
        try (PersonDetector det = new PersonDetector(detectorFile, 1);
                PoseEstimator est = new PoseEstimator(poseFile, 1, ChannelOrder.ORIGINAL)) {
            // the red person shrinks while the green one grows: the largest changes at frame 2
            int[][] red = {{100, 100, 300, 600}, {110, 120, 290, 560}, {130, 200, 250, 500}, {140, 250, 240, 480}};
            int[][] green = {{600, 200, 700, 400}, {600, 150, 730, 500}, {580, 100, 760, 600}, {570, 80, 780, 640}};
            PoseExtractor official = new PoseExtractor(det, est, SubjectSelection.official(), false);
            PoseExtractor tracked = new PoseExtractor(det, est, SubjectSelection.trackLargest(), true);
            PoseExtractor picked = new PoseExtractor(det, est, SubjectSelection.trackIndex(1), false);
            List<Float> officialX = new ArrayList<>();
            List<Float> trackedX = new ArrayList<>();
            List<Float> pickedX = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int[] r = red[t];
                int[] g = green[t];
                RgbImage img = frame(1280, 720, new int[] {r[0], r[1], r[2], r[3], 0},
                        new int[] {g[0], g[1], g[2], g[3], 1});
                officialX.add(official.next(img).subjectPerson().box()[0]);
                PoseFrame tf = tracked.next(img);
                trackedX.add(tf.subjectPerson().box()[0]);
                assertThat(tf.persons()).hasSize(3);             // subject + green + tiny
                assertThat(tf.persons().get(1).trackId()).isEqualTo(1); // the other person keeps its id
                pickedX.add(picked.next(img).subjectPerson().box()[0]);
            }
            assertThat(officialX.get(0)).isLessThan(400f);
            assertThat(officialX.get(3)).isGreaterThan(400f);      // switched to the green person
            assertThat(trackedX).allMatch(x -> x < 400f);           // stayed on the red person
            assertThat(pickedX).allMatch(x -> x > 400f);            // index 1 from the left = green
        }
    }
}
