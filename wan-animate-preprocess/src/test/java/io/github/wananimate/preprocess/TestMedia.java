package io.github.wananimate.preprocess;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The example media copied into the test resources. */
public final class TestMedia {

    private TestMedia() {
    }

    public static Path resource(String name) {
        try {
            return Path.of(TestMedia.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    public static Path animateVideo() {
        return resource("examples/animate/video.mp4");
    }

    public static Path animateImage() {
        return resource("examples/animate/image.jpeg");
    }

    public static Path replaceVideo() {
        return resource("examples/replace/video.mp4");
    }

    public static Path replaceImage() {
        return resource("examples/replace/image.jpeg");
    }
}
