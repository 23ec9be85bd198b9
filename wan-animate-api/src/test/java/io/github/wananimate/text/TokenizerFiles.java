package io.github.wananimate.text;

/** Test helper: the small Unigram tokenizer.json of {@link UnigramTokenizerTest}, for tests in other packages. */
public final class TokenizerFiles {

    private TokenizerFiles() {
    }

    /** A valid tokenizer.json (11 pieces, no normalizer). */
    public static String smallUnigram() {
        return UnigramTokenizerTest.tokenizerJson("null");
    }
}
