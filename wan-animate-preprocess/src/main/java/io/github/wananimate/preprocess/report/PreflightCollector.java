package io.github.wananimate.preprocess.report;

import io.github.wananimate.preprocess.face.FaceBox;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.pose.AaLayout;
import io.github.wananimate.preprocess.pose.PoseFrame;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.Retargeting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Accumulates per-frame facts while preprocessing streams, then builds the {@link PreflightReport}. */
public final class PreflightCollector {

    /** The original's generation always saves at this rate. */
    static final double GENERATION_FPS = 30.0;

    private final List<Integer> pose = new ArrayList<>();
    private final List<Boolean> detected = new ArrayList<>();
    private final List<Boolean> face = new ArrayList<>();
    private final List<Double> mask = new ArrayList<>();
    private PoseMeta firstDriving;

    public void add(PoseFrame frame, PoseMeta meta, FaceBox faceBox, BinaryMask characterMask) {
        if (firstDriving == null) {
            firstDriving = meta;
        }
        boolean found = frame.subjectPerson() != null && frame.subjectPerson().detectionScore() > 0;
        detected.add(found);
        int visible = 0;
        for (int i = 0; i < AaLayout.BODY_POINTS; i++) {
            visible += meta.body()[i * 3 + 2] >= 0.5 ? 1 : 0;
        }
        pose.add(visible);
        double faceScore = 0;
        for (int r = 1; r < AaLayout.FACE_ROWS; r++) {
            faceScore += meta.face()[r * 3 + 2];
        }
        face.add(faceBox != null && !faceBox.isEmpty() && faceScore / (AaLayout.FACE_ROWS - 1) >= 0.5);
        if (characterMask != null) {
            mask.add(characterMask.coverage());
        }
    }

    /**
     * @param reference the reference pose (at its generation size), or null when it is not known
     */
    public PreflightReport build(double sourceFps, double fps, int drivingWidth, int drivingHeight,
            int generationWidth, int generationHeight, int referenceWidth, int referenceHeight, PoseMeta reference) {
        int n = pose.size();
        int[] poseArr = pose.stream().mapToInt(Integer::intValue).toArray();
        boolean[] det = new boolean[n];
        boolean[] faceArr = new boolean[n];
        for (int i = 0; i < n; i++) {
            det[i] = detected.get(i);
            faceArr[i] = face.get(i);
        }
        double[] maskArr = mask.stream().mapToDouble(Double::doubleValue).toArray();
        double spread = reference != null && firstDriving != null ? limbRatioSpread(firstDriving, reference)
                : Double.NaN;
        List<String> warnings = new ArrayList<>();
        PreflightReport probe = new PreflightReport(n, sourceFps, fps, drivingWidth, drivingHeight, generationWidth,
                generationHeight, referenceWidth, referenceHeight, poseArr, det, faceArr, maskArr, spread, List.of());
        if (n == 0) {
            warnings.add("no frames");
        }
        if (n > 0 && probe.poseCoverage() < 0.9) {
            warnings.add(String.format(Locale.ROOT, "pose found on only %.0f %% of frames; first bad frame %d",
                    100 * probe.poseCoverage(), firstBad(det, poseArr)));
        }
        if (n > 0 && probe.faceCoverage() < 0.9) {
            warnings.add(String.format(Locale.ROOT, "face landmarks unsure on %.0f %% of frames (face crops may be "
                    + "wrong or jitter)", 100 * (1 - probe.faceCoverage())));
        }
        for (int i = 0; i < maskArr.length; i++) {
            if (maskArr[i] == 0) {
                warnings.add("empty mask on frame " + i + " (the original crashes there)");
                break;
            }
        }
        if (maskArr.length > 0 && probe.meanMaskArea() > 0.6) {
            warnings.add(String.format(Locale.ROOT, "the mask covers %.0f %% of the frame on average: little "
                    + "background is kept", 100 * probe.meanMaskArea()));
        }
        double aspect = probe.aspectMismatch();
        if (aspect > 1.15 || aspect < 1 / 1.15) {
            warnings.add(String.format(Locale.ROOT, "reference aspect differs from the driver by %.2fx: it will be "
                    + "letterboxed with black bars", aspect >= 1 ? aspect : 1 / aspect));
        }
        if (spread > 1.5) {
            warnings.add(String.format(Locale.ROOT, "body proportions differ strongly (limb-ratio spread %.2f): "
                    + "consider retargeting, and check that both first poses are front-facing", spread));
        }
        if (Math.abs(fps - GENERATION_FPS) > 1e-6) {
            warnings.add(String.format(Locale.ROOT, "preprocessing at %.3f fps but the original generation saves at "
                    + "30 fps: the result plays %.2fx speed unless the output fps is set to %.3f", fps,
                    GENERATION_FPS / fps, fps));
        }
        return new PreflightReport(n, sourceFps, fps, drivingWidth, drivingHeight, generationWidth, generationHeight,
                referenceWidth, referenceHeight, poseArr, det, faceArr, maskArr, spread, List.copyOf(warnings));
    }

    private static int firstBad(boolean[] det, int[] pose) {
        for (int i = 0; i < det.length; i++) {
            if (!det[i] || pose[i] < 10) {
                return i;
            }
        }
        return -1;
    }

    /** max/min over shoulders, upper arms, forearms, torso sides, thighs and calves of ρ_l / mean ρ. */
    static double limbRatioSpread(PoseMeta driving, PoseMeta reference) {
        double[] ratios = new Retargeting(driving, reference).limbRatios();
        double[] main = Arrays.stream(new int[] {0, 2, 3, 6, 7, 8}).mapToDouble(i -> ratios[i]).toArray();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double r : main) {
            if (!Double.isFinite(r) || r <= 0) {
                return Double.NaN;
            }
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return max / min;
    }
}
