package io.github.wananimate.preprocess.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.image.Frames;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.AaLayout;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.WholeBody;
import io.github.wananimate.video.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The driving sample bundled with this module (resources next to this class, see the README there): 13 hand-placed
 * body poses, face crops and driving frames from the official example video, and the example character image —
 * ready-made {@link MotionSignals} to try the SDK without a video or a pose model. The pose is rendered at the
 * requested generation size, the 128×128 face crops are upscaled to 512×512.
 *
 * <pre>{@code
 * MotionSignals signals = DemoSample.load().signals();          // 13 frames at 112×64, 3.75 fps
 * }</pre>
 *
 * @param signals pose, face and reference as the pipeline takes them
 * @param driving the driving frames (224×126), for the preview sheet
 * @param personBoxes per frame, the box {x0, y0, x1, y1} (generation pixels, exclusive end) around the visible
 *     keypoints, grown by a margin: the demo's replacement mask (a dilated bounding box, as the original's default
 *     {@code w_len = h_len = 1})
 */
public record DemoSample(MotionSignals signals, List<Frame> driving, List<int[]> personBoxes) {

    /** The demo's generation size: 16:9-ish and a multiple of 16, small enough for seconds per clip on a CPU. */
    public static final int WIDTH = 112;
    public static final int HEIGHT = 64;

    /** The sample at the demo size {@link #WIDTH}×{@link #HEIGHT}. */
    public static DemoSample load() {
        return load(WIDTH, HEIGHT);
    }

