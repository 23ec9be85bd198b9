package io.github.wananimate.nn.dit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.wananimate.io.SmallFiles;
import io.github.wananimate.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The configuration of {@code WanAnimateModel} (NETWORKS.md §1.1), as stored in the checkpoint folder's
 * {@code config.json}. Only the sizes that may change are fields; everything the original hard-wires (patch
 * size (1,2,2), 36 input / 16 output channels, global attention, q/k norms, motion width 512) is checked when
 * reading a file and otherwise implied.
 *
 * @param dim          model width D
 * @param ffnDim       hidden width of each block's FFN
 * @param freqDim      width of the timestep sinusoid
 * @param textDim      width of the text encoder's features (4096 for umT5-xxl)
 * @param textLen      number of rows the text context is zero-padded to
 * @param numHeads     self/cross-attention and face-adapter heads
 * @param numLayers    transformer blocks; a positive multiple of 5 (one face-adapter block per 5)
 * @param eps          epsilon of the block LayerNorms and q/k RMSNorms
 */
public record DiTConfig(int dim, int ffnDim, int freqDim, int textDim, int textLen, int numHeads, int numLayers,
        double eps) {

    /** Fixed by the architecture (NETWORKS.md §11): noise 16 + mask 4 + latent 16 channels. */
    public static final int IN_DIM = 36;
    /** Latent channels the DiT predicts. */
    public static final int OUT_DIM = 16;
    /** Channels of the pose latent (the VAE's z_dim), hard-wired in the pose patch embedding. */
    public static final int POSE_DIM = 16;
    /** Width of a face's motion code. */
    public static final int MOTION_DIM = 512;
    /** The CLIP token count and width MLPProj and the cross-attention split are hard-wired to. */
    public static final int CLIP_TOKENS = 257;
    /** Width of the CLIP image feature. */
    public static final int CLIP_DIM = 1280;
    /** A face-adapter block follows every {@code FACE_BLOCK_EVERY}-th transformer block. */
    public static final int FACE_BLOCK_EVERY = 5;
    /** Rows of each RoPE frequency table: the largest frame count / patch-grid side the original supports. */
    public static final int ROPE_TABLE_LENGTH = 1024;

    /** The size fields of {@code config.json}, in constructor order. */
    private static final List<String> SIZE_FIELDS = List.of("dim", "ffn_dim", "freq_dim", "text_dim", "text_len",
            "num_heads", "num_layers");
    /** The largest value of any size field (the 14B model's largest is ffn_dim 13,824). */
    public static final int MAX_SIZE = 1 << 16;
    /** A config.json is a few hundred bytes. */
    private static final long MAX_CONFIG_BYTES = 1 << 20;

    /** The official {@code Wan2.2-Animate-14B} values. */
    public static final DiTConfig WAN_ANIMATE_14B = new DiTConfig(5120, 13824, 256, 4096, 512, 40, 40, 1e-6);

    /**
     * Checks that the sizes are consistent.
     *
     * @param dim          model width D
     * @param ffnDim       hidden width of each block's FFN
     * @param freqDim      width of the timestep sinusoid
     * @param textDim      width of the text encoder's features (4096 for umT5-xxl)
     * @param textLen      number of rows the text context is zero-padded to
     * @param numHeads     self/cross-attention and face-adapter heads
     * @param numLayers    transformer blocks; a positive multiple of 5 (one face-adapter block per 5)
     * @param eps          epsilon of the block LayerNorms and q/k RMSNorms
     */
    public DiTConfig {
        List<String> problems = new ArrayList<>();
        if (dim <= 0 || ffnDim <= 0 || freqDim <= 0 || textDim <= 0 || textLen <= 0 || numHeads <= 0) {
            problems.add("dim, ffn_dim, freq_dim, text_dim, text_len and num_heads must be positive");
        }
        if (numLayers <= 0 || numLayers % FACE_BLOCK_EVERY != 0) {
            problems.add("num_layers must be a positive multiple of " + FACE_BLOCK_EVERY
                    + " (block 5k is followed by face-adapter block k), got " + numLayers);
        }
        if (numHeads > 0 && dim % numHeads != 0) {
            problems.add("dim " + dim + " is not divisible by num_heads " + numHeads);
        } else if (numHeads > 0 && (dim / numHeads) % 2 != 0) {
            problems.add("head dim " + dim / numHeads + " is odd; RoPE rotates channel pairs");
        }
        if (freqDim % 2 != 0) {
            problems.add("freq_dim " + freqDim + " is odd; the sinusoid is [cos, sin] halves");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            problems.add("eps must be a positive number, got " + eps);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid WanAnimateModel config: " + String.join("; ", problems));
        }
    }

    /** {@return {@code D / heads}} */
    public int headDim() {
        return dim / numHeads;
    }

    /** {@return number of face-adapter blocks, {@code num_layers / 5}} */
    public int faceBlocks() {
        return numLayers / FACE_BLOCK_EVERY;
    }

    /**
     * Reads {@code config.json} from a checkpoint folder, or the file itself.
     *
     * @param folderOrFile a folder or a file
     * @return the result
     */
    public static DiTConfig read(Path folderOrFile) {
        Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve("config.json") : folderOrFile;
        String text;
        try {
            text = SmallFiles.readString(file, MAX_CONFIG_BYTES);
        } catch (IOException e) {
            throw new WeightException("cannot read DiT config: " + e.getMessage(), e);
        }
        try {
            return fromJson(JsonParser.parseString(text).getAsJsonObject());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
                | NumberFormatException | ClassCastException e) {
            throw new WeightException("DiT config " + file + " is not a valid config object: "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new WeightException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the official field names. Fields the original hard-wires must have their only supported value; an
     * absent one is taken as that value.
     *
     * @param json the JSON
     * @return the result
     */
    public static DiTConfig fromJson(JsonObject json) {
        List<String> problems = new ArrayList<>();
        if (json.has("_class_name") && !json.get("_class_name").getAsString().equals("WanAnimateModel")) {
            problems.add("_class_name is " + json.get("_class_name").getAsString()
                    + ", expected WanAnimateModel (a diffusers or Animate-2 config needs another key map)");
        }
        requireInts(json, "patch_size", new int[] {1, 2, 2}, problems);
        requireInts(json, "window_size", new int[] {-1, -1}, problems);
        requireInt(json, "in_dim", IN_DIM, problems);
        requireInt(json, "out_dim", OUT_DIM, problems);
        requireInt(json, "motion_encoder_dim", MOTION_DIM, problems);
        requireTrue(json, "qk_norm", problems);
        requireTrue(json, "cross_attn_norm", problems);
        requireTrue(json, "use_img_emb", problems);
        if (json.has("use_context_parallel") && json.get("use_context_parallel").getAsBoolean()) {
            problems.add("use_context_parallel=true is not supported (it changes nothing numerically; set it false)");
        }
        for (String field : SIZE_FIELDS) {
            if (!json.has(field)) {
                problems.add("missing field \"" + field + "\"");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("unsupported WanAnimateModel config: " + String.join("; ", problems));
        }
        double eps = json.has("eps") ? json.get("eps").getAsDouble() : 1e-6;
        int[] v = new int[SIZE_FIELDS.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = size(json, SIZE_FIELDS.get(i), problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("unsupported WanAnimateModel config: " + String.join("; ", problems));
        }
        return new DiTConfig(v[0], v[1], v[2], v[3], v[4], v[5], v[6], eps);
    }

    /** {@return the config as the official {@code config.json} object} */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "WanAnimateModel");
        o.add("patch_size", ints(1, 2, 2));
        o.addProperty("text_len", textLen);
        o.addProperty("in_dim", IN_DIM);
        o.addProperty("dim", dim);
        o.addProperty("ffn_dim", ffnDim);
        o.addProperty("freq_dim", freqDim);
        o.addProperty("text_dim", textDim);
        o.addProperty("out_dim", OUT_DIM);
        o.addProperty("num_heads", numHeads);
        o.addProperty("num_layers", numLayers);
        o.add("window_size", ints(-1, -1));
        o.addProperty("qk_norm", true);
        o.addProperty("cross_attn_norm", true);
        o.addProperty("eps", eps);
        o.addProperty("motion_encoder_dim", MOTION_DIM);
        return o;
    }

    private static JsonArray ints(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    /** A size field: an integer in 1..{@link #MAX_SIZE}, read without overflow (10^12 is not "negative"). */
    private static int size(JsonObject json, String field, List<String> problems) {
        JsonElement e = json.get(field);
        java.math.BigDecimal value = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
                ? e.getAsBigDecimal() : null;
        if (value == null || value.signum() <= 0 || value.compareTo(java.math.BigDecimal.valueOf(MAX_SIZE)) > 0
                || value.stripTrailingZeros().scale() > 0) {
            problems.add(field + " is " + e + ", expected an integer in 1.." + MAX_SIZE);
            return 0;
        }
        return value.intValueExact();
    }

    private static void requireInt(JsonObject json, String field, int expected, List<String> problems) {
        if (json.has(field) && json.get(field).getAsInt() != expected) {
            problems.add(field + " is " + json.get(field) + ", the architecture fixes it at " + expected);
        }
    }

    private static void requireTrue(JsonObject json, String field, List<String> problems) {
        if (json.has(field) && !json.get(field).getAsBoolean()) {
            problems.add(field + "=false is not supported (the Animate model always uses it)");
        }
    }

    private static void requireInts(JsonObject json, String field, int[] expected, List<String> problems) {
        if (!json.has(field)) {
            return;
        }
        JsonElement e = json.get(field);
        boolean ok = e.isJsonArray() && e.getAsJsonArray().size() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = e.getAsJsonArray().get(i).getAsInt() == expected[i];
        }
        if (!ok) {
            problems.add(field + " is " + e + ", the architecture fixes it at " + Arrays.toString(expected));
        }
    }
}
