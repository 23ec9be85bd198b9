package io.github.wananimate.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.wananimate.io.SmallFiles;
import io.github.wananimate.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A SentencePiece-unigram tokenizer read from a HuggingFace {@code tokenizer.json} (the format of
 * {@code google/umt5-xxl}), reimplemented in plain Java: added tokens split out of the raw text, the normaliser
 * chain ({@code Precompiled}, {@code Replace}, {@code Strip}, {@code NFKC}/{@code NFC}/…, {@code Lowercase},
 * {@code Sequence}), the {@code Metaspace} pre-tokeniser, Viterbi segmentation over the piece scores with the HF
 * unknown-token rule (a character no piece covers costs {@code min score − 10}; consecutive unknowns fuse into one),
 * and the {@code TemplateProcessing} post-processor for the single-sequence case.
 *
 * <p>Why not a library: DJL's {@code ai.djl.huggingface:tokenizers} wraps the Rust library through JNI, which would
 * bring a native library and DJL into {@code wan-animate-api}, the module that must stay free of native code. The
 * unigram algorithm is small and fully specified by the JSON.
 *
 * <p>Not supported (rejected with an error when the file uses them): BPE/WordPiece models, byte fallback, other
 * pre-tokenisers. Added tokens are matched literally on the raw text (their {@code lstrip}/{@code rstrip}/
 * {@code single_word} flags, all false in T5 files, are not interpreted).
 */
public final class UnigramTokenizer {

    private static final double UNK_PENALTY = 10.0;

    /** The umT5 tokenizer.json is 16 MB. */
    private static final long MAX_FILE_BYTES = 256L << 20;

    private final Map<String, Integer> pieceIds;
    private final double[] scores;
    private final int maxPieceChars;
    private final int unkId;
    private final double unkScore;
    private final List<AddedToken> addedTokens;
    private final UnaryOperator<String> normalizer;
    private final Metaspace metaspace;
    private final List<TemplatePart> template;
    private final String source;

    private record AddedToken(String content, int id) {
    }

    /** One element of the single-sequence template: the sequence itself ({@code ids == null}) or special ids. */
    private record TemplatePart(int[] ids) {
    }

    private record Metaspace(String replacement, String prependScheme, boolean split) {
    }

