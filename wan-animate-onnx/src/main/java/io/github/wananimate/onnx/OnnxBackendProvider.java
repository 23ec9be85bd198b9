package io.github.wananimate.onnx;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the ONNX Runtime backend ({@code "onnx"}) with {@link io.github.wananimate.spi.Backends}. */
public final class OnnxBackendProvider implements BackendProvider {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxBackendProvider.class);

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public boolean isAvailable() {
        try {
            OrtNativeFiles.environment();
            return true;
        } catch (Exception | LinkageError e) {
            LOG.debug("ONNX Runtime cannot be loaded here", e);
            return false;
        }
    }

    @Override
    public Backend open(BackendOptions options) {
        return new OnnxBackend(options);
    }
}
