package io.github.wananimate.samples;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.api.Frame;
import io.github.wananimate.api.MotionSignals;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The driving sample bundled under {@code /demo/} (see its README): 13 hand-placed body poses, face crops and
 * driving frames from the example video, and the example character image. The pose is rendered at the requested
 * generation size, the 128×128 face crops are upscaled to 512×512.
 *
 * @param signals pose, face and reference as the pipeline takes them
 * @param driving the driving frames (224×126), for the preview sheet
 */
record DemoSample(MotionSignals signals, List<Frame> driving) {

    /** The demo's generation size: 16:9-ish and a multiple of 16, small enough for seconds per clip on a CPU. */
    static final int WIDTH = 112;
    static final int HEIGHT = 64;

    static DemoSample load() {
        return load(WIDTH, HEIGHT);
    }

    static DemoSample load(int width, int height) {
        JsonObject doc = poseDocument();
        int sourceWidth = doc.get("source_width").getAsInt();
        int sourceHeight = doc.get("source_height").getAsInt();
        double fps = doc.get("source_fps").getAsDouble() / doc.get("frame_step").getAsInt();
        JsonArray frames = doc.getAsJsonArray("frames");
        List<Frame> pose = new ArrayList<>();
        List<Frame> face = new ArrayList<>();
        List<Frame> driving = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            JsonArray body = frames.get(i).getAsJsonObject().getAsJsonArray("body");
            double[][] keypoints = new double[body.size()][];
            for (int k = 0; k < body.size(); k++) {
                JsonArray p = body.get(k).getAsJsonArray();
                keypoints[k] = new double[] {p.get(0).getAsDouble(), p.get(1).getAsDouble(), p.get(2).getAsDouble()};
            }
            pose.add(Images.toFrame(PoseSkeleton.render(keypoints, sourceWidth, sourceHeight, width, height)));
            String name = String.format(Locale.ROOT, "%02d.jpg", i);
            face.add(Images.toFrame(Images.resize(Images.resource("/demo/face/" + name), MotionSignals.FACE_SIZE,
                    MotionSignals.FACE_SIZE)));
            driving.add(Images.toFrame(Images.resource("/demo/driving/" + name)));
        }
        MotionSignals signals = MotionSignals.builder().pose(pose).face(face)
                .reference(Images.toFrame(Images.resource("/demo/reference.jpg"))).fps(fps).build();
        return new DemoSample(signals, List.copyOf(driving));
    }

    private static JsonObject poseDocument() {
        try (InputStream in = DemoSample.class.getResourceAsStream("/demo/pose.json")) {
            if (in == null) {
                throw new InputFileException("resource missing from the jar: /demo/pose.json");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                JsonElement json = JsonParser.parseReader(reader);
                return json.getAsJsonObject();
            }
        } catch (IOException e) {
            throw new InputFileException("cannot read /demo/pose.json: " + e.getMessage(), e);
        }
    }
}
