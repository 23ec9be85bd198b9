package io.github.wananimate.api;

import com.google.gson.JsonObject;
import io.github.wananimate.nn.t5.UMT5Config;
import io.github.wananimate.nn.t5.UMT5Encoder;
import io.github.wananimate.procedural.ProceduralModel;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.SafetensorsWriter;
import io.github.wananimate.weights.TorchSaveWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model folder in the official {@code Wan2.2-Animate-14B} layout and file formats around a
 * {@link ProceduralModel}: the DiT in bf16 as two safetensors shards with their index and {@code config.json}, the VAE
 * as a float32 {@code .pth}, the CLIP checkpoint as a {@code .pth} with the {@code visual.*} tower plus text-tower keys
 * that must be ignored, a bf16 umT5 {@code .pth} of width {@code text_dim} with a small unigram
 * {@code google/umt5-xxl/tokenizer.json}, and optionally {@code relighting_lora.ckpt} ({@code {'state_dict': …}}).
 */
final class TinyOfficialFolder {

    static final String SHARD_1 = "diffusion_pytorch_model-00001-of-00002.safetensors";
    static final String SHARD_2 = "diffusion_pytorch_model-00002-of-00002.safetensors";
    static final String VAE = "Wan2.1_VAE.pth";
    static final String T5 = "models_t5_umt5-xxl-enc-bf16.pth";
    static final String CLIP = "models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth";
    static final String LORA = "relighting_lora.ckpt";

    /** Pieces of the tokenizer: the three specials, "▁", the lower-case letters and a few words of the prompts. */
    private static final List<String> PIECES;

    static {
        List<String> pieces = new ArrayList<>(List.of("<pad>", "</s>", "<unk>", "\u2581"));
        for (char c = 'a'; c <= 'z'; c++) {
            pieces.add(String.valueOf(c));
        }
        pieces.addAll(List.of("\u2581the", "\u2581person", "\u2581in", "\u2581video", "\u2581is"));
        PIECES = List.copyOf(pieces);
    }

    private TinyOfficialFolder() {
    }

    /** The umT5 the folder holds: as wide as the DiT's text features, 2 layers, the tokenizer's vocabulary. */
    static UMT5Config t5Config(ProceduralModel model) {
        return new UMT5Config(PIECES.size(), model.dit().textDim(), model.dit().textDim(), 2 * model.dit().textDim(),
                2, 2, 32, 128);
    }

    static Path write(ProceduralModel model, Path folder, boolean relightingLora) throws IOException {
        Files.createDirectories(folder);
        writeDit(model, folder);
        Files.writeString(folder.resolve(ModelFolder.CONFIG), model.dit().toJson().toString());
        try (ProceduralWeights vae = model.vaeWeights()) {
            TorchSaveWriter.writeStateDict(folder.resolve(VAE), all(vae, DType.F32), null);
        }
        try (ProceduralWeights visual = model.clipWeights()) {
            Map<String, HostTensor> clip = new LinkedHashMap<>();
            clip.put("log_scale", HostTensor.ofFloats(new long[] {}, new float[] {4.6f}));
            clip.putAll(all(visual, DType.F32));
            clip.put("textual.token_embedding.weight", HostTensor.zeros(10, 8));
            TorchSaveWriter.writeStateDict(folder.resolve(CLIP), clip, null);
        }
        try (ProceduralWeights t5 = ProceduralWeights.forSpecs(model.seed(),
                new UMT5Encoder(t5Config(model)).parameters())) {
            TorchSaveWriter.writeStateDict(folder.resolve(T5), all(t5, DType.BF16), null);
        }
        Path tokenizer = folder.resolve(ModelFolder.TOKENIZER).resolve("tokenizer.json");
        Files.createDirectories(tokenizer.getParent());
        Files.writeString(tokenizer, tokenizerJson(), StandardCharsets.UTF_8);
        if (relightingLora) {
            try (ProceduralWeights lora = model.relightingLora(2)) {
                TorchSaveWriter.writeStateDict(folder.resolve(LORA), all(lora, DType.F32), "state_dict");
            }
        }
        return folder;
    }

    /** The DiT in bf16, its keys split in two shards, and the index naming each key's shard. */
    private static void writeDit(ProceduralModel model, Path folder) throws IOException {
        try (ProceduralWeights dit = model.ditWeights()) {
            Map<String, HostTensor> tensors = all(dit, DType.BF16);
            Map<String, HostTensor> first = new LinkedHashMap<>();
            Map<String, HostTensor> second = new LinkedHashMap<>();
            JsonObject weightMap = new JsonObject();
            long totalSize = 0;
            int i = 0;
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                boolean inFirst = i++ < tensors.size() / 2;
                (inFirst ? first : second).put(e.getKey(), e.getValue());
                weightMap.addProperty(e.getKey(), inFirst ? SHARD_1 : SHARD_2);
                totalSize += e.getValue().byteSize();
            }
            SafetensorsWriter.write(folder.resolve(SHARD_1), first, Map.of("format", "pt"));
            SafetensorsWriter.write(folder.resolve(SHARD_2), second, Map.of("format", "pt"));
            JsonObject metadata = new JsonObject();
            metadata.addProperty("total_size", totalSize);
            JsonObject index = new JsonObject();
            index.add("metadata", metadata);
            index.add("weight_map", weightMap);
            Files.writeString(folder.resolve(ModelFolder.Component.DIT.candidates().get(0)), index.toString());
        }
    }

    private static Map<String, HostTensor> all(ProceduralWeights weights, DType dtype) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String key : weights.keys()) {
            HostTensor t = weights.get(key);
            out.put(key, dtype == DType.F32 ? t
                    : HostTensor.of(dtype, t.shape(), DTypeConversions.fromFloatArray(dtype, t.toFloatArray())));
        }
        return out;
    }

    /** A HF unigram tokenizer.json in the layout of google/umt5-xxl (Metaspace, EOS appended). */
    private static String tokenizerJson() {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < PIECES.size(); i++) {
            double score = i < 3 ? 0.0 : PIECES.get(i).length() > 2 ? -1.0 : -4.0;
            vocab.append(i == 0 ? "" : ",").append("[\"").append(PIECES.get(i)).append("\",").append(score).append(']');
        }
        return """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[
                  {"id":0,"content":"<pad>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                  {"id":1,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                  {"id":2,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "pair":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}},
                           {"Sequence":{"id":"B","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "special_tokens":{"</s>":{"id":"</s>","ids":[1],"tokens":["</s>"]}}},
                 "decoder":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
                 "model":{"type":"Unigram","unk_id":2,"vocab":[%s],"byte_fallback":false}}
                """.formatted(vocab);
    }
}
