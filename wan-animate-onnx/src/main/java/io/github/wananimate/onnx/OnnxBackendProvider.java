package io.github.wananimate.onnx;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import java.util.Optional;

/** Registers the ONNX Runtime backend ({@code "onnx"}) with {@link io.github.wananimate.spi.Backends}. */
public final class OnnxBackendProvider implements BackendProvider {

    /** The same on every device: above DJL on the CPU (where it measured faster), below it on CUDA. */
    static final int PRIORITY = 50;

    /** Null until tried; then empty (loaded) or the failure with its fix. */
    private static volatile Optional<RuntimeException> failure;

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public int priority(String device) {
        return PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        return loadFailure().isEmpty();
    }

    @Override
    public Optional<RuntimeException> loadFailure() {
        Optional<RuntimeException> known = failure;
        if (known == null) {
            synchronized (OnnxBackendProvider.class) {
                known = failure;
                if (known == null) {
                    known = tryLoad();
                    failure = known;
                }
            }
        }
        return known;
    }

    @Override
    public Backend open(BackendOptions options) {
        Optional<RuntimeException> f = loadFailure();
        if (f.isPresent()) {
            throw new IllegalStateException("ONNX Runtime cannot be loaded on this machine: " + f.get().getMessage(),
                    f.get());
        }
        return new OnnxBackend(options);
    }

    private static Optional<RuntimeException> tryLoad() {
        try {
            OrtNativeFiles.environment();
            return Optional.empty();
        } catch (Exception | LinkageError e) { // must not throw
            return Optional.of(explain(e));
        }
    }

    /** The load failure {@code e} as an exception that names it and the fix. */
    static IllegalStateException explain(Throwable e) {
        return new IllegalStateException("ONNX Runtime's native library did not load: " + e
                + ". Fix: com.microsoft.onnxruntime:onnxruntime (CPU; linux x64/aarch64, macOS arm64, windows x64) "
                + "or onnxruntime_gpu (CUDA; linux and windows x64 only) must match this machine ("
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): the wan-animate-onnx pom "
                + "picks one per platform (-Donnxruntime.cpu for the CPU one, or exclude onnxruntime_gpu and add onnxruntime); "
                + "onnxruntime_gpu also needs the CUDA 12 and cuDNN 9 libraries", e);
    }
}
