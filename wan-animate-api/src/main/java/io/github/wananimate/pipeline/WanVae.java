package io.github.wananimate.pipeline;

import io.github.wananimate.nn.vae.FeatureCache;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeDecoder;
import io.github.wananimate.nn.vae.VaeEncoder;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Wan 2.1 VAE on any backend: chunked, causal encode and streaming decode (NETWORKS.md §4.5).
 *
 * <p>Encode runs the video in chunks of 1, 4, 4, … frames; decode runs one latent frame at a time and hands out
 * 1, 4, 4, … pixel frames as they are produced. Between chunks only the causal cache travels (two frames per
 * temporal conv at that conv's resolution), held on the backend as {@link DeviceTensor}s rather than copied to the
 * host and back, so device memory does not grow with the video length. Each network
 * holds one graph per call form (start chunk and continuation chunk).
 *
 * <p>Videos are {@code [3, T, H, W]} float tensors in [-1, 1], latents {@code [16, T', H/8, W/8]} normalised with
 * the latent statistics; T = 4k+1 and T' = k+1.
 */
public final class WanVae implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WanVae.class);

    private final VaeConfig config;
    private final LoadedNetwork encoder;
    private final LoadedNetwork decoder;

    private WanVae(VaeConfig config, LoadedNetwork encoder, LoadedNetwork decoder) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /**
     * Binds the encoder and decoder to {@code weights} (official key names) on {@code backend}. Missing,
     * mis-shaped and unknown keys of the whole checkpoint are reported together.
     */
    public static WanVae load(Backend backend, ParameterSource weights, VaeConfig config) {
        VaeWeights.validate(weights, config);
        LoadedNetwork encoder = backend.load(new VaeEncoder(config), weights);
        try {
            LoadedNetwork decoder = backend.load(new VaeDecoder(config), weights);
            LOG.debug("VAE {} bound on {} ({})", config, backend.name(), backend.device());
            return new WanVae(config, encoder, decoder);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    public VaeConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------ encode

    /** Encodes {@code video [3, T, H, W]} (T = 4k+1) chunk by chunk → normalised latent {@code [16, k+1, H/8, W/8]}. */
    public HostTensor encode(HostTensor video) {
        long frames = checkVideo(video);
        List<HostTensor> latents = new ArrayList<>();
        try (CausalChunks chunks = new CausalChunks(encoder, VaeEncoder.INPUT_VIDEO, VaeEncoder.OUTPUT_LATENT)) {
            for (long start = 0; start < frames; start = start == 0 ? 1 : start + config.timeStride()) {
                long end = start == 0 ? 1 : start + config.timeStride();
                latents.add(chunks.next(sliceFrames(video, start, end)));
            }
        }
        return concatFrames(latents);
    }

    /** Encodes the whole video in one network call: same result as {@link #encode}, memory grows with T. */
    public HostTensor encodeFullSequence(HostTensor video) {
        checkVideo(video);
        HostTensor latent = encoder.run(Map.of(VaeEncoder.INPUT_VIDEO, withBatch(video))).get(VaeEncoder.OUTPUT_LATENT);
        return withoutBatch(latent);
    }

    // ------------------------------------------------------------------------------------------ decode

    /**
     * Decodes {@code latent [16, T', h, w]} one latent frame at a time, handing each chunk of pixel frames
     * {@code [3, n, 8h, 8w]} (n = 1, then 4 per latent frame) to {@code frames} as soon as it is produced.
     */
    public void decode(HostTensor latent, Consumer<HostTensor> frames) {
        long latentFrames = checkLatent(latent);
        try (CausalChunks chunks = new CausalChunks(decoder, VaeDecoder.INPUT_LATENT, VaeDecoder.OUTPUT_VIDEO)) {
            for (long t = 0; t < latentFrames; t++) {
                frames.accept(chunks.next(sliceFrames(latent, t, t + 1)));
            }
        }
    }

    /**
     * {@link #decode(HostTensor, Consumer)} as a lazy iterator: each {@code next()} decodes one latent frame. The
     * causal cache is released when the last frame is decoded; an iterator left unfinished holds it until the
     * backend closes.
     */
    public Iterator<HostTensor> decodeChunks(HostTensor latent) {
        long latentFrames = checkLatent(latent);
        CausalChunks chunks = new CausalChunks(decoder, VaeDecoder.INPUT_LATENT, VaeDecoder.OUTPUT_VIDEO);
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < latentFrames;
            }

            @Override
            public HostTensor next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("all " + latentFrames + " latent frames are decoded");
                }
                try {
                    HostTensor frames = chunks.next(sliceFrames(latent, next, next + 1));
                    next++;
                    if (!hasNext()) {
                        chunks.close();
                    }
                    return frames;
                } catch (RuntimeException | Error e) {
                    chunks.close();
                    throw e;
                }
            }
        };
    }

    /**
     * {@link #decodeChunks(HostTensor)} under {@code tiling}. When it cuts the frame, every tile is decoded over all
     * frames (one tile's activations and causal cache on the device at a time) before the first chunk is handed
     * out; the chunks are the blended whole frames, accumulated on the host meanwhile (3 × frames × 8h × 8w floats).
     *
     * @param latent {@code [16, T', h, w]}
     * @param tiling the spatial tiling; {@link VaeTiling#WHOLE_FRAME} is {@link #decodeChunks(HostTensor)}
     * @return the chunks of pixel frames, {@code [3, n, 8h, 8w]} (n = 1, then 4 per latent frame)
     */
    public Iterator<HostTensor> decodeChunks(HostTensor latent, VaeTiling tiling) {
        checkLatent(latent);
        int height = Math.toIntExact(latent.shape()[2]);
        int width = Math.toIntExact(latent.shape()[3]);
        if (!tiling.splits(height, width)) {
            return decodeChunks(latent);
        }
        int scale = config.spaceStride();
        int outHeight = height * scale;
        int outWidth = width * scale;
        List<Integer> rows = tiling.starts(height);
        List<Integer> columns = tiling.starts(width);
        int tileHeight = Math.min(tiling.tile(), height);
        int tileWidth = Math.min(tiling.tile(), width);
        List<float[]> sums = new ArrayList<>();
        List<Integer> chunkFrames = new ArrayList<>();
        float[] weightSum = new float[outHeight * outWidth];
        for (int r = 0; r < rows.size(); r++) {
            float[] rowWeights = tiling.weights(rows, r, height, scale);
            for (int c = 0; c < columns.size(); c++) {
                float[] columnWeights = tiling.weights(columns, c, width, scale);
                int top = rows.get(r) * scale;
                int left = columns.get(c) * scale;
                Iterator<HostTensor> chunks = decodeChunks(crop(latent, rows.get(r), tileHeight, columns.get(c),
                        tileWidth));
                for (int chunk = 0; chunks.hasNext(); chunk++) {
                    HostTensor decoded = chunks.next();
                    int frames = Math.toIntExact(decoded.shape()[1]);
                    if (chunk == sums.size()) {
                        sums.add(new float[3 * frames * outHeight * outWidth]);
                        chunkFrames.add(frames);
                    }
                    addWeighted(decoded.toFloatArray(), 3 * frames, rowWeights, columnWeights, sums.get(chunk), top,
                            left, outHeight, outWidth);
                }
                addWeighted(null, 1, rowWeights, columnWeights, weightSum, top, left, outHeight, outWidth);
            }
        }
        LOG.debug("decoded {} VAE tiles of {}x{} latent pixels", rows.size() * columns.size(), tileHeight, tileWidth);
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < sums.size();
            }

            @Override
            public HostTensor next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("all " + sums.size() + " chunks are handed out");
                }
                float[] sum = sums.set(next, null);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] /= weightSum[i % weightSum.length];
                }
                return HostTensor.ofFloats(new long[] {3, chunkFrames.get(next++), outHeight, outWidth}, sum);
            }
        };
    }

    /** Decodes every frame into one tensor {@code [3, 1 + 4(T'−1), 8h, 8w]} (streamed internally). */
    public HostTensor decode(HostTensor latent) {
        List<HostTensor> chunks = new ArrayList<>();
        decode(latent, chunks::add);
        return concatFrames(chunks);
    }

    /** Decodes the whole latent in one network call: same result as {@link #decode(HostTensor)}, memory grows with T'. */
    public HostTensor decodeFullSequence(HostTensor latent) {
        checkLatent(latent);
        return withoutBatch(decoder.run(Map.of(VaeDecoder.INPUT_LATENT, withBatch(latent))).get(VaeDecoder.OUTPUT_VIDEO));
    }

    @Override
    public void close() {
        try {
            encoder.close();
        } finally {
            decoder.close();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private long checkVideo(HostTensor video) {
        long[] s = video.shape();
        if (s.length != 4 || s[0] != 3) {
            throw new IllegalArgumentException("VAE encode expects a video [3, T, H, W], got " + Arrays.toString(s));
        }
        long frames = s[1];
        if (frames < 1 || (frames - 1) % config.timeStride() != 0) {
            long below = frames < 1 ? 1 : frames - (frames - 1) % config.timeStride();
            throw new IllegalArgumentException("VAE encode needs 4k+1 frames (1, 5, 9, …), got " + frames
                    + " frames; the original would silently drop the last " + (frames - below)
                    + " — trim or pad the video to " + below + " or " + (below + config.timeStride()) + " frames");
        }
        return frames;
    }

    private long checkLatent(HostTensor latent) {
        long[] s = latent.shape();
        if (s.length != 4 || s[0] != config.zDim() || s[1] < 1) {
            throw new IllegalArgumentException("VAE decode expects a latent [" + config.zDim()
                    + ", T', h, w] with T' >= 1, got " + Arrays.toString(s));
        }
        return s[1];
    }

    /**
     * One causal sequence on a network: each call feeds the previous call's {@code updated_cache.*} outputs back as
     * {@code cache.*} inputs, held on the backend as {@link DeviceTensor}s (no copy to the host and back) and handed
     * over to that call ({@link LoadedNetwork#runConsuming}), which frees each once its layer has read it.
     */
    private static final class CausalChunks implements AutoCloseable {
        private final LoadedNetwork network;
        private final String input;
        private final String output;
        private RunOutputs previous;

        CausalChunks(LoadedNetwork network, String input, String output) {
            this.network = network;
            this.input = input;
            this.output = output;
        }

        /** Runs one chunk {@code [C, T, H, W]} and returns its output without the batch axis. */
        HostTensor next(HostTensor chunk) {
            Map<String, DeviceTensor> cache = new LinkedHashMap<>();
            if (previous != null) {
                previous.device().forEach((name, tensor) -> cache.put(FeatureCache.inputFor(name), tensor));
                previous = null;   // handed over: the call closes them
            }
            previous = network.runConsuming(Map.of(input, withBatch(chunk)), cache, FeatureCache::isUpdate);
            return withoutBatch(previous.hostOutput(output));
        }

        @Override
        public void close() {
            if (previous != null) {
                previous.close();
                previous = null;
            }
        }
    }

    private static HostTensor withBatch(HostTensor t) {
        long[] s = t.shape();
        long[] batched = new long[s.length + 1];
        batched[0] = 1;
        System.arraycopy(s, 0, batched, 1, s.length);
        return t.reshape(batched);
    }

    private static HostTensor withoutBatch(HostTensor t) {
        long[] s = t.shape();
        return t.reshape(Arrays.copyOfRange(s, 1, s.length));
    }

    /** Frames {@code [start, end)} of a {@code [C, T, H, W]} tensor, as float32. */
    static HostTensor sliceFrames(HostTensor video, long start, long end) {
        long[] s = video.shape();
        int channels = Math.toIntExact(s[0]);
        int frameSize = Math.toIntExact(s[2] * s[3]);
        int count = Math.toIntExact(end - start);
        FloatBuffer source = video.asFloatBuffer();
        ByteBuffer bytes = ByteBuffer.allocateDirect(channels * count * frameSize * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer target = bytes.asFloatBuffer();
        for (int c = 0; c < channels; c++) {
            int from = Math.toIntExact((c * s[1] + start) * frameSize);
            target.put(source.duplicate().position(from).limit(from + count * frameSize));
        }
        return HostTensor.of(DType.F32, new long[] {s[0], count, s[2], s[3]}, bytes);
    }

    /**
     * Adds {@code planes} tile planes of {@code rowWeights.length × columnWeights.length} pixels, each weighted by its
     * row and column weight, into {@code target} (planes of {@code outHeight × outWidth}) at {@code (top, left)};
     * {@code values} null adds the weights themselves.
     */
    private static void addWeighted(float[] values, int planes, float[] rowWeights, float[] columnWeights,
            float[] target, int top, int left, int outHeight, int outWidth) {
        int tileHeight = rowWeights.length;
        int tileWidth = columnWeights.length;
        for (int plane = 0; plane < planes; plane++) {
            for (int y = 0; y < tileHeight; y++) {
                int from = (plane * tileHeight + y) * tileWidth;
                int to = (plane * outHeight + top + y) * outWidth + left;
                for (int x = 0; x < tileWidth; x++) {
                    target[to + x] += (values == null ? 1f : values[from + x]) * rowWeights[y] * columnWeights[x];
                }
            }
        }
    }

    /** Latent pixels {@code [top, top + height) × [left, left + width)} of a {@code [C, T, H, W]} tensor. */
    static HostTensor crop(HostTensor video, int top, int height, int left, int width) {
        long[] s = video.shape();
        int planes = Math.toIntExact(s[0] * s[1]);
        int sourceWidth = Math.toIntExact(s[3]);
        int sourcePlane = Math.toIntExact(s[2] * s[3]);
        FloatBuffer source = video.asFloatBuffer();
        float[] cropped = new float[planes * height * width];
        for (int plane = 0; plane < planes; plane++) {
            for (int y = 0; y < height; y++) {
                source.get(plane * sourcePlane + (top + y) * sourceWidth + left, cropped,
                        (plane * height + y) * width, width);
            }
        }
        return HostTensor.ofFloats(new long[] {s[0], s[1], height, width}, cropped);
    }

    /** Concatenates {@code [C, T_i, H, W]} float tensors along T. */
    static HostTensor concatFrames(List<HostTensor> parts) {
        long[] first = parts.get(0).shape();
        long total = parts.stream().mapToLong(p -> p.shape()[1]).sum();
        int channels = Math.toIntExact(first[0]);
        int frameSize = Math.toIntExact(first[2] * first[3]);
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(channels * total * frameSize * 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer target = bytes.asFloatBuffer();
        for (int c = 0; c < channels; c++) {
            for (HostTensor part : parts) {
                int count = Math.toIntExact(part.shape()[1]);
                int from = c * count * frameSize;
                target.put(part.asFloatBuffer().position(from).limit(from + count * frameSize));
            }
        }
        return HostTensor.of(DType.F32, new long[] {first[0], total, first[2], first[3]},
                bytes);
    }
}
