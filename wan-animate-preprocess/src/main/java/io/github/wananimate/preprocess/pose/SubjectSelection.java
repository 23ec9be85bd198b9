package io.github.wananimate.preprocess.pose;

/**
 * How the followed person is chosen. {@link #official()} is the original: every frame independently takes the
 * largest person, so with several people the subject can jump. The tracking modes choose once on the first frame
 * and then follow that person by box overlap (IoU), or by centre distance when the overlap is lost.
 */
public final class SubjectSelection {

    enum Mode { OFFICIAL, LARGEST, INDEX, BOX }

    final Mode mode;
    final int index;
    final double[] box;

    private SubjectSelection(Mode mode, int index, double[] box) {
        this.mode = mode;
        this.index = index;
        this.box = box;
    }

    /** The original: the largest person in every frame, no tracking. */
    public static SubjectSelection official() {
        return new SubjectSelection(Mode.OFFICIAL, -1, null);
    }

    /** Start with the largest person (the original's choice on the first frame), then track it. */
    public static SubjectSelection trackLargest() {
        return new SubjectSelection(Mode.LARGEST, -1, null);
    }

    /** Start with the {@code index}-th person from the left on the first frame (0 = leftmost), then track it. */
    public static SubjectSelection trackIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("person index must be ≥ 0, got " + index);
        }
        return new SubjectSelection(Mode.INDEX, index, null);
    }

    /** Start with the person best overlapping this box (x1, y1, x2, y2, first-frame pixels), then track it. */
    public static SubjectSelection trackBox(double x1, double y1, double x2, double y2) {
        if (!(x2 > x1) || !(y2 > y1)) {
            throw new IllegalArgumentException("box must have x2 > x1 and y2 > y1");
        }
        return new SubjectSelection(Mode.BOX, -1, new double[] {x1, y1, x2, y2});
    }

    boolean tracks() {
        return mode != Mode.OFFICIAL;
    }

    @Override
    public String toString() {
        return switch (mode) {
            case OFFICIAL -> "official (largest per frame)";
            case LARGEST -> "track the largest";
            case INDEX -> "track person " + index + " from the left";
            case BOX -> "track the person at " + java.util.Arrays.toString(box);
        };
    }
}
