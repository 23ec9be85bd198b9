package io.github.wananimate.text;

import java.nio.file.Files;
import io.github.wananimate.weights.WeightException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The reference's umT5 text tokenisation (NETWORKS.md §6): clean the prompt ({@link PromptCleaning}), tokenise
 * with the {@code google/umt5-xxl} unigram model, append {@code </s>}, truncate to {@code text_len} (512) and pad
 * with {@code <pad>} (id 0). The real length counts the EOS.
 */
public final class UMT5Tokenizer {

    /** The original's text length. */
    public static final int TEXT_LEN = 512;
    /** Where the official checkpoint folder keeps the tokenizer. */
    public static final String TOKENIZER_PATH = "google/umt5-xxl/tokenizer.json";

    private final UnigramTokenizer tokenizer;
    private final int textLen;
    private final int padId;

    /** Token ids padded to {@code textLen}, and the number of real ones (EOS included). */
    public record Tokens(int[] ids, int length) {

        /** {@return the first {@code length} ids} */
        public int[] realIds() {
            return Arrays.copyOf(ids, length);
        }

        /** {@return 1 on real tokens, 0 on padding, as float32 values} */
        public float[] mask() {
            float[] m = new float[ids.length];
            Arrays.fill(m, 0, length, 1f);
            return m;
        }
    }

    /**
     * The tokenizer at a text length.
     *
     * @param tokenizer the Unigram model
     * @param textLen tokens kept
     */
    public UMT5Tokenizer(UnigramTokenizer tokenizer, int textLen) {
        this.tokenizer = tokenizer;
        this.textLen = textLen;
        int pad = tokenizer.idOf("<pad>");
        if (pad < 0) {
            throw new IllegalArgumentException("the tokenizer has no <pad> token");
        }
        this.padId = pad;
        if (tokenizer.specialTokenCount() >= textLen) {
            throw new IllegalArgumentException("text_len " + textLen + " leaves no room for the text");
        }
    }

    /**
     * {@return {@code google/umt5-xxl/tokenizer.json} under the official checkpoint folder, with text_len 512}
     *
     * @param folder the folder
     */
    public static UMT5Tokenizer fromCheckpointFolder(Path folder) {
        return fromCheckpointFolder(folder, TEXT_LEN);
    }

    /**
     * {@return {@code google/umt5-xxl/tokenizer.json} under the checkpoint folder, truncating to {@code textLen} (the DiT's)}
     *
     * @param folder the folder
     * @param textLen the text length the encoder pads or truncates to
     */
    public static UMT5Tokenizer fromCheckpointFolder(Path folder, int textLen) {
        Path json = folder.resolve(TOKENIZER_PATH);
        if (!Files.exists(json)) {
            throw new WeightException("no umT5 tokenizer at " + json
                    + " (the official Wan2.2-Animate-14B folder has it at " + TOKENIZER_PATH + ")");
        }
        return new UMT5Tokenizer(UnigramTokenizer.load(json), textLen);
    }

    /** {@return tokens kept} */
    public int textLen() {
        return textLen;
    }

    /**
     * Cleans, tokenises, adds EOS, truncates and pads like the reference's {@code HuggingfaceTokenizer}.
     *
     * @param prompt the prompt
     * @return the result
     */
    public Tokens encode(String prompt) {
        List<Integer> sequence = tokenizer.tokenize(PromptCleaning.clean(prompt));
        int room = textLen - tokenizer.specialTokenCount();
        if (sequence.size() > room) {
            sequence = sequence.subList(0, room);
        }
        List<Integer> withSpecials = tokenizer.applyTemplate(sequence);
        int[] ids = new int[textLen];
        Arrays.fill(ids, padId);
        for (int i = 0; i < withSpecials.size(); i++) {
            ids[i] = withSpecials.get(i);
        }
        return new Tokens(ids, withSpecials.size());
    }
}