    /** The sample with pose frames rendered at {@code width}×{@code height} (the generation size). */
    public static DemoSample load(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("demo sample size must be positive, got " + width + "x" + height);
        }
        JsonObject doc = poseDocument();
        int sourceWidth = doc.get("source_width").getAsInt();
        int sourceHeight = doc.get("source_height").getAsInt();
        double fps = doc.get("source_fps").getAsDouble() / doc.get("frame_step").getAsInt();
        JsonArray frames = doc.getAsJsonArray("frames");
        List<Frame> pose = new ArrayList<>();
        List<Frame> face = new ArrayList<>();
        List<Frame> driving = new ArrayList<>();
        List<int[]> boxes = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            JsonArray body = frames.get(i).getAsJsonObject().getAsJsonArray("body");
            double[][] keypoints = new double[body.size()][];
            for (int k = 0; k < body.size(); k++) {
                JsonArray p = body.get(k).getAsJsonArray();
                keypoints[k] = new double[] {p.get(0).getAsDouble(), p.get(1).getAsDouble(), p.get(2).getAsDouble()};
            }
            pose.add(PoseSkeleton.render(keypoints, sourceWidth, sourceHeight, width, height));
            boxes.add(personBox(keypoints, (double) width / sourceWidth, (double) height / sourceHeight, width,
                    height));
            String name = String.format(Locale.ROOT, "%02d.jpg", i);
            face.add(Frames.toFrame(OpenCv.resize(image("face/" + name), MotionSignals.FACE_SIZE,
                    MotionSignals.FACE_SIZE, Interpolation.LINEAR)));
            driving.add(drivingFrame(i));
        }
        MotionSignals signals = MotionSignals.builder().pose(pose).face(face)
                .reference(Frames.toFrame(image("reference.jpg"))).fps(fps).build();
        return new DemoSample(signals, List.copyOf(driving), List.copyOf(boxes));
    }

    /**
     * The hand-placed body keypoints of demo frame {@code index} as the preprocessing's pose meta: the demo's
     * OpenPose body-18 order is the AA body's first 18 points (PIPELINE.md §3.7); toes, hands and face are absent
     * (score 0). Coordinates are normalised by the source video size (1920×1080).
     */
    public static PoseMeta poseMeta(int index) {
        JsonObject doc = poseDocument();
        int sourceWidth = doc.get("source_width").getAsInt();
        int sourceHeight = doc.get("source_height").getAsInt();
        JsonArray frames = doc.getAsJsonArray("frames");
        if (index < 0 || index >= frames.size()) {
            throw new IllegalArgumentException("the demo sample has frames 0.." + (frames.size() - 1) + ", not "
                    + index);
        }
        JsonArray points = frames.get(index).getAsJsonObject().getAsJsonArray("body");
        float[] body = new float[AaLayout.BODY_POINTS * 3];
        for (int k = 0; k < points.size(); k++) {
            JsonArray p = points.get(k).getAsJsonArray();
            body[k * 3] = (float) (p.get(0).getAsDouble() / sourceWidth);
            body[k * 3 + 1] = (float) (p.get(1).getAsDouble() / sourceHeight);
            body[k * 3 + 2] = (float) p.get(2).getAsDouble();
        }
        return new PoseMeta(sourceWidth, sourceHeight, body, new float[WholeBody.HAND_POINTS * 3],
                new float[WholeBody.HAND_POINTS * 3], new float[AaLayout.FACE_ROWS * 3]);
    }

    /** Driving frame {@code index} (224×126), as bundled. */
    public static Frame drivingFrame(int index) {
        return Frames.toFrame(image(String.format(Locale.ROOT, "driving/%02d.jpg", index)));
    }

    /** The number of frames in the demo sample. */
    public static int frameCount() {
        return poseDocument().getAsJsonArray("frames").size();
    }

    /**
     * The sample with replacement signals: the mask is the person box (white), the background the driving frame
     * at the generation size with the box painted black (PIPELINE.md §3.12).
     */
    public MotionSignals replacementSignals() {
        int width = signals.width();
        int height = signals.height();
        List<Frame> masks = new ArrayList<>();
        List<Frame> backgrounds = new ArrayList<>();
        for (int i = 0; i < driving.size(); i++) {
            int[] box = personBoxes.get(i);
            byte[] mask = new byte[3 * width * height];
            byte[] background = OpenCv.resize(Frames.toImage(driving.get(i)), width, height, Interpolation.LINEAR)
                    .pixels().clone();
            for (int y = box[1]; y < box[3]; y++) {
                for (int x = box[0]; x < box[2]; x++) {
                    int o = 3 * (y * width + x);
                    for (int c = 0; c < 3; c++) {
                        mask[o + c] = (byte) 255;
                        background[o + c] = 0;
                    }
                }
            }
            masks.add(Frame.ofRgb(width, height, mask));
            backgrounds.add(Frame.ofRgb(width, height, background));
        }
        return MotionSignals.builder().pose(signals.pose()).face(signals.face()).reference(signals.reference())
                .fps(signals.fps()).mask(masks).background(backgrounds).build();
    }

    /** Bounding box of the visible keypoints, scaled, grown by 12% of the height on every side, clipped. */
    private static int[] personBox(double[][] keypoints, double sx, double sy, int width, int height) {
        double x0 = Double.MAX_VALUE;
        double y0 = Double.MAX_VALUE;
        double x1 = -Double.MAX_VALUE;
        double y1 = -Double.MAX_VALUE;
        for (double[] p : keypoints) {
            if (p[2] > 0) {
                x0 = Math.min(x0, p[0] * sx);
                y0 = Math.min(y0, p[1] * sy);
                x1 = Math.max(x1, p[0] * sx);
                y1 = Math.max(y1, p[1] * sy);
            }
        }
        double margin = 0.12 * height;
        // the keypoints stop at the shoulders and wrists; the body continues down to the frame's bottom edge
        return new int[] {clamp(x0 - margin, width), clamp(y0 - margin, height), clamp(x1 + margin, width), height};
    }

    private static int clamp(double v, int limit) {
        return (int) Math.max(0, Math.min(limit, Math.round(v)));
    }

    private static JsonObject poseDocument() {
        try (Reader reader = new InputStreamReader(resource("pose.json"), StandardCharsets.UTF_8)) {
            JsonElement json = JsonParser.parseReader(reader);
            return json.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo sample's pose.json: " + e.getMessage(), e);
        }
    }

    private static RgbImage image(String name) {
        try (InputStream in = resource(name)) {
            return ImageFiles.decode(in.readAllBytes(), "demo sample " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo sample's " + name + ": " + e.getMessage(), e);
        }
    }

    /** A file of the sample, next to this class in the jar. */
    private static InputStream resource(String name) {
        InputStream in = DemoSample.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the demo sample's " + name + " is missing from the jar");
        }
        return in;
    }
}
