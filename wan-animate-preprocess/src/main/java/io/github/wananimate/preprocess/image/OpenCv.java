package io.github.wananimate.preprocess.image;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The bridge to OpenCV (through JavaCV), used wherever the original calls cv2 so that results are the same
 * pixels: resizing, drawing, blurring, dilation. Every {@link Mat} created here is closed by its caller.
 */
public final class OpenCv {

    /** cv2 interpolation flags used by the original. */
    public enum Interpolation {
        LINEAR(opencv_imgproc.INTER_LINEAR),
        AREA(opencv_imgproc.INTER_AREA);

        final int flag;

        Interpolation(int flag) {
            this.flag = flag;
        }
    }

    private OpenCv() {
    }

    /** A new 8UC3 Mat holding a copy of the image's RGB bytes (OpenCV does not care about channel names). */
    public static Mat toMat(RgbImage image) {
        Mat mat = new Mat(image.height(), image.width(), CV_8UC3);
        mat.data().put(image.pixels());
        return mat;
    }

    /** Copies a continuous 8UC3 Mat into a new image. */
    public static RgbImage toImage(Mat mat) {
        if (mat.type() != CV_8UC3) {
            throw new IllegalArgumentException("expected an 8-bit 3-channel Mat, got type " + mat.type());
        }
        Mat continuous = mat.isContinuous() ? mat : mat.clone();
        try {
            byte[] out = new byte[mat.rows() * mat.cols() * 3];
            continuous.data().get(out);
            return new RgbImage(mat.cols(), mat.rows(), out);
        } finally {
            if (continuous != mat) {
                continuous.close();
            }
        }
    }

    /** A new 8UC1 Mat from a 0/1 (or 0…255) byte mask of the given size. */
    public static Mat toMat(byte[] mask, int width, int height) {
        Mat mat = new Mat(height, width, CV_8UC1);
        mat.data().put(mask);
        return mat;
    }

    /** The bytes of a continuous 8UC1 Mat. */
    public static byte[] toBytes(Mat mat) {
        byte[] out = new byte[mat.rows() * mat.cols() * mat.channels()];
        new BytePointer(mat.data()).get(out);
        return out;
    }

    /** A new 32FC1 (channels = 1) or 32FC3 Mat holding a copy of {@code values}, row-major. */
    public static Mat toMat(float[] values, int width, int height, int channels) {
        Mat mat = new Mat(height, width, channels == 1 ? CV_32FC1 : CV_32FC3);
        new FloatPointer(mat.data()).put(values, 0, width * height * channels);
        return mat;
    }

    /** The floats of a continuous 32F Mat. */
    public static float[] toFloats(Mat mat) {
        float[] out = new float[mat.rows() * mat.cols() * mat.channels()];
        FloatBuffer buffer = mat.createBuffer();
        buffer.get(out);
        return out;
    }

    /** {@code cv2.resize(image, (width, height), interpolation=…)}. */
    public static RgbImage resize(RgbImage image, int width, int height, Interpolation interpolation) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cannot resize " + image + " to " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image.copy();
        }
        try (Mat src = toMat(image); Mat dst = new Mat(); Size size = new Size(width, height)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, interpolation.flag);
            return toImage(dst);
        }
    }
}
