package io.github.wananimate.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/** The example media copied into the test resources. */
public final class TestMedia {

    private static final Map<String, Path> COPIED = new HashMap<>();

    private TestMedia() {
    }

    /**
     * The resource as a file. Modules that use this class from the test jar (rather than from
     * {@code target/test-classes}) see the media inside a jar; those are copied out once per JVM.
     */
    public static Path resource(String name) {
        URL url = TestMedia.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            return copiedOut(name, url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test resource " + name + " has no path: " + url, e);
        }
    }

    private static synchronized Path copiedOut(String name, URL url) {
        Path known = COPIED.get(name);
        if (known != null) {
            return known;
        }
        try {
            Path copy = Files.createTempDirectory("wan-animate-test-media").resolve(name);
            Files.createDirectories(copy.getParent());
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            copy.toFile().deleteOnExit();
            COPIED.put(name, copy);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy test resource " + name + " out of " + url, e);
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
