package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.image.RgbImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frame-by-frame detection, subject choice and whole-body pose: the original's {@code Pose2d} plus optional
 * tracking ({@link SubjectSelection}). Stateful: feed the frames of one video in order; use a new extractor (or
 * {@link #single}) for an unrelated image such as the reference.
 */
public final class PoseExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(PoseExtractor.class);

    /** Minimum IoU for the tracked box to continue. */
    static final double TRACK_IOU = 0.3;
    /** Frames the subject may stay unmatched (posed at its last box) before it is re-acquired as the largest. */
    static final int MAX_LOST_FRAMES = 15;

    private final PersonDetector detector;
    private final PoseEstimator estimator;
    private final SubjectSelection selection;
    private final boolean allPersons;
    private Detection subject;
    private int lost;
    private int frame;
    private List<Detection> previousOthers = List.of();
    private List<Integer> previousOtherIds = List.of();
    private int nextTrackId = 1;

    /**
     * @param allPersons also estimate the pose of every other person (costs one pose run each); otherwise only the
     *     subject is kept
     */
    public PoseExtractor(PersonDetector detector, PoseEstimator estimator, SubjectSelection selection,
            boolean allPersons) {
        this.detector = detector;
        this.estimator = estimator;
        this.selection = selection;
        this.allPersons = allPersons;
    }

    /** The original's processing of one independent image (e.g. the reference): largest person, its pose. */
    public static PoseFrame single(PersonDetector detector, PoseEstimator estimator, RgbImage rgb) {
        return new PoseExtractor(detector, estimator, SubjectSelection.official(), false).next(rgb);
    }

    /** Detects, picks the subject and estimates poses for the next frame (RGB). */
    public PoseFrame next(RgbImage rgb) {
        int index = frame++;
        List<Detection> persons = PersonDetector.persons(detector.detect(rgb));
        Detection chosen = choose(persons, index);
        List<Person> out = new ArrayList<>();
        if (chosen == null) {
            // the original's fallback: the whole image with score −1 (the pose model then sees the full frame)
            WholeBody kp = estimator.estimate(rgb, 0, 0, rgb.width(), rgb.height(), -1);
            out.add(new Person(0, new float[] {0, 0, rgb.width(), rgb.height()}, -1, kp));
        } else {
            WholeBody kp = estimator.estimate(rgb, chosen.x1(), chosen.y1(), chosen.x2(), chosen.y2(), chosen.score());
            out.add(new Person(0, box(chosen), chosen.score(), kp));
        }
        if (allPersons) {
            List<Detection> others = persons.stream().filter(d -> d != chosen).toList();
            List<Integer> ids = assignIds(others);
            for (int i = 0; i < others.size(); i++) {
                Detection d = others.get(i);
                WholeBody kp = estimator.estimate(rgb, d.x1(), d.y1(), d.x2(), d.y2(), d.score());
                out.add(new Person(ids.get(i), box(d), d.score(), kp));
            }
            previousOthers = others;
            previousOtherIds = ids;
        }
        return new PoseFrame(rgb.width(), rgb.height(), out, 0);
    }

    private static float[] box(Detection d) {
        return new float[] {d.x1(), d.y1(), d.x2(), d.y2()};
    }

    private Detection choose(List<Detection> persons, int index) {
        if (!selection.tracks()) {
            return PersonDetector.selectLargest(persons);
        }
        if (subject == null) {
            subject = index == 0 ? initial(persons) : PersonDetector.selectLargest(persons);
            lost = 0;
            return subject;
        }
        Detection match = null;
        double bestIou = TRACK_IOU;
        for (Detection d : persons) {
            double iou = d.iou(subject);
            if (iou >= bestIou) {
                bestIou = iou;
                match = d;
            }
        }
        if (match == null) {
            double limit = 0.5 * Math.max(subject.width(), subject.height());
            double best = limit;
            for (Detection d : persons) {
                double dist = Math.hypot(d.centerX() - subject.centerX(), d.centerY() - subject.centerY());
                if (dist <= best) {
                    best = dist;
                    match = d;
                }
            }
        }
        if (match != null) {
            subject = match;
            lost = 0;
            return match;
        }
        lost++;
        if (lost > MAX_LOST_FRAMES) {
            LOG.debug("frame {}: subject lost for {} frames, re-acquiring the largest person", index, lost);
            subject = PersonDetector.selectLargest(persons);
            lost = 0;
            return subject;
        }
        return subject; // pose at the last known box while briefly occluded
    }

    private Detection initial(List<Detection> persons) {
        if (persons.isEmpty()) {
            return null;
        }
        return switch (selection.mode) {
            case INDEX -> {
                List<Detection> leftToRight = new ArrayList<>(persons);
                leftToRight.sort(Comparator.comparingDouble(Detection::centerX));
                if (selection.index >= leftToRight.size()) {
                    throw new IllegalArgumentException("person " + selection.index + " requested but the first frame "
                            + "has " + leftToRight.size() + " person(s)");
                }
                yield leftToRight.get(selection.index);
            }
            case BOX -> {
                double[] b = selection.box;
                Detection best = null;
                double bestIou = 0;
                for (Detection d : persons) {
                    double iou = Detection.iou(b[0], b[1], b[2], b[3], d.x1(), d.y1(), d.x2(), d.y2());
                    if (iou > bestIou) {
                        bestIou = iou;
                        best = d;
                    }
                }
                if (best == null) {
                    throw new IllegalArgumentException("no person on the first frame overlaps the box "
                            + java.util.Arrays.toString(b));
                }
                yield best;
            }
            default -> PersonDetector.selectLargest(persons);
        };
    }

    /** Greedy IoU matching of the other persons to the previous frame's, new ids for the unmatched. */
    private List<Integer> assignIds(List<Detection> others) {
        List<Integer> ids = new ArrayList<>();
        boolean[] used = new boolean[previousOthers.size()];
        for (Detection d : others) {
            int best = -1;
            double bestIou = TRACK_IOU;
            for (int j = 0; j < previousOthers.size(); j++) {
                double iou = used[j] ? 0 : d.iou(previousOthers.get(j));
                if (iou >= bestIou) {
                    bestIou = iou;
                    best = j;
                }
            }
            if (best >= 0) {
                used[best] = true;
                ids.add(previousOtherIds.get(best));
            } else {
                ids.add(nextTrackId++);
            }
        }
        return ids;
    }
}
