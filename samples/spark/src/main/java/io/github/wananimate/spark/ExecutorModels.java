package io.github.wananimate.spark;

import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.samples.Demo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this executor JVM: one {@link WanAnimate} per (model folder, backend, device, precision), opened by
 * the first task that needs it and reused by every later task (loading is the expensive part; the checkpoint is
 * memory-mapped, not copied), closed when the JVM exits. Tasks on the same model take turns: a {@code WanAnimate}
 * runs one generation at a time.
 */
final class ExecutorModels {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

    /**
     * What identifies a loaded model.
     *
     * @param model the model folder, or null for the demo weights
     * @param backend the backend's name, or null for the best available one
     * @param precision the conditioning precision's name, or null for the model's default
     */
    record Key(String model, String backend, String device, String precision) {

        @Override
        public String toString() {
            return (model == null ? "demo weights" : model) + " on " + (backend == null ? "the best backend" : backend)
                    + "/" + device + (precision == null ? "" : " (" + precision + ")");
        }
    }

    private static final Map<Key, WanAnimate> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "wan-animate-models-close"));
    }

    private ExecutorModels() {
    }

    /** The model for {@code key}, opened now if this JVM has not opened it yet. */
    static WanAnimate get(Key key) {
        return MODELS.computeIfAbsent(key, ExecutorModels::open);
    }

    private static WanAnimate open(Key key) {
        long start = System.nanoTime();
        WanAnimate.Builder builder = key.model() == null ? Demo.weights()
                : WanAnimate.builder().modelFolder(RowInputs.localPath(key.model(), "the model folder (memory-mapped)"));
        if (key.backend() != null) {
            builder.backend(key.backend());
        }
        builder.device(key.device());
        if (key.precision() != null) {
            builder.precision(precision(key.precision()));
        }
        WanAnimate model = builder.build();
        LOG.info("opened {} in {} ms", key, (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    /** {@code fp32}, {@code bf16} or {@code fp16} (also spelled {@code float32}, {@code bfloat16}, {@code float16}). */
    static Precision precision(String name) {
        return Precision.parse(name);
    }

    private static void closeAll() {
        List<Key> keys = new ArrayList<>(MODELS.keySet());
        for (Key key : keys) {
            WanAnimate model = MODELS.remove(key);
            try {
                model.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", key, e.toString());
            }
        }
    }
}
