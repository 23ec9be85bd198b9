package io.github.wananimate.djl;

import ai.djl.engine.Engine;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the DJL (PyTorch engine) executor. The native library comes from the {@code pytorch-native-*} jar
 * on the classpath, so nothing is downloaded; {@code -Dai.djl.offline=true} is honoured by DJL itself.
 */
public final class DjlBackendProvider implements BackendProvider {

    static final String ENGINE = "PyTorch";

    private static final Logger LOG = LoggerFactory.getLogger(DjlBackendProvider.class);

    private static volatile Boolean available;

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            synchronized (DjlBackendProvider.class) {
                known = available;
                if (known == null) {
                    known = tryLoadEngine();
                    available = known;
                }
            }
        }
        return known;
    }

    @Override
    public Backend open(BackendOptions options) {
        if (!isAvailable()) {
            throw new IllegalStateException("the DJL PyTorch engine cannot be loaded on this machine; "
                    + "is a pytorch-native-* jar for this platform on the classpath?");
        }
        return new DjlBackend(options);
    }

    private static boolean tryLoadEngine() {
        try {
            Engine engine = Engine.getEngine(ENGINE);
            LOG.info("DJL {} engine loaded, PyTorch {}", engine.getEngineName(), engine.getVersion());
            return true;
        } catch (RuntimeException | LinkageError t) { // EngineException, UnsatisfiedLinkError, ...: must not throw
            LOG.warn("DJL PyTorch engine unavailable: {}", t.toString());
            return false;
        }
    }
}
