package io.github.wananimate.preprocess.pose;

/**
 * One detected person in one frame.
 *
 * @param trackId identity kept across frames by the tracker (−1 when untracked)
 * @param box detection box x1, y1, x2, y2 in pixels
 * @param detectionScore detector score (−1 when the box is the whole-image fallback)
 * @param keypoints the 133 whole-body keypoints in pixels
 */
public record Person(int trackId, float[] box, float detectionScore, WholeBody keypoints) {

    public Person {
        if (box.length != 4) {
            throw new IllegalArgumentException("a box is x1, y1, x2, y2; got " + box.length + " values");
        }
        box = box.clone();
    }

    @Override
    public float[] box() {
        return box.clone();
    }

    public Person withKeypoints(WholeBody newKeypoints) {
        return new Person(trackId, box, detectionScore, newKeypoints);
    }
}
