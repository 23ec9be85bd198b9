package io.github.wananimate.preprocess.image;

import io.github.wananimate.preprocess.image.OpenCv.Interpolation;

/** The original's resolution rules: {@code resize_by_area} and {@code padding_resize} (PIPELINE.md §2.2, §3.3). */
public final class Resizing {

    /** The default generation area, 1280·720. */
    public static final long DEFAULT_AREA = 1280L * 720L;
    /** The divisor the preprocessing passes to {@code resize_by_area}. */
    public static final int DEFAULT_DIVISOR = 16;

    /** A width × height pair. */
    public record Size(int width, int height) {
        public Size {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
            }
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    private Resizing() {
    }

    /**
     * The size {@code resize_by_area} actually produces. Its "best size" search always raises (a 3-argument
     * call of a 2-parameter check) and the bare {@code except} falls back to this rule, PIPELINE.md §3.3:
     * new_h = √(area/aspect), new_w = area/new_h, each side floored to a multiple of {@code divisor}.
     */
    public static Size areaSize(int width, int height, long area, int divisor) {
        double aspect = (double) width / height;
        double newH = Math.sqrt(area / aspect);
        double newW = area / newH;
        int w = (int) (Math.floor(newW / divisor) * divisor);
        int h = (int) (Math.floor(newH / divisor) * divisor);
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("area " + area + " with divisor " + divisor + " leaves nothing of a "
                    + width + "x" + height + " image (" + w + "x" + h + ")");
        }
        return new Size(w, h);
    }

    /**
     * {@code resize_by_area(image, area, divisor)}: letterboxes the image into {@link #areaSize}, with INTER_AREA
     * when the result has fewer pixels than the input and INTER_LINEAR otherwise.
     */
    public static RgbImage resizeByArea(RgbImage image, long area, int divisor) {
        Size size = areaSize(image.width(), image.height(), area, divisor);
        Interpolation interpolation = (long) size.width() * size.height() < (long) image.width() * image.height()
                ? Interpolation.AREA : Interpolation.LINEAR;
        return paddingResize(image, size.width(), size.height(), interpolation);
    }

    /** Where {@link #paddingResize} puts the resized image: offset and size inside the target canvas. */
    public record Placement(int x, int y, int width, int height) {
    }

    /**
     * The placement {@code padding_resize} computes, evaluated in the original's order in float64 and truncated:
     * a taller input gets width int((H/h₀)·w₀) at x offset int((W − nw)/2), otherwise height int((W/w₀)·h₀) at
     * y offset int((H − nh)/2).
     */
    public static Placement paddingPlacement(int srcWidth, int srcHeight, int width, int height) {
        if ((double) srcHeight / srcWidth > (double) height / width) {
            int newWidth = (int) ((double) height / srcHeight * srcWidth);
            return new Placement((int) ((width - newWidth) / 2.0), 0, newWidth, height);
        }
        int newHeight = (int) ((double) width / srcWidth * srcHeight);
        return new Placement(0, (int) ((height - newHeight) / 2.0), width, newHeight);
    }

    /** {@code padding_resize(img, height, width, interpolation)}: black letterbox, PIPELINE.md §2.2. */
    public static RgbImage paddingResize(RgbImage image, int width, int height, Interpolation interpolation) {
        Placement p = paddingPlacement(image.width(), image.height(), width, height);
        if (p.width() <= 0 || p.height() <= 0) {
            throw new IllegalArgumentException("letterboxing a " + image.width() + "x" + image.height()
                    + " image into " + width + "x" + height + " leaves an empty " + p.width() + "x" + p.height()
                    + " picture");
        }
        RgbImage resized = OpenCv.resize(image, p.width(), p.height(), interpolation);
        if (p.width() == width && p.height() == height) {
            return resized;
        }
        RgbImage canvas = RgbImage.black(width, height);
        byte[] src = resized.pixels();
        byte[] dst = canvas.pixels();
        for (int y = 0; y < p.height(); y++) {
            System.arraycopy(src, y * p.width() * 3, dst, ((y + p.y()) * width + p.x()) * 3, p.width() * 3);
        }
        return canvas;
    }
}
