package io.github.wananimate.djl;

import ai.djl.engine.Engine;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the DJL (PyTorch engine) executor. The native library comes from the {@code pytorch-native-*} jar
 * on the classpath, so nothing is downloaded; {@code -Dai.djl.offline=true} is honoured by DJL itself.
 */
public final class DjlBackendProvider implements BackendProvider {

    static final String ENGINE = "PyTorch";

    /**
     * Below ONNX Runtime (50) on the CPU, where eager PyTorch measured 2-3x slower (README, measured numbers);
     * first on CUDA, where no comparison has been measured yet.
     */
    static final int CPU_PRIORITY = 40;
    static final int GPU_PRIORITY = 100;

    private static final Logger LOG = LoggerFactory.getLogger(DjlBackendProvider.class);

    /** Null until tried; then empty (loaded) or the failure with its fix. */
    private static volatile Optional<RuntimeException> failure;

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public int priority(String device) {
        return Backends.isCpu(device) ? CPU_PRIORITY : GPU_PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        return loadFailure().isEmpty();
    }

    @Override
    public Optional<RuntimeException> loadFailure() {
        Optional<RuntimeException> known = failure;
        if (known == null) {
            synchronized (DjlBackendProvider.class) {
                known = failure;
                if (known == null) {
                    known = tryLoadEngine();
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
            throw new IllegalStateException("the DJL PyTorch engine cannot be loaded on this machine: "
                    + f.get().getMessage(), f.get());
        }
        return new DjlBackend(options);
    }

    private static Optional<RuntimeException> tryLoadEngine() {
        TorchProcessSetup.beforeLoad();
        try {
            Engine engine = Engine.getEngine(ENGINE);
            TorchProcessSetup.afterLoad();
            LOG.info("DJL {} engine loaded, PyTorch {}", engine.getEngineName(), engine.getVersion());
            return Optional.empty();
        } catch (RuntimeException | LinkageError t) { // EngineException, UnsatisfiedLinkError, ...: must not throw
            return Optional.of(explain(t));
        }
    }

    /** The load failure {@code t} as an exception that names its root cause and the fix. */
    static IllegalStateException explain(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root == t ? t.toString() : t + " (cause: " + root + ")";
        return new IllegalStateException("PyTorch's native library did not load: " + cause
                + ". Fix: put ai.djl.pytorch:pytorch-native-cpu with classifier " + pytorchClassifier()
                + " (the PyTorch version of the pytorch-jni jar) on the classpath, which the wan-animate-djl pom "
                + "selects for the platform Maven runs on (-Dwananimate.platform=... for another), or point "
                + "PYTORCH_LIBRARY_PATH at an unpacked libtorch of that version", t);
    }

    /** DJL's classifier for this machine, e.g. {@code linux-x86_64}, {@code osx-aarch64}, {@code win-x86_64}. */
    static String pytorchClassifier() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("mac") ? "osx" : os.startsWith("win") ? "win" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }
}
