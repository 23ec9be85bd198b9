package io.github.wananimate.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small unigram vocabulary written as a HF tokenizer.json; expected ids worked out by hand (see each test).
 */
class UnigramTokenizerTest {

    /** id: piece (score). */
    static final Object[][] VOCAB = {
            {"<pad>", 0.0}, {"</s>", 0.0}, {"<unk>", 0.0}, {"\u2581", -3.0}, {"\u2581a", -2.0}, {"bc", -2.0},
            {"\u2581ab", -5.0}, {"c", -5.0}, {"b", -6.0}, {"\u2581d", -1.0}, {"a", -4.0}};

    @TempDir
    Path dir;

    static String tokenizerJson(String normalizer) {
        StringBuilder vocab = new StringBuilder();
        for (Object[] v : VOCAB) {
            vocab.append(vocab.length() == 0 ? "" : ",").append("[\"").append(v[0]).append("\",").append(v[1]).append("]");
        }
        return """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[
                  {"id":0,"content":"<pad>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                  {"id":1,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                  {"id":2,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":%s,
                 "pre_tokenizer":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "pair":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}},
                           {"Sequence":{"id":"B","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "special_tokens":{"</s>":{"id":"</s>","ids":[1],"tokens":["</s>"]}}},
                 "decoder":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
                 "model":{"type":"Unigram","unk_id":2,"vocab":[%s],"byte_fallback":false}}
                """.formatted(normalizer, vocab);
    }

    private UnigramTokenizer write(String normalizer) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, tokenizerJson(normalizer), StandardCharsets.UTF_8);
        return UnigramTokenizer.load(file);
    }

    private static List<Integer> ids(int... ids) {
        List<Integer> out = new ArrayList<>();
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    /**
     * "abc d" → "▁abc", "▁d". Greedy longest match would take ▁ab (−5) + c (−5) = −10; Viterbi finds
     * ▁a (−2) + bc (−2) = −4. Then ▁d and EOS.
     */
    @Test
    void viterbiBeatsGreedyLongestMatch() throws IOException {
        UnigramTokenizer t = write("null");
        assertThat(t.encode("abc d")).isEqualTo(ids(4, 5, 9, 1));
    }

    /** "a xy": ▁a, then ▁ (−3) and x, y which no piece covers → one fused <unk>. */
    @Test
    void unknownCharactersBecomeOneUnk() throws IOException {
        UnigramTokenizer t = write("null");
        assertThat(t.encode("a xy")).isEqualTo(ids(4, 3, 2, 1));
        // A character outside the BMP is one unknown too (not two halves of a surrogate pair).
        assertThat(t.encode("\uD83D\uDE00")).isEqualTo(ids(3, 2, 1));
    }

    /** "a</s>b": the added token is split out of the raw text; "b" is prefixed again (prepend_scheme always). */
    @Test
    void addedTokensAreMatchedOnTheRawText() throws IOException {
        UnigramTokenizer t = write("null");
        assertThat(t.encode("a</s>b")).isEqualTo(ids(4, 1, 3, 8, 1));
    }

    @Test
    void umt5WrapperTruncatesKeepingEosAndPads() throws IOException {
        UnigramTokenizer t = write("null");
        UMT5Tokenizer.Tokens tokens = new UMT5Tokenizer(t, 5).encode("abc d abc");
        assertThat(tokens.ids()).containsExactly(4, 5, 9, 4, 1);
        assertThat(tokens.length()).isEqualTo(5);

        UMT5Tokenizer.Tokens padded = new UMT5Tokenizer(t, 8).encode("  abc&amp;amp;\n d ");
        // cleaned to "abc& d": "&" is unknown → ▁a bc <unk> ▁d </s>, then <pad>.
        assertThat(padded.ids()).containsExactly(4, 5, 2, 9, 1, 0, 0, 0);
        assertThat(padded.length()).isEqualTo(5);
        assertThat(padded.realIds()).containsExactly(4, 5, 2, 9, 1);
        assertThat(padded.mask()).containsExactly(1, 1, 1, 1, 1, 0, 0, 0);
    }

    /** A Precompiled normaliser built from a hand-made darts-clone trie: Ａ (U+FF21) → "a", ﬁ (U+FB01) → "bc". */
    @Test
    void precompiledCharsMapIsApplied() throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("\uFF21", "a");
        map.put("\uFB01", "bc");
        String blob = Base64.getEncoder().encodeToString(DartsBuilder.charsMap(map));
        UnigramTokenizer t = write("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Precompiled\","
                + "\"precompiled_charsmap\":\"" + blob + "\"},{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},"
                + "\"content\":\" \"}]}");
        assertThat(new PrecompiledCharsMap(DartsBuilder.charsMap(map)).normalize("x\uFF21\uFB01y\uFF22"))
                .isEqualTo("xabcy\uFF22");
        // "Ａﬁ  d" → "abc d" → same ids as the Viterbi case.
        assertThat(t.encode("\uFF21\uFB01  d")).isEqualTo(ids(4, 5, 9, 1));
    }

    @Test
    void rejectsModelsItDoesNotImplement() throws IOException {
        Path file = dir.resolve("bpe.json");
        Files.writeString(file, "{\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}");
        assertThatThrownBy(() -> UnigramTokenizer.load(file)).hasMessageContaining("BPE").hasMessageContaining(
                file.toString());
    }

    /** Builds darts-clone double arrays: every trie node gets its own 256-unit block for its children. */
    static final class DartsBuilder {

        static byte[] charsMap(Map<String, String> replacements) {
            ByteArrayOutputStream normalized = new ByteArrayOutputStream();
            Map<byte[], Integer> keys = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : replacements.entrySet()) {
                keys.put(e.getKey().getBytes(StandardCharsets.UTF_8), normalized.size());
                normalized.writeBytes(e.getValue().getBytes(StandardCharsets.UTF_8));
                normalized.write(0);
            }
            int[] units = build(keys);
            ByteBuffer out = ByteBuffer.allocate(4 + units.length * 4 + normalized.size()).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(units.length * 4);
            for (int u : units) {
                out.putInt(u);
            }
            out.put(normalized.toByteArray());
            return out.array();
        }

        private static final class Node {
            final Map<Integer, Node> children = new LinkedHashMap<>();
            Integer value;
        }

        private static int[] build(Map<byte[], Integer> keys) {
            Node root = new Node();
            for (Map.Entry<byte[], Integer> e : keys.entrySet()) {
                Node n = root;
                for (byte b : e.getKey()) {
                    n = n.children.computeIfAbsent(b & 0xff, k -> new Node());
                }
                n.value = e.getValue();
            }
            List<int[]> units = new ArrayList<>();
            int[] array = new int[256 * 64];
            int[] nextBlock = {1};
            place(root, 0, array, nextBlock, 0);
            return Arrays.copyOf(array, 256 * nextBlock[0]);
        }

        /** Writes the node at {@code pos} (its label already set by the parent) and its subtree. */
        private static void place(Node node, int pos, int[] array, int[] nextBlock, int label) {
            int block = 256 * nextBlock[0]++;
            int offset = pos ^ block;
            boolean leaf = node.value != null;
            array[pos] = (offset << 10) | (leaf ? 1 << 8 : 0) | label;
            if (leaf) {
                array[block] = 0x80000000 | node.value; // the value unit sits at label 0 of the child block
            }
            for (Map.Entry<Integer, Node> c : node.children.entrySet()) {
                place(c.getValue(), block ^ c.getKey(), array, nextBlock, c.getKey());
            }
        }
    }
}
