package io.github.wananimate.preprocess.pose;

import java.util.List;

/**
 * The poses of one frame.
 *
 * @param width frame width the coordinates refer to
 * @param height frame height
 * @param persons every person kept for this frame
 * @param subject index into {@code persons} of the person the pipeline follows, −1 if none was found
 */
public record PoseFrame(int width, int height, List<Person> persons, int subject) {

    public PoseFrame {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
        }
        persons = List.copyOf(persons);
        if (subject < -1 || subject >= persons.size()) {
            throw new IllegalArgumentException("subject " + subject + " out of range for " + persons.size()
                    + " persons");
        }
    }

    /** The followed person, or null. */
    public Person subjectPerson() {
        return subject < 0 ? null : persons.get(subject);
    }

    /** The same poses with every coordinate scaled to a {@code newWidth × newHeight} frame. */
    public PoseFrame rescaled(int newWidth, int newHeight) {
        double sx = (double) newWidth / width;
        double sy = (double) newHeight / height;
        List<Person> scaled = persons.stream().map(p -> {
            float[] b = p.box();
            float[] nb = {(float) (b[0] * sx), (float) (b[1] * sy), (float) (b[2] * sx), (float) (b[3] * sy)};
            return new Person(p.trackId(), nb, p.detectionScore(), p.keypoints().scaled(sx, sy));
        }).toList();
        return new PoseFrame(newWidth, newHeight, scaled, subject);
    }
}
