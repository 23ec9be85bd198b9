package io.github.wananimate.text;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.Locale;

/**
 * SentencePiece's {@code precompiled_charsmap} normaliser (the NFKC-like folding of spm models), as the HF
 * {@code tokenizers} {@code Precompiled} normaliser applies it: the blob is a little-endian {@code u32} trie size,
 * a darts-clone double-array trie over UTF-8 bytes, then the NUL-terminated replacement strings. Text is walked
 * grapheme by grapheme; a grapheme shorter than 6 bytes is first looked up whole, otherwise (or when it has no
 * entry) each of its characters is looked up; the FIRST (shortest) prefix match wins, as in {@code spm_precompiled}.
 */
public final class PrecompiledCharsMap {

    private final int[] units;
    private final byte[] normalized;

    /**
     * Reads the normaliser's precompiled map.
     *
     * @param blob the bytes of {@code precompiled_charsmap}
     */
    public PrecompiledCharsMap(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("precompiled_charsmap of " + blob.length + " bytes has no trie size");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long trieSize = Integer.toUnsignedLong(b.getInt());
        if (trieSize % 4 != 0 || 4 + trieSize > blob.length) {
            throw new IllegalArgumentException("precompiled_charsmap: trie size " + trieSize + " does not fit a blob of "
                    + blob.length + " bytes");
        }
        units = new int[(int) (trieSize / 4)];
        for (int i = 0; i < units.length; i++) {
            units[i] = b.getInt();
        }
        normalized = new byte[blob.length - 4 - (int) trieSize];
        b.get(normalized);
    }

    /**
     * Applies the map to {@code text}.
     *
     * @param text the text
     * @return the normalize
     */
    public String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
        graphemes.setText(text);
        int start = graphemes.first();
        for (int end = graphemes.next(); end != BreakIterator.DONE; start = end, end = graphemes.next()) {
            String grapheme = text.substring(start, end);
            byte[] bytes = grapheme.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 6) {
                String whole = transform(bytes);
                if (whole != null) {
                    out.append(whole);
                    continue;
                }
            }
            for (int i = 0; i < grapheme.length(); ) {
                int cp = grapheme.codePointAt(i);
                String ch = new String(Character.toChars(cp));
                String replaced = transform(ch.getBytes(StandardCharsets.UTF_8));
                out.append(replaced != null ? replaced : ch);
                i += Character.charCount(cp);
            }
        }
        return out.toString();
    }

    /** The replacement of the first prefix of {@code key} that the trie holds, or null. */
    private String transform(byte[] key) {
        int value = firstPrefixValue(key);
        if (value < 0) {
            return null;
        }
        int end = value;
        while (end < normalized.length && normalized[end] != 0) {
            end++;
        }
        return new String(normalized, value, end - value, StandardCharsets.UTF_8);
    }

    /** darts-clone common-prefix search, stopping at the first hit. */
    private int firstPrefixValue(byte[] key) {
        int nodePos = 0;
        int unit = unit(nodePos);
        nodePos ^= offset(unit);
        for (byte kb : key) {
            int c = kb & 0xff;
            if (c == 0) {
                break;
            }
            nodePos ^= c;
            unit = unit(nodePos);
            if (label(unit) != c) {
                return -1;
            }
            nodePos ^= offset(unit);
            if (hasLeaf(unit)) {
                return unit(nodePos) & 0x7fffffff;
            }
        }
        return -1;
    }

    private int unit(int pos) {
        if (pos < 0 || pos >= units.length) {
            throw new IllegalStateException("precompiled_charsmap trie is corrupt: position " + pos + " outside "
                    + units.length + " units");
        }
        return units[pos];
    }

    private static boolean hasLeaf(int unit) {
        return ((unit >>> 8) & 1) == 1;
    }

    private static int label(int unit) {
        return unit & (0x80000000 | 0xff);
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
