package io.github.wananimate.model;

import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.text.TextEncoder;
import io.github.wananimate.text.UMT5TextEncoder;
import io.github.wananimate.text.UMT5Tokenizer;
import io.github.wananimate.weights.KeyMappings;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.ParameterSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The umT5 encoder of a model folder, bound on first use and released on request, so that its weights (11 GB in
 * bf16) are held only while prompts are encoded; on the CPU instead of the model's device when
 * {@link #placeOnCpu} says so (a memory budget it does not fit beside the DiT), as the original's {@code t5_cpu}.
 */
public final class OnDemandUmt5 implements TextEncoder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnDemandUmt5.class);

    private final Backend backend;
    private final ModelFolder folder;
    private final int textLen;
    private UMT5Tokenizer tokenizer;
    private ParameterSource weights;
    private UMT5TextEncoder encoder;
    private boolean onCpu;
    private Backend cpuBackend;
    private long deviceBytes = -1;

    /** @param textLen the DiT's text_len, which the original's T5EncoderModel also truncates to */
    OnDemandUmt5(Backend backend, ModelFolder folder, int textLen) {
        this.backend = backend;
        this.folder = folder;
        this.textLen = textLen;
    }

    @Override
    public synchronized HostTensor encode(String prompt) {
        if (encoder == null) {
            if (tokenizer == null) {
                tokenizer = UMT5Tokenizer.fromCheckpointFolder(folder.root(), textLen);
            }
            weights = KeyMappings.toOfficial(folder.t5());
            try {
                Backend target = backend;
                if (onCpu) {
                    LOG.info("umT5 ({}) runs on the CPU: it does not fit the device-memory budget beside the "
                            + "DiT", MemorySize.format(deviceBytes()));
                    cpuBackend = Backends.byName(backend.name()).open(BackendOptions.cpu());
                    target = cpuBackend;
                }
                encoder = new UMT5TextEncoder(target, weights, UMT5Config.fromCheckpoint(weights), tokenizer,
                        false);
            } catch (RuntimeException e) {
                weights.close();
                weights = null;
                throw e;
            }
        }
        return encoder.encode(prompt);
    }

    /** Float32 bytes the encoder binds on a backend (all but the token embedding, which stays on the host). */
    public synchronized long deviceBytes() {
        if (deviceBytes < 0) {
            try (ParameterSource source = KeyMappings.toOfficial(folder.t5())) {
                UMT5Encoder network = new UMT5Encoder(UMT5Config.fromCheckpoint(source));
                deviceBytes = MemoryModel.weightBytes(network.parameters(),
                        key -> !key.equals(UMT5Encoder.TOKEN_EMBEDDING_KEY), MemoryModel.FLOAT32_BYTES);
            }
        }
        return deviceBytes;
    }

    /** Where the next binding runs; an encoder bound elsewhere is released. */
    public synchronized void placeOnCpu(boolean cpu) {
        if (cpu != onCpu) {
            release();
            onCpu = cpu;
        }
    }

    /** Unbinds the encoder and closes its weights (bound again on the next encode). */
    public synchronized void release() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
        if (weights != null) {
            weights.close();
            weights = null;
        }
        if (cpuBackend != null) {
            cpuBackend.close();
            cpuBackend = null;
        }
    }

    @Override
    public void close() {
        release();
    }
}
