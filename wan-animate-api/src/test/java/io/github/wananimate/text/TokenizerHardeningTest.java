package io.github.wananimate.text;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.weights.WeightException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, case 6: malformed tokenizer.json files are refused naming the file and the field. */
class TokenizerHardeningTest {

    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private static String withModel(String model) {
        return "{\"model\": {\"type\": \"Unigram\", " + model + "}}";
    }

    @Test
    void aStringVocabIsNamed() throws Exception {
        Path file = write(withModel("\"vocab\": \"abc\", \"unk_id\": 0"));
        assertThatThrownBy(() -> UnigramTokenizer.load(file)).isInstanceOf(WeightException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("model.vocab must be a non-empty array");
        Path entry = write(withModel("\"vocab\": [[\"a\", -1.0], [\"b\"]], \"unk_id\": 0"));
        assertThatThrownBy(() -> UnigramTokenizer.load(entry)).isInstanceOf(WeightException.class)
                .hasMessageContaining("model.vocab[1] must be a [piece, score] pair, found [\"b\"]");
    }

    @Test
    void unkIdMustNameAVocabularyEntry() throws Exception {
        String vocab = "\"vocab\": [[\"<pad>\", 0], [\"</s>\", 0], [\"<unk>\", 0], [\"a\", -1], [\"b\", -2]]";
        Path text = write(withModel(vocab + ", \"unk_id\": \"x\""));
        assertThatThrownBy(() -> UnigramTokenizer.load(text)).isInstanceOf(WeightException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("model.unk_id must be the id of a vocabulary entry (0..4), found \"x\"");
        Path outside = write(withModel(vocab + ", \"unk_id\": 99"));
        assertThatThrownBy(() -> UnigramTokenizer.load(outside)).isInstanceOf(WeightException.class)
                .hasMessageContaining("model.unk_id must be the id of a vocabulary entry (0..4), found 99");
    }

    @Test
    void notAFileIsNamed() {
        assertThatThrownBy(() -> UnigramTokenizer.load(dir)).isInstanceOf(WeightException.class)
                .hasMessageContaining(dir + ": a directory, not a file");
        assertThatThrownBy(() -> UnigramTokenizer.load(dir.resolve("none.json"))).isInstanceOf(WeightException.class)
                .hasMessageContaining("no such file");
    }
}
