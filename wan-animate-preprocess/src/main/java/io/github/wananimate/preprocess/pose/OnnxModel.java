package io.github.wananimate.preprocess.pose;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.wananimate.io.CpuCores;
import io.github.wananimate.io.OrtNativeFiles;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One ONNX Runtime session with a single float32 input and (at least) one float32 output. */
final class OnnxModel implements AutoCloseable {

    private final Path file;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final long[] inputShape;
    private final long[] outputShape;

    OnnxModel(Path file, int threads) {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        }
        try {
            OrtEnvironment env = OrtNativeFiles.load(OrtEnvironment::getEnvironment);
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads > 0 ? threads : CpuCores.physical());
                session = env.createSession(file.toString(), options);
            }
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            Map.Entry<String, NodeInfo> out = session.getOutputInfo().entrySet().iterator().next();
            inputName = in.getKey();
            outputName = out.getKey();
            inputShape = ((TensorInfo) in.getValue().getInfo()).getShape();
            outputShape = ((TensorInfo) out.getValue().getInfo()).getShape();
        } catch (OrtException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load ONNX model " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    long[] inputShape() {
        return inputShape.clone();
    }

    long[] outputShape() {
        return outputShape.clone();
    }

    /** Runs the model on one NCHW input and returns the first output's values and shape. */
    Output run(float[] input, long[] shape) {
        OrtEnvironment env = OrtNativeFiles.load(OrtEnvironment::getEnvironment);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor out = (OnnxTensor) result.get(outputName).orElseThrow();
            FloatBuffer buffer = out.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return new Output(values, out.getInfo().getShape());
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": inference failed: " + e.getMessage(), e);
        }
    }

    record Output(float[] values, long[] shape) {
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing " + file, e);
        }
    }
}
