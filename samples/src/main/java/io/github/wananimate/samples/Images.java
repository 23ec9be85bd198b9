package io.github.wananimate.samples;

import io.github.wananimate.video.Frame;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Conversions between {@link Frame} and {@link BufferedImage}, resizing, and image files (PNG, JPEG). */
final class Images {

    private Images() {
    }

    static Frame toFrame(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int o = 3 * (y * w + x);
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return Frame.ofRgb(w, h, rgb);
    }

    static BufferedImage toImage(Frame frame) {
        BufferedImage image = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = frame.toRgbBytes();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }

    static Frame read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException("image not found: " + file);
        }
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new InputFileException("not an image ImageIO can decode (PNG, JPEG, BMP, GIF): " + file);
            }
            return toFrame(image);
        } catch (IOException e) {
            throw new InputFileException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    static void writePng(BufferedImage image, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new InputFileException("no PNG writer available for " + file);
            }
        } catch (IOException e) {
            throw new InputFileException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
