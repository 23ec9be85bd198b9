package io.github.wananimate.preprocess.face;

/** A crop rectangle [x1, x2) × [y1, y2) in frame pixels. */
public record FaceBox(int x1, int x2, int y1, int y2) {

    public int width() {
        return x2 - x1;
    }

    public int height() {
        return y2 - y1;
    }

    public boolean isEmpty() {
        return x2 <= x1 || y2 <= y1;
    }
}
