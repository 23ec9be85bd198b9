package io.github.wananimate.preprocess.image;

import io.github.wananimate.video.Frame;

/** Conversions between this module's mutable {@link RgbImage} and the API's immutable {@link Frame}. */
public final class Frames {

    private Frames() {
    }

    public static Frame toFrame(RgbImage image) {
        return Frame.ofRgb(image.width(), image.height(), image.pixels());
    }

    public static RgbImage toImage(Frame frame) {
        return new RgbImage(frame.width(), frame.height(), frame.toRgbBytes());
    }
}
