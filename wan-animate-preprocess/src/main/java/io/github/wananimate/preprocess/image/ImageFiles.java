package io.github.wananimate.preprocess.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** Still images through OpenCV's codecs, as the original reads and writes them. */
public final class ImageFiles {

    private ImageFiles() {
    }

    /**
     * {@code cv2.imread(path)} then BGR→RGB, as the original reads the reference (PIPELINE.md §2.1): 8-bit,
     * 3 channels, EXIF orientation applied, alpha dropped. The content decides the format, not the extension.
     */
    public static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new IOException("image file not found: " + file));
        }
        try (Mat bgr = opencv_imgcodecs.imread(file.toString(), opencv_imgcodecs.IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new UncheckedIOException(new IOException("cannot decode image " + file
                        + " (not an image OpenCV can read, or corrupt)"));
            }
            return OpenCv.toImage(bgr).swapRedBlue();
        }
    }

    /** Writes the image; the extension picks the format (".png" for lossless). */
    public static void write(RgbImage image, Path file) {
        try (Mat bgr = OpenCv.toMat(image.swapRedBlue())) {
            if (!opencv_imgcodecs.imwrite(file.toString(), bgr)) {
                throw new UncheckedIOException(new IOException("cannot write image " + file));
            }
        }
    }
}
