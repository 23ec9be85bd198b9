package io.github.wananimate.pipeline;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.util.Arrays;

/**
 * Conversions between 8-bit frames and pixel-space tensors laid out C×T×H×W (PIPELINE.md conventions):
 * u8 / 127.5 − 1 computed in float64, rounded to float32 and then to the conditioning precision; and back,
 * clamp to [−1, 1], (x + 1)/2·255, <b>truncated</b> to uint8 as {@code generate.py} saves (§2.12).
 */
public final class PixelVideo {

    private PixelVideo() {
    }

    /** One u8 sample in pixel space, float32 then {@code precision}. */
    public static float toPixel(int u8, Precision precision) {
        return precision.round((float) (u8 / 127.5 - 1.0));
    }

    /**
     * The frames at {@code indices} of {@code frames} as a [3, T, H, W] pixel-space tensor.
     *
     * @throws IllegalArgumentException when a frame's size differs from the sequence's (naming the frame)
     */
    public static HostTensor fromFrames(FrameSequence frames, int[] indices, Precision precision) {
        int height = frames.height();
        int width = frames.width();
        int t = indices.length;
        int plane = height * width;
        float[] out = new float[3 * t * plane];
        float[] lut = lookup(precision);
        for (int k = 0; k < t; k++) {
            Frame f = frames.get(indices[k]);
            if (f.width() != width || f.height() != height) {
                throw new IllegalArgumentException("frame " + indices[k] + " is " + f.width() + "x" + f.height()
                        + ", expected " + width + "x" + height);
            }
            byte[] rgb = f.toRgbBytes();
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    out[(c * t + k) * plane + p] = lut[rgb[p * 3 + c] & 0xff];
                }
            }
        }
        return HostTensor.ofFloats(new long[] {3, t, height, width}, out);
    }

    /** One image as a [3, 1, H, W] pixel-space tensor (the reference). */
    public static HostTensor fromFrame(Frame frame, Precision precision) {
        return fromFrames(FrameSequence.of(frame), new int[] {0}, precision);
    }

    /**
     * The red channel / 255 of the frames at {@code indices}, as [T, H, W] (the character mask, 1 = character;
     * only channel 0 is kept and nothing is re-binarised, §2.1).
     */
    public static float[] maskFromFrames(FrameSequence frames, int[] indices, Precision precision) {
        int plane = frames.height() * frames.width();
        float[] out = new float[indices.length * plane];
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = precision.round((float) (v / 255.0));
        }
        for (int k = 0; k < indices.length; k++) {
            byte[] rgb = frames.get(indices[k]).toRgbBytes();
            for (int p = 0; p < plane; p++) {
                out[k * plane + p] = lut[rgb[p * 3] & 0xff];
            }
        }
        return out;
    }

    /**
     * Frame {@code t} of a [3, T, H, W] pixel-space video as 8-bit RGB: clamp to [−1, 1], (x + 1)/2, ×255 in float32,
     * truncated (not rounded), as {@code generate.py} saves.
     */
    public static Frame toFrame(HostTensor video, int t) {
        long[] shape = video.shape();
        if (shape.length != 4 || shape[0] != 3 || t < 0 || t >= shape[1]) {
            throw new IllegalArgumentException("frame " + t + " of a video shaped " + Arrays.toString(shape)
                    + " (expected [3, T, H, W])");
        }
        int frames = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        int plane = height * width;
        java.nio.FloatBuffer values = video.asFloatBuffer();
        byte[] rgb = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            int base = (c * frames + t) * plane;
            for (int p = 0; p < plane; p++) {
                rgb[p * 3 + c] = (byte) toU8(values.get(base + p));
            }
        }
        return Frame.ofRgb(width, height, rgb);
    }

    /** clamp(x, −1, 1) → (x + 1)/2·255 truncated, in float32 arithmetic. */
    static int toU8(float x) {
        float clamped = Math.max(-1f, Math.min(1f, x));
        return (int) ((clamped + 1f) / 2f * 255f);
    }

    private static float[] lookup(Precision precision) {
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = toPixel(v, precision);
        }
        return lut;
    }
}
