package io.github.wananimate.model;

import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.lora.LoraAdapter;
import java.nio.file.Path;

/**
 * The Relighting LoRA (PIPELINE.md §2.15): opened from its file when a request first asks for it, or given in
 * memory.
 */
public final class RelightingLora implements AutoCloseable {

    private final Path file;
    private final ParameterSource source;
    private final Double alpha;
    private LoraAdapter adapter;

    private RelightingLora(Path file, ParameterSource source, Double alpha) {
        this.file = file;
        this.source = source;
        this.alpha = alpha;
    }

    /** @param alpha the alpha for modules without one (null: the file's, else the rank) */
    static RelightingLora ofFile(Path file, Double alpha) {
        return new RelightingLora(file, null, alpha);
    }

    /** @param alpha the alpha for modules without one (null: the source's, else the rank) */
    static RelightingLora of(ParameterSource source, Double alpha) {
        return new RelightingLora(null, source, alpha);
    }

    public synchronized LoraAdapter adapter() {
        if (adapter == null) {
            adapter = file != null ? LoraAdapter.open(file, alpha)
                    : LoraAdapter.of(source, source.description(), alpha);
        }
        return adapter;
    }

    @Override
    public synchronized void close() {
        if (adapter != null) {
            adapter.close();
        }
    }
}
