package io.github.wananimate.preprocess.report;

import java.util.List;
import java.util.Locale;

/**
 * What to check before spending GPU time: per-frame pose and face coverage, mask area, the reference/driver aspect
 * and body-proportion mismatch, and frame-rate facts (ANCHORS.md §5 item 4).
 *
 * @param frames number of preprocessed frames
 * @param sourceFps the driving video's average fps
 * @param fps the preprocessing fps (the frame rate of the written videos)
 * @param drivingWidth driving frame width (native, or resized in replacement)
 * @param drivingHeight driving frame height
 * @param generationWidth generation (pose video) width
 * @param generationHeight generation height
 * @param referenceWidth reference image width as given
 * @param referenceHeight reference image height as given
 * @param poseFrames per frame: number of the 20 AA body points with score ≥ 0.5 (0 when no person was detected)
 * @param detected per frame: whether a person was detected (not the whole-image fallback)
 * @param faceFrames per frame: whether the face crop came from confident landmarks (mean score ≥ 0.5, non-empty box)
 * @param maskArea per frame: mask coverage 0…1 (replacement), or empty
 * @param limbRatioSpread max/min of the reference/driver limb-length ratios over the main limbs, normalised by the
 *     body-height scale (1 = same proportions); NaN when either pose lacks the limbs
 * @param warnings human-readable problems found
 */
public record PreflightReport(int frames, double sourceFps, double fps, int drivingWidth, int drivingHeight,
        int generationWidth, int generationHeight, int referenceWidth, int referenceHeight, int[] poseFrames,
        boolean[] detected, boolean[] faceFrames, double[] maskArea, double limbRatioSpread, List<String> warnings) {

    /** Frames with a detected person and at least 10 of the 20 body points confident. */
    public double poseCoverage() {
        int ok = 0;
        for (int i = 0; i < frames; i++) {
            if (detected[i] && poseFrames[i] >= 10) {
                ok++;
            }
        }
        return frames == 0 ? 0 : (double) ok / frames;
    }

    public double faceCoverage() {
        int ok = 0;
        for (boolean b : faceFrames) {
            ok += b ? 1 : 0;
        }
        return frames == 0 ? 0 : (double) ok / frames;
    }

    public double meanMaskArea() {
        if (maskArea.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double a : maskArea) {
            s += a;
        }
        return s / maskArea.length;
    }

    /** Reference aspect (w/h) divided by the driving aspect: 1 when they match. */
    public double aspectMismatch() {
        return ((double) referenceWidth / referenceHeight) / ((double) drivingWidth / drivingHeight);
    }

    /** A readable multi-line summary. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Preflight: %d frames at %.3f fps (source %.3f fps), generation %dx%d%n",
                frames, fps, sourceFps, generationWidth, generationHeight));
        sb.append(String.format(Locale.ROOT,
                "  pose coverage  %5.1f %% of frames (person detected, >= 10/20 body points)%n", 100 * poseCoverage()));
        sb.append(String.format(Locale.ROOT, "  face coverage  %5.1f %% of frames (confident landmarks)%n",
                100 * faceCoverage()));
        if (maskArea.length > 0) {
            double min = 1;
            double max = 0;
            for (double a : maskArea) {
                min = Math.min(min, a);
                max = Math.max(max, a);
            }
            sb.append(String.format(Locale.ROOT, "  mask area      mean %.1f %%, min %.1f %%, max %.1f %%%n",
                    100 * meanMaskArea(), 100 * min, 100 * max));
        }
        sb.append(String.format(Locale.ROOT, "  aspect         reference %dx%d vs driver %dx%d (ratio %.2f)%n",
                referenceWidth, referenceHeight, drivingWidth, drivingHeight, aspectMismatch()));
        sb.append(String.format(Locale.ROOT, "  proportions    limb-ratio spread %.2f (1.00 = same build)%n",
                limbRatioSpread));
        if (warnings.isEmpty()) {
            sb.append("  no warnings").append(System.lineSeparator());
        }
        for (String w : warnings) {
            sb.append("  WARNING: ").append(w).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
