package io.github.wananimate.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextEncoderCacheTest {

    @TempDir
    Path dir;

    /** A fake encoder: [length of prompt, 3] filled with a value derived from the prompt and a counter. */
    private static TextEncoder counting(AtomicInteger calls) {
        return prompt -> {
            calls.incrementAndGet();
            int v = prompt.codePointCount(0, prompt.length());
            float[] values = new float[v * 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = prompt.hashCode() * 1e-9f + i;
            }
            return HostTensor.ofFloats(new long[] {v, 3}, values);
        };
    }

    @Test
    void secondCallHitsTheCache() {
        AtomicInteger calls = new AtomicInteger();
        TextEncoderCache cache = new TextEncoderCache(dir, "model-A", counting(calls));
        HostTensor first = cache.encode(DefaultPrompts.POSITIVE);
        HostTensor second = cache.encode(DefaultPrompts.POSITIVE);
        assertThat(calls).hasValue(1);
        assertThat(second.shape()).containsExactly(9, 3);
        assertThat(second.toFloatArray()).containsExactly(first.toFloatArray());
        assertThat(cache.entryPath(DefaultPrompts.POSITIVE)).isRegularFile();

        // A new cache object over the same folder (a new run of the program) hits too.
        new TextEncoderCache(dir, "model-A", counting(calls)).encode(DefaultPrompts.POSITIVE);
        assertThat(calls).hasValue(1);

        cache.encode(DefaultPrompts.NEGATIVE);
        assertThat(calls).hasValue(2);
    }

    @Test
    void anotherModelIdentityMisses() {
        AtomicInteger calls = new AtomicInteger();
        new TextEncoderCache(dir, "model-A", counting(calls)).encode("a dancer");
        new TextEncoderCache(dir, "model-B", counting(calls)).encode("a dancer");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aCorruptEntryIsRecomputed() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        TextEncoderCache cache = new TextEncoderCache(dir, "model-A", counting(calls));
        Files.createDirectories(dir);
        Files.write(cache.entryPath("x"), new byte[] {1, 2, 3});
        assertThat(cache.encode("x").shape()).containsExactly(1, 3);
        assertThat(calls).hasValue(1);
        assertThat(cache.encode("x").shape()).containsExactly(1, 3);
        assertThat(calls).hasValue(1);
    }

    @Test
    void fileIdentityChangesWithTheFile() throws IOException {
        Path f = dir.resolve("t5.pth");
        Files.write(f, new byte[10]);
        String before = TextEncoderCache.fileIdentity(f);
        Files.write(f, new byte[11]);
        assertThat(TextEncoderCache.fileIdentity(f)).isNotEqualTo(before).contains("t5.pth");
    }
}
