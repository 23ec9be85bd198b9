package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.RgbImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The person detector {@code det/yolov10m.onnx} with the original's pre- and post-processing (PIPELINE.md §3.5):
 * the whole image stretched to 640×640 (INTER_LINEAR), /255, CHW; rows (x1, y1, x2, y2, score, class) kept at
 * score ≥ 0.05, scaled back and truncated to int32 as (x, y, w, h), OpenCV-style NMS at IoU 0.5. A YOLOv8-style
 * [1, 84, N] output is decoded too. The image given is the RGB frame: the original's two channel swaps cancel
 * for this model (§3.4).
 */
public final class PersonDetector implements AutoCloseable {

    public static final int INPUT_SIZE = 640;
    public static final float SCORE_THRESHOLD = 0.05f;
    public static final float IOU_THRESHOLD = 0.5f;
    /** A candidate whose longer side is below this fraction of the largest is skipped (§3.5 step 3). */
    public static final double SHAPE_RATIO = 0.4;

    private final OnnxModel model;

    public PersonDetector(Path onnxFile, int threads) {
        this.model = new OnnxModel(onnxFile, threads);
    }

    /** All boxes after NMS, in NMS order (descending score). */
    public List<Detection> detect(RgbImage rgb) {
        float[] input = preprocess(rgb);
        OnnxModel.Output out = model.run(input, new long[] {1, 3, INPUT_SIZE, INPUT_SIZE});
        return decode(out.values(), out.shape(), rgb.width(), rgb.height());
    }

    /** 640×640 INTER_LINEAR, /255.0 in float64 then float32, CHW. */
    static float[] preprocess(RgbImage rgb) {
        RgbImage resized = OpenCv.resize(rgb, INPUT_SIZE, INPUT_SIZE, Interpolation.LINEAR);
        byte[] px = resized.pixels();
        int plane = INPUT_SIZE * INPUT_SIZE;
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + i] = (float) ((px[i * 3 + c] & 0xFF) / 255.0);
            }
        }
        return chw;
    }

    /** Decodes the raw output for an image of {@code width × height}. */
    static List<Detection> decode(float[] values, long[] shape, int width, int height) {
        double xFactor = width / (double) INPUT_SIZE;
        double yFactor = height / (double) INPUT_SIZE;
        List<int[]> boxes = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        if (shape[shape.length - 1] == 6) {
            int rows = values.length / 6;
            for (int r = 0; r < rows; r++) {
                float score = values[r * 6 + 4];
                if (!(score >= SCORE_THRESHOLD)) {
                    continue;
                }
                // numpy: float32 boxes *= python float (stays float32), w = x2 − x1 in float32, astype(int32)
                float x1 = (float) (values[r * 6] * xFactor);
                float y1 = (float) (values[r * 6 + 1] * yFactor);
                float x2 = (float) (values[r * 6 + 2] * xFactor);
                float y2 = (float) (values[r * 6 + 3] * yFactor);
                boxes.add(new int[] {(int) x1, (int) y1, (int) (x2 - x1), (int) (y2 - y1)});
                scores.add(score);
                classes.add((int) values[r * 6 + 5]);
            }
        } else if (shape.length == 3 && shape[1] == 84) {
            int n = (int) shape[2];
            for (int i = 0; i < n; i++) {
                float best = Float.NEGATIVE_INFINITY;
                int cls = 0;
                for (int c = 0; c < 80; c++) {
                    float s = values[(4 + c) * n + i];
                    if (s > best) {
                        best = s;
                        cls = c;
                    }
                }
                if (!(best >= SCORE_THRESHOLD)) {
                    continue;
                }
                float x = values[i];
                float y = values[n + i];
                float w = values[2 * n + i];
                float h = values[3 * n + i];
                boxes.add(new int[] {(int) (float) ((x - w / 2) * xFactor), (int) (float) ((y - h / 2) * yFactor),
                    (int) (float) (w * xFactor), (int) (float) (h * yFactor)});
                scores.add(best);
                classes.add(cls);
            }
        } else {
            throw new IllegalArgumentException("detector output " + java.util.Arrays.toString(shape)
                    + " is neither [1, N, 6] nor [1, 84, N]");
        }
        List<Detection> result = new ArrayList<>();
        for (int i : nmsBoxes(boxes, scores, SCORE_THRESHOLD, IOU_THRESHOLD)) {
            int[] b = boxes.get(i);
            result.add(new Detection(b[0], b[1], b[0] + b[2], b[1] + b[3], scores.get(i), classes.get(i)));
        }
        return result;
    }

    /**
     * {@code cv2.dnn.NMSBoxes} on integer (x, y, w, h) boxes: scores strictly above the threshold, stable sort by
     * descending score, keep a box if its IoU with every kept box is ≤ the threshold (areas w·h, like cv::Rect).
     */
    static List<Integer> nmsBoxes(List<int[]> boxes, List<Float> scores, float scoreThreshold, float iouThreshold) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            if (scores.get(i) > scoreThreshold) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparing((Integer i) -> scores.get(i)).reversed());
        List<Integer> kept = new ArrayList<>();
        for (int i : order) {
            int[] a = boxes.get(i);
            boolean keep = true;
            for (int k : kept) {
                int[] b = boxes.get(k);
                if (rectOverlap(a, b) > iouThreshold) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static double rectOverlap(int[] a, int[] b) {
        int x1 = Math.max(a[0], b[0]);
        int y1 = Math.max(a[1], b[1]);
        int x2 = Math.min(a[0] + a[2], b[0] + b[2]);
        int y2 = Math.min(a[1] + a[3], b[1] + b[3]);
        long inter = x2 > x1 && y2 > y1 ? (long) (x2 - x1) * (y2 - y1) : 0;
        long union = (long) a[2] * a[3] + (long) b[2] * b[3] - inter;
        return union <= 0 ? 0 : (double) inter / union;
    }

    /** Person boxes (class 0, score > 0.05) in NMS order. */
    public static List<Detection> persons(List<Detection> detections) {
        return detections.stream().filter(d -> d.classId() == 0 && d.score() > SCORE_THRESHOLD).toList();
    }

    /**
     * The original's choice (§3.5 step 3): walking the persons in NMS order, the largest area wins, skipping a box
     * whose longer side is below 0.4 × the current reference side. Null when there is no person.
     */
    public static Detection selectLargest(List<Detection> detections) {
        List<Detection> persons = persons(detections);
        double maxShape = -1;
        for (Detection d : persons) {
            maxShape = Math.max(maxShape, Math.max(d.width(), d.height()));
        }
        Detection best = null;
        double bestSize = Double.NEGATIVE_INFINITY;
        for (Detection d : persons) {
            double size = (double) d.width() * d.height();
            double shape = Math.max(d.width(), d.height());
            if (size > bestSize) {
                if (shape < maxShape * SHAPE_RATIO) {
                    continue;
                }
                bestSize = size;
                maxShape = shape;
                best = d;
            }
        }
        return best;
    }

    @Override
    public void close() {
        model.close();
    }
}
