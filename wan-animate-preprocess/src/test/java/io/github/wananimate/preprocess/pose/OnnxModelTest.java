package io.github.wananimate.preprocess.pose;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {

    @TempDir
    Path dir;

    @Test
    void aMissingOrForeignModelFileIsNamed() throws Exception {
        Path missing = dir.resolve("yolov10m.onnx");
        assertThatThrownBy(() -> new OnnxModel(missing, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("yolov10m.onnx").hasMessageContaining("not found");
        Path garbage = Files.write(dir.resolve("vitpose.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> new OnnxModel(garbage, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vitpose.onnx");
    }
}
