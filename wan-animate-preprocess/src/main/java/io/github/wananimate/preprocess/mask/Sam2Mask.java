package io.github.wananimate.preprocess.mask;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.wananimate.io.CpuCores;
import io.github.wananimate.io.OrtNativeFiles;
import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseMeta;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A SAM2-style segmenter from two ONNX files, as the common SAM2 exports split it: an image encoder
 * ({@code image [1,3,1024,1024]} → {@code image_embed}, {@code high_res_feats_0}, {@code high_res_feats_1}) and a
 * prompt decoder (those features plus {@code point_coords [1,N,2]} in 1024-space, {@code point_labels [1,N]},
 * {@code mask_input [1,1,256,256]}, {@code has_mask_input [1]}, and {@code orig_im_size} when declared →
 * {@code masks [1,K,h,w]} logits and {@code iou_predictions [1,K]}).
 *
 * <p>The prompts are the original's (PIPELINE.md §3.12): 8 positive points from the AA body keypoints Nose, Neck,
 * RShoulder, LShoulder, RHip, LHip, RAnkle, LAnkle at int32(x·W), int32(y·H), with no score filter. The frame is
 * resized to 1024×1024 (bicubic; the original goes through PIL's bicubic, so values differ slightly), /255,
 * ImageNet-normalised. The mask is the best-scoring of the K masks, resized to the frame and thresholded at 0.
 * Unlike the original there is no memory across frames: each frame is segmented from its own prompts.
 */
public final class Sam2Mask implements MaskModel {

    static final int SIZE = 1024;
    static final int[] PROMPT_POINTS = {0, 1, 2, 5, 8, 11, 10, 13};
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    private final OrtSession encoder;
    private final OrtSession decoder;
    private final Path decoderFile;

    public Sam2Mask(Path encoderOnnx, Path decoderOnnx, int threads) {
        this.decoderFile = decoderOnnx;
        this.encoder = open(encoderOnnx, threads);
        try {
            this.decoder = open(decoderOnnx, threads);
        } catch (RuntimeException e) {
            closeQuietly(encoder);
            throw e;
        }
    }

    private static OrtSession open(Path file, int threads) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("SAM2 model file not found: " + file);
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads > 0 ? threads : CpuCores.physical());
            return OrtNativeFiles.load(OrtEnvironment::getEnvironment).createSession(file.toString(), o);
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot load SAM2 model " + file + ": " + e.getMessage(), e);
        }
    }

    /** The 8 prompt points in frame pixels, as the original computes them. */
    static int[][] promptPoints(PoseMeta pose, int width, int height) {
        int[][] pts = new int[PROMPT_POINTS.length][];
        for (int i = 0; i < PROMPT_POINTS.length; i++) {
            int j = PROMPT_POINTS[i];
            float[] body = pose.body();
            pts[i] = new int[] {(int) ((double) body[j * 3] * width), (int) ((double) body[j * 3 + 1] * height)};
        }
        return pts;
    }

    @Override
    public BinaryMask segment(RgbImage frame, PoseMeta pose) {
        int w = frame.width();
        int h = frame.height();
        OrtEnvironment env = OrtNativeFiles.load(OrtEnvironment::getEnvironment);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(encoderInput(frame)),
                new long[] {1, 3, SIZE, SIZE});
                OrtSession.Result features = encoder.run(Map.of(encoder.getInputNames().iterator().next(), image))) {
            for (Map.Entry<String, OnnxValue> f : features) {
                if (decoder.getInputNames().contains(f.getKey())) {
                    inputs.put(f.getKey(), (OnnxTensor) f.getValue());
                }
            }
            int[][] pts = promptPoints(pose, w, h);
            float[] coords = new float[pts.length * 2];
            float[] labels = new float[pts.length];
            for (int i = 0; i < pts.length; i++) {
                coords[i * 2] = pts[i][0] * (SIZE / (float) w);
                coords[i * 2 + 1] = pts[i][1] * (SIZE / (float) h);
                labels[i] = 1;
            }
            Map<String, OnnxTensor> owned = new HashMap<>();
            try {
                Map<String, NodeInfo> declared = decoder.getInputInfo();
                putIfDeclared(env, declared, owned, "point_coords", coords, new long[] {1, pts.length, 2});
                putIfDeclared(env, declared, owned, "point_labels", labels, new long[] {1, pts.length});
                putIfDeclared(env, declared, owned, "mask_input", new float[256 * 256], new long[] {1, 1, 256, 256});
                putIfDeclared(env, declared, owned, "has_mask_input", new float[] {0}, new long[] {1});
                putIfDeclared(env, declared, owned, "orig_im_size", new float[] {h, w}, new long[] {2});
                inputs.putAll(owned);
                for (String name : declared.keySet()) {
                    if (!inputs.containsKey(name)) {
                        throw new IllegalStateException(decoderFile + ": decoder input '" + name
                                + "' is neither an encoder output nor a known prompt input");
                    }
                }
                try (OrtSession.Result out = decoder.run(inputs)) {
                    return toMask(out, w, h);
                }
            } finally {
                owned.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("SAM2 inference failed: " + e.getMessage(), e);
        }
    }

    /** Creates the input with the type the decoder declares (float, int32 or int64). */
    private static void putIfDeclared(OrtEnvironment env, Map<String, NodeInfo> declared, Map<String, OnnxTensor> out,
            String name, float[] values, long[] shape) throws OrtException {
        NodeInfo info = declared.get(name);
        if (info == null) {
            return;
        }
        OnnxJavaType type = ((TensorInfo) info.getInfo()).type;
        OnnxTensor t;
        if (type == OnnxJavaType.INT64) {
            long[] v = new long[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (long) values[i];
            }
            t = OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
        } else if (type == OnnxJavaType.INT32) {
            int[] v = new int[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) values[i];
            }
            t = OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
        } else {
            t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
        }
        out.put(name, t);
    }

    private BinaryMask toMask(OrtSession.Result out, int w, int h) throws OrtException {
        OnnxTensor masks = (OnnxTensor) out.get("masks").orElseGet(() -> out.get(0));
        long[] shape = masks.getInfo().getShape();
        if (shape.length != 4) {
            throw new IllegalStateException(decoderFile + ": masks output must be [1, K, h, w], got "
                    + java.util.Arrays.toString(shape));
        }
        int k = (int) shape[1];
        int mh = (int) shape[2];
        int mw = (int) shape[3];
        int best = 0;
        if (k > 1 && out.get("iou_predictions").isPresent()) {
            FloatBuffer iou = ((OnnxTensor) out.get("iou_predictions").get()).getFloatBuffer();
            for (int i = 1; i < k; i++) {
                if (iou.get(i) > iou.get(best)) {
                    best = i;
                }
            }
        }
        FloatBuffer all = masks.getFloatBuffer();
        float[] logits = new float[mh * mw];
        all.position(best * mh * mw);
        all.get(logits);
        float[] resized;
        if (mw == w && mh == h) {
            resized = logits;
        } else {
            try (Mat src = OpenCv.toMat(logits, mw, mh, 1); Mat dst = new Mat(); Size size = new Size(w, h)) {
                opencv_imgproc.resize(src, dst, size, 0, 0, opencv_imgproc.INTER_LINEAR);
                resized = OpenCv.toFloats(dst);
            }
        }
        byte[] bits = new byte[w * h];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = resized[i] > 0 ? (byte) 1 : 0;
        }
        return new BinaryMask(w, h, bits);
    }

    /** 1024×1024 bicubic, /255, ImageNet mean/std, CHW. */
    static float[] encoderInput(RgbImage frame) {
        byte[] px;
        try (Mat src = OpenCv.toMat(frame); Mat dst = new Mat(); Size size = new Size(SIZE, SIZE)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, opencv_imgproc.INTER_CUBIC);
            px = OpenCv.toBytes(dst);
        }
        int plane = SIZE * SIZE;
        float[] chw = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            float[] lut = new float[256];
            for (int v = 0; v < 256; v++) {
                lut[v] = (float) ((v / 255.0 - MEAN[c]) / STD[c]);
            }
            for (int i = 0; i < plane; i++) {
                chw[c * plane + i] = lut[px[i * 3 + c] & 0xFF];
            }
        }
        return chw;
    }

    @Override
    public void close() {
        closeQuietly(encoder);
        closeQuietly(decoder);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing a SAM2 session", e);
        }
    }
}