    private UnigramTokenizer(JsonObject json, String source) {
        this.source = source;
        JsonObject model = object(json, "model");
        String type = model.has("type") ? model.get("type").getAsString() : "";
        if (!type.equals("Unigram")) {
            throw error("model type '" + type + "' is not supported (only Unigram)");
        }
        if (model.has("byte_fallback") && model.get("byte_fallback").getAsBoolean()) {
            throw error("Unigram byte_fallback is not supported");
        }
        if (!model.has("vocab") || !model.get("vocab").isJsonArray() || model.getAsJsonArray("vocab").isEmpty()) {
            throw error("model.vocab must be a non-empty array of [piece, score] pairs, found "
                    + brief(model.get("vocab")));
        }
        JsonArray vocab = model.getAsJsonArray("vocab");
        pieceIds = new HashMap<>(vocab.size() * 2);
        scores = new double[vocab.size()];
        int longest = 0;
        double minScore = Double.POSITIVE_INFINITY;
        for (int id = 0; id < vocab.size(); id++) {
            JsonElement e = vocab.get(id);
            JsonArray entry = e.isJsonArray() ? e.getAsJsonArray() : null;
            if (entry == null || entry.size() != 2 || !isString(entry.get(0)) || !isNumber(entry.get(1))
                    || !Double.isFinite(entry.get(1).getAsDouble())) {
                throw error("model.vocab[" + id + "] must be a [piece, score] pair, found " + brief(e));
            }
            String piece = entry.get(0).getAsString();
            scores[id] = entry.get(1).getAsDouble();
            pieceIds.putIfAbsent(piece, id);
            longest = Math.max(longest, piece.length());
            minScore = Math.min(minScore, scores[id]);
        }
        maxPieceChars = longest;
        if (!model.has("unk_id") || model.get("unk_id").isJsonNull()) {
            throw error("Unigram model has no unk_id");
        }
        JsonElement unk = model.get("unk_id");
        if (!isNumber(unk) || unk.getAsDouble() != Math.rint(unk.getAsDouble()) || unk.getAsDouble() < 0
                || unk.getAsDouble() >= vocab.size()) {
            throw error("model.unk_id must be the id of a vocabulary entry (0.." + (vocab.size() - 1) + "), found "
                    + brief(unk));
        }
        unkId = unk.getAsInt();
        unkScore = minScore - UNK_PENALTY;

        addedTokens = new ArrayList<>();
        if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
            for (JsonElement e : json.getAsJsonArray("added_tokens")) {
                JsonObject t = e.isJsonObject() ? e.getAsJsonObject() : null;
                if (t == null || !isString(t.get("content")) || !isNumber(t.get("id"))) {
                    throw error("added_tokens entries must be objects with a string content and a numeric id, found "
                            + brief(e));
                }
                addedTokens.add(new AddedToken(t.get("content").getAsString(), t.get("id").getAsInt()));
            }
        }
        normalizer = normalizer(json.get("normalizer"));
        metaspace = metaspace(json.get("pre_tokenizer"));
        template = template(json.get("post_processor"));
    }

    /** Reads a {@code tokenizer.json}. */
    /**
     * Reads a {@code tokenizer.json}.
     *
     * @param tokenizerJson the tokenizer.json file
     * @throws WeightException naming the file (and the field) when it is missing, not a regular file, larger than
     *     {@value #MAX_FILE_BYTES} bytes, or not a Unigram tokenizer this class supports
     * @return the result
     */
    public static UnigramTokenizer load(Path tokenizerJson) {
        String text;
        try {
            text = SmallFiles.readString(tokenizerJson, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new WeightException("cannot read tokenizer: " + e.getMessage(), e);
        }
        try {
            JsonElement json = JsonParser.parseString(text);
            if (!json.isJsonObject()) {
                throw new WeightException(tokenizerJson + " is not a valid tokenizer.json: the top level is "
                        + brief(json) + ", not an object");
            }
            return new UnigramTokenizer(json.getAsJsonObject(), tokenizerJson.toString());
        } catch (IllegalArgumentException e) { // our own checks, already naming the file and field
            throw new WeightException(e.getMessage(), e);
        } catch (IllegalStateException | UnsupportedOperationException | ClassCastException
                | IndexOutOfBoundsException | NullPointerException | com.google.gson.JsonParseException e) {
            throw new WeightException(tokenizerJson + " is not a valid tokenizer.json (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", e);
        }
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static boolean isNumber(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    /** A JSON value for a message, cut to 80 characters. */
    private static String brief(JsonElement e) {
        String text = e == null ? "nothing" : e.toString();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** {@return the number of pieces} */
    public int vocabSize() {
        return scores.length;
    }

    /**
     * {@return the id of a piece or added token, or -1}
     *
     * @param token the token
     */
    public int idOf(String token) {
        for (AddedToken t : addedTokens) {
            if (t.content.equals(token)) {
                return t.id;
            }
        }
        return pieceIds.getOrDefault(token, -1);
    }

    /** {@return the unknown token's id} */
    public int unkId() {
        return unkId;
    }

    /**
     * {@return token ids of {@code text} without special tokens (no EOS)}
     *
     * @param text the text
     */
    public List<Integer> tokenize(String text) {
        List<Integer> ids = new ArrayList<>();
        int segmentStart = 0;
        boolean first = true;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = addedTokenAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > segmentStart) {
                encodeSegment(text.substring(segmentStart, i), first, ids);
            }
            first = false;
            ids.add(match.id);
            i += match.content.length();
            segmentStart = i;
        }
        if (segmentStart < text.length()) {
            encodeSegment(text.substring(segmentStart), first, ids);
        }
        return ids;
    }

    /**
     * {@return token ids with the post-processor's special tokens (for T5: the sequence then {@code </s>})}
     *
     * @param text the text
     */
    public List<Integer> encode(String text) {
        return applyTemplate(tokenize(text));
    }

    /**
     * {@return the post-processor's template around {@code sequence}}
     *
     * @param sequence the sequence
     */
    public List<Integer> applyTemplate(List<Integer> sequence) {
        List<Integer> out = new ArrayList<>(sequence.size() + 2);
        for (TemplatePart part : template) {
            if (part.ids == null) {
                out.addAll(sequence);
            } else {
                for (int id : part.ids) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    /** {@return number of tokens the template adds around a sequence} */
    public int specialTokenCount() {
        return applyTemplate(List.of()).size();
    }

    private AddedToken addedTokenAt(String text, int at) {
        AddedToken best = null;
        for (AddedToken t : addedTokens) {
            if (!t.content.isEmpty() && text.startsWith(t.content, at)
                    && (best == null || t.content.length() > best.content.length())) {
                best = t;
            }
        }
        return best;
    }

    private void encodeSegment(String segment, boolean firstSegment, List<Integer> ids) {
        String normalized = normalizer.apply(segment);
        if (normalized.isEmpty()) {
            return;
        }
        for (String word : preTokenize(normalized, firstSegment)) {
            viterbi(word, ids);
        }
    }

    private List<String> preTokenize(String text, boolean firstSegment) {
        if (metaspace == null) {
            return List.of(text);
        }
        String r = metaspace.replacement;
        String s = text.replace(" ", r);
        boolean prepend = switch (metaspace.prependScheme) {
            case "always" -> true;
            case "first" -> firstSegment;
            default -> false;
        };
        if (prepend && !s.startsWith(r)) {
            s = r + s;
        }
        if (!metaspace.split) {
            return List.of(s);
        }
        // Split before every replacement character, which stays with the word that follows ("MergedWithNext").
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = s.indexOf(r, 1); i >= 0; i = s.indexOf(r, i + r.length())) {
            if (i > start) {
                words.add(s.substring(start, i));
            }
            start = i;
        }
        if (start < s.length()) {
            words.add(s.substring(start));
        }
        return words;
    }

    /**
     * Best-scoring segmentation of {@code word} (HF {@code Unigram::encode_optimized}): positions are visited left
     * to right, candidates shortest first, and a path replaces the best one ending at the same place only when it
     * scores strictly higher.
     */
    private void viterbi(String word, List<Integer> ids) {
        int n = word.length();
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] piece = new int[n + 1];
        boolean[] reached = new boolean[n + 1];
        reached[0] = true;
        for (int start = 0; start < n; start = next(word, start)) {
            if (!reached[start]) {
                continue;
            }
            int charLen = next(word, start) - start;
            boolean hasSingle = false;
            for (int end = start + 1; end <= Math.min(n, start + maxPieceChars); end++) {
                if (end < n && Character.isLowSurrogate(word.charAt(end)) && Character.isHighSurrogate(word.charAt(end - 1))) {
                    continue;
                }
                Integer id = pieceIds.get(word.substring(start, end));
                if (id == null) {
                    continue;
                }
                if (end - start == charLen) {
                    hasSingle = true;
                }
                relax(best, from, piece, reached, start, end, id, best[start] + scores[id]);
            }
            if (!hasSingle) {
                relax(best, from, piece, reached, start, start + charLen, unkId, best[start] + unkScore);
            }
        }
        List<Integer> reversed = new ArrayList<>();
        for (int pos = n; pos > 0; pos = from[pos]) {
            reversed.add(piece[pos]);
        }
        boolean previousUnk = false;
        for (int k = reversed.size() - 1; k >= 0; k--) {
            int id = reversed.get(k);
            boolean unk = id == unkId;
            if (!(unk && previousUnk)) {
                ids.add(id);
            }
            previousUnk = unk;
        }
    }

    private static void relax(double[] best, int[] from, int[] piece, boolean[] reached, int start, int end, int id,
            double score) {
        if (!reached[end] || score > best[end]) {
            reached[end] = true;
            best[end] = score;
            from[end] = start;
            piece[end] = id;
        }
    }

    private static int next(String s, int i) {
        return i + Character.charCount(s.codePointAt(i));
    }

    // ------------------------------------------------------------------ configuration

    private UnaryOperator<String> normalizer(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return UnaryOperator.identity();
        }
        JsonObject o = e.getAsJsonObject();
        String type = o.get("type").getAsString();
        switch (type) {
            case "Sequence" -> {
                List<UnaryOperator<String>> steps = new ArrayList<>();
                for (JsonElement n : o.getAsJsonArray("normalizers")) {
                    steps.add(normalizer(n));
                }
                return s -> {
                    for (UnaryOperator<String> step : steps) {
                        s = step.apply(s);
                    }
                    return s;
                };
            }
            case "Precompiled" -> {
                JsonElement map = o.get("precompiled_charsmap");
                if (map == null || map.isJsonNull() || map.getAsString().isEmpty()) {
                    return UnaryOperator.identity();
                }
                PrecompiledCharsMap charsMap = new PrecompiledCharsMap(Base64.getDecoder().decode(map.getAsString()));
                return charsMap::normalize;
            }
            case "Replace" -> {
                JsonObject pattern = o.getAsJsonObject("pattern");
                String content = o.get("content").getAsString();
                Pattern p = pattern.has("Regex") ? Pattern.compile(pattern.get("Regex").getAsString())
                        : Pattern.compile(Pattern.quote(pattern.get("String").getAsString()));
                String replacement = java.util.regex.Matcher.quoteReplacement(content);
                return s -> p.matcher(s).replaceAll(replacement);
            }
            case "Strip" -> {
                boolean left = !o.has("strip_left") || o.get("strip_left").getAsBoolean();
                boolean right = !o.has("strip_right") || o.get("strip_right").getAsBoolean();
                return s -> strip(s, left, right);
            }
            case "NFKC" -> {
                return s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            }
            case "NFC" -> {
                return s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            }
            case "NFKD" -> {
                return s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            }
            case "NFD" -> {
                return s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            }
            case "Lowercase" -> {
                return s -> s.toLowerCase(Locale.ROOT);
            }
            default -> throw error("normalizer type '" + type + "' is not supported");
        }
    }

    private static String strip(String s, boolean left, boolean right) {
        int begin = 0;
        int end = s.length();
        while (left && begin < end && Character.isWhitespace(s.charAt(begin))) {
            begin++;
        }
        while (right && end > begin && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(begin, end);
    }

    private Metaspace metaspace(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        JsonObject o = e.getAsJsonObject();
        String type = o.get("type").getAsString();
        if (type.equals("Sequence")) {
            Metaspace found = null;
            for (JsonElement p : o.getAsJsonArray("pretokenizers")) {
                Metaspace m = metaspace(p);
                if (m != null) {
                    if (found != null) {
                        throw error("more than one Metaspace pre-tokenizer");
                    }
                    found = m;
                }
            }
            return found;
        }
        if (!type.equals("Metaspace")) {
            throw error("pre-tokenizer type '" + type + "' is not supported (only Metaspace)");
        }
        String replacement = o.has("replacement") ? o.get("replacement").getAsString() : "\u2581";
        String scheme;
        if (o.has("prepend_scheme")) {
            scheme = o.get("prepend_scheme").getAsString();
        } else {
            scheme = !o.has("add_prefix_space") || o.get("add_prefix_space").getAsBoolean() ? "always" : "never";
        }
        boolean split = !o.has("split") || o.get("split").getAsBoolean();
        return new Metaspace(replacement, scheme, split);
    }

    private List<TemplatePart> template(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return List.of(new TemplatePart(null));
        }
        JsonObject o = e.getAsJsonObject();
        String type = o.get("type").getAsString();
        if (!type.equals("TemplateProcessing")) {
            throw error("post-processor type '" + type + "' is not supported (only TemplateProcessing)");
        }
        JsonObject specials = o.has("special_tokens") ? o.getAsJsonObject("special_tokens") : new JsonObject();
        List<TemplatePart> parts = new ArrayList<>();
        for (JsonElement item : o.getAsJsonArray("single")) {
            JsonObject p = item.getAsJsonObject();
            if (p.has("Sequence")) {
                parts.add(new TemplatePart(null));
            } else if (p.has("SpecialToken")) {
                String id = p.getAsJsonObject("SpecialToken").get("id").getAsString();
                if (!specials.has(id)) {
                    throw error("post-processor names special token '" + id + "' without ids");
                }
                JsonArray arr = specials.getAsJsonObject(id).getAsJsonArray("ids");
                int[] ids = new int[arr.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = arr.get(i).getAsInt();
                }
                parts.add(new TemplatePart(ids));
            } else {
                throw error("unknown template element " + p);
            }
        }
        return parts;
    }

    private static JsonObject object(JsonObject json, String field) {
        if (!json.has(field) || !json.get(field).isJsonObject()) {
            throw new IllegalStateException("field '" + field + "' is missing");
        }
        return json.getAsJsonObject(field);
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException((source == null ? "tokenizer.json" : source) + ": " + message);
    }
}
