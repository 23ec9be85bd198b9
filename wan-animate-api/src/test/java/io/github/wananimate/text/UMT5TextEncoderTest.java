package io.github.wananimate.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.GoldenFiles;
import io.github.wananimate.nn.RefBackend;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer + host embedding gather + encoder, on the tiny procedural umT5 (vocab 256 covers the test vocab). */
class UMT5TextEncoderTest {

    static final UMT5Config TINY = new UMT5Config(256, 64, 64, 128, 2, 2, 32, 128);

    @TempDir
    Path dir;

    @Test
    void realTokensAndFixedLengthGiveTheSameContext() throws IOException {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, UnigramTokenizerTest.tokenizerJson("null"), StandardCharsets.UTF_8);
        UMT5Tokenizer tokenizer = new UMT5Tokenizer(UnigramTokenizer.load(json), 16);
        ProceduralWeights weights = ProceduralWeights.forSpecs(0, new UMT5Encoder(TINY).parameters());

        RefBackend backend = new RefBackend();
        HostTensor real;
        HostTensor padded;
        try (UMT5TextEncoder encoder = new UMT5TextEncoder(backend, weights, TINY, tokenizer, false)) {
            real = encoder.encode("abc d a xy");
        }
        try (UMT5TextEncoder encoder = new UMT5TextEncoder(backend, weights, TINY, tokenizer, true)) {
            padded = encoder.encode("abc d a xy");
        }
        // ▁a bc ▁d ▁a ▁ <unk> </s>
        assertThat(real.shape()).containsExactly(7, 64);
        assertThat(padded.shape()).containsExactly(7, 64);
        assertThat(GoldenFiles.errorOverPeak(real.toFloatArray(), padded.toFloatArray())).isLessThan(1e-6);
        assertThat(backend.runs()).isEqualTo(2);
    }
}
