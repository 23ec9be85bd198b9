package io.github.wananimate.weights.lora;

import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.nio.file.Path;

final class PytorchLoraFiles {
    private PytorchLoraFiles() {
    }

    static ParameterSource open(Path file) {
        throw new WeightException("TEMPORARY " + file);
    }
}
