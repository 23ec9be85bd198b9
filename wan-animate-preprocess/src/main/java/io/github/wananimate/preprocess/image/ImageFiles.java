package io.github.wananimate.preprocess.image;

import io.github.wananimate.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.javacpp.BytePointer;
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
        checkDeclaredSize(file);
        try (Mat bgr = imread(file)) {
            if (bgr == null || bgr.empty()) {
                throw new UncheckedIOException(new IOException("cannot decode image " + file
                        + " (not an image OpenCV can read, or corrupt)"));
            }
            return OpenCv.toImage(bgr).swapRedBlue();
        }
    }

    /** The most pixels an image may declare: 16384 × 8192, far beyond any input the model takes. */
    public static final long MAX_PIXELS = 16384L * 8192;

    private static Mat imread(Path file) {
        try {
            return opencv_imgcodecs.imread(file.toString(), opencv_imgcodecs.IMREAD_COLOR);
        } catch (RuntimeException e) { // OpenCV reports corrupt or oversized files as assertion text
            throw new UncheckedIOException(new IOException("cannot decode image " + file + ": "
                    + e.getMessage().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(e.toString()), e));
        }
    }

    /**
     * Refuses an image whose header declares more than {@link #MAX_PIXELS} (a forged 100000×100000 PNG is a few
     * bytes) before any decoder allocates for it. Formats ImageIO cannot parse are left to OpenCV.
     */
    private static void checkDeclaredSize(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > MAX_PIXELS) {
                    throw new UncheckedIOException(new IOException("image " + file + " declares " + width + "x"
                            + height + " pixels, more than the " + MAX_PIXELS + " this reader accepts"));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UncheckedIOException u && u.getMessage().contains(" declares ")) {
                throw u;
            }
            // an unreadable header: OpenCV's decoder gives the verdict below
        }
    }

    /**
     * Writes the image; the extension picks the format (".png" for lossless). The image is encoded in memory,
     * written to a temporary file in the target's folder and moved into place atomically, so a failed write
     * leaves no partial file (and an existing file untouched).
     */
    public static void write(RgbImage image, Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            throw new UncheckedIOException(new IOException("cannot write image " + file
                    + ": no extension to choose the format"));
        }
        byte[] encoded;
        try (Mat bgr = OpenCv.toMat(image.swapRedBlue()); BytePointer buffer = new BytePointer()) {
            boolean ok;
            try {
                ok = opencv_imgcodecs.imencode(name.substring(dot), bgr, buffer);
            } catch (RuntimeException e) {
                throw new UncheckedIOException(new IOException("cannot write image " + file + ": " + e.getMessage(),
                        e));
            }
            if (!ok) {
                throw new UncheckedIOException(new IOException("cannot write image " + file + ": encoding failed"));
            }
            encoded = new byte[(int) buffer.limit()];
            buffer.get(encoded);
        }
        Path temp = null;
        try {
            temp = AtomicFiles.createSibling(file, ".partial");
            Files.write(temp, encoded);
            AtomicFiles.moveIntoPlace(temp, file);
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot write image " + file + ": " + e, e));
        } finally {
            AtomicFiles.deleteQuietly(temp);
        }
    }

}
