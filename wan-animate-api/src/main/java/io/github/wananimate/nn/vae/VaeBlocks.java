package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Attention;
import io.github.wananimate.nn.layers.Conv;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Weight;
import io.github.wananimate.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The VAE's layers (NETWORKS.md §4.1), each owning its checkpoint keys and applying itself to one chunk call:
 * causal 3-D convs, the channel RMS norm, residual and attention blocks and the four resample modes, the temporal
 * ones reading and updating the {@link FeatureCache}. Video tensors are {@code [1, C, T, H, W]}; the per-frame 2-D
 * convs run as 3-D convs with a depth-1 kernel. The VAE runs in float32 (the original's {@code Wan2_1_VAE} default).
 */
final class VaeBlocks {

    /** Frames a k_t = 3 causal conv keeps from the previous chunk ({@code CACHE_T}). */
    static final int CAUSAL_FRAMES = 2;

    private static final DType F32 = DType.F32;
    private static final int[] NONE = {0, 0, 0};
    private static final int[] SPATIAL_PAD = {0, 1, 1};

    private VaeBlocks() {
    }

    /** A layer applied to one chunk, reading and updating the chunk's cache. */
    interface Step extends Layer {
        Tensor apply(Ops ops, FeatureCache cache, Tensor x);

        /** {@return whether the layer changes the frame count (a temporal resample), so frames depend on others} */
        default boolean temporal() {
            return false;
        }
    }

    /**
     * Runs one block in a memory scope, keeping its output and the cache tensors it recorded (so an eager backend
     * frees the rest of the block's intermediates right away).
     */
    static Tensor scoped(Ops ops, FeatureCache cache, Supplier<Tensor> body) {
        int mark = cache.size();
        List<Tensor> kept = ops.scopedAll(() -> {
            List<Tensor> results = new ArrayList<>();
            results.add(body.get());
            results.addAll(cache.since(mark));
            return results;
        });
        cache.replaceSince(mark, kept.subList(1, kept.size()));
        return kept.get(0);
    }

    /** The layer at {@code key} for an entry of {@code encoder.downsamples} / {@code decoder.upsamples}. */
    static Step of(String key, VaeLayer layer) {
        if (layer instanceof VaeLayer.Residual r) {
            return new ResidualBlock(key, r.in(), r.out());
        }
        return new Resample(key, layer);
    }

    // ------------------------------------------------------------------------------------------ convolutions

    /** A 1x1x1 CausalConv3d (no padding, no cache). */
    static Conv pointwise(String key, long in, long out) {
        return Conv.of(key, out, in, F32, F32, 1, 1, 1);
    }

    /**
     * CausalConv3d with a time kernel of 3: time padded by the two frames the cache holds (two zero frames at the
     * start of a sequence), H and W by one zero on each side when the kernel is 3x3. The cache keeps the last two
     * frames of the INPUT.
     */
    static final class CausalConv implements Layer {

        private final String key;
        private final Conv conv;

        /** k = 3x3x3, spatial padding 1. */
        CausalConv(String key, long in, long out) {
            this.key = key;
            this.conv = Conv.of(key, out, in, F32, F32, 3, 3, 3).withPadding(SPATIAL_PAD, SPATIAL_PAD);
        }

        /** A temporal conv (k = 3x1x1, no spatial padding) with its time stride. */
        CausalConv(String key, long in, long out, int timeStride) {
            this.key = key;
            this.conv = Conv.of(key, out, in, F32, F32, 3, 1, 1).withStride(timeStride, 1, 1);
        }

        @Override
        public List<ParameterSpec> parameters() {
            return conv.parameters();
        }

        Tensor apply(Ops ops, FeatureCache cache, Tensor x) {
            Tensor carried = cache.history(key);
            if (carried == null && x.dim(2) == 1) {
                // The first frame of a sequence: its zero history meets only the kernel's last tap, so that tap is
                // applied alone (no zero frames built and convolved; the graph of a start chunk is a third of the work).
                cache.update(key, ops.concat(2, zeroFrames(ops, x, CAUSAL_FRAMES - 1), x));
                return conv.applyAfterZeroFrames(ops, x);
            }
            // Otherwise the history is concatenated rather than padded (no Pad node feeds the conv: ONNX Runtime
            // 1.23's basic optimisers mis-rewire a Pad→Conv whose input is also a graph output, which the cache
            // makes common).
            Tensor history = carried != null ? carried : zeroFrames(ops, x, CAUSAL_FRAMES);
            cache.update(key, lastFrames(ops, history, x, CAUSAL_FRAMES));
            Tensor input = ops.concat(2, history, x);
            release(ops, carried);
            return conv.apply(ops, input);
        }

        /** The conv alone over {@code x}, which already holds its history frames (no cache update). */
        Tensor convolve(Ops ops, Tensor x) {
            return conv.apply(ops, x);
        }

        String key() {
            return key;
        }
    }

    /**
     * Releases frames carried in from the cache once their layer has read them: nothing reads them again, and a call
     * handed the previous chunk's cache can then free it layer by layer, as the original drops each
     * {@code feat_cache} entry when it replaces it.
     */
    private static void release(Ops ops, Tensor carried) {
        if (carried != null) {
            ops.release(carried);
        }
    }

    /** The last {@code n} frames of the sequence {@code history ++ x} (history holds at least n frames). */
    private static Tensor lastFrames(Ops ops, Tensor history, Tensor x, int n) {
        long t = x.dim(2);
        if (t >= n) {
            return ops.slice(x, 2, t - n, t);
        }
        long h = history.dim(2);
        return ops.concat(2, ops.slice(history, 2, h - (n - t), h), x);
    }

    /** {@code n} zero frames shaped like the frames of {@code x}. */
    private static Tensor zeroFrames(Ops ops, Tensor x, int n) {
        return ops.broadcastTo(ops.zerosLike(ops.slice(x, 2, 0, 1)), 1, x.dim(1), n, x.dim(3), x.dim(4));
    }

    // ------------------------------------------------------------------------------------------ blocks

    /**
     * RMS_norm over channels: {@code x / max(‖x‖₂, 1e-12) · √C · γ} (L2 normalisation, not a mean square); γ is
     * stored {@code [C, 1, 1, 1]} ({@code [C, 1, 1]} in the attention block).
     */
    static final class ChannelNorm implements Layer {

        private final Weight gamma;
        private final long channels;

        ChannelNorm(String module, long channels, int spatialAxes) {
            long[] shape = new long[1 + spatialAxes];
            java.util.Arrays.fill(shape, 1);
            shape[0] = channels;
            this.gamma = new Weight(module + ".gamma", F32, shape);
            this.channels = channels;
        }

        @Override
        public List<ParameterSpec> parameters() {
            return gamma.parameters();
        }

        Tensor apply(Ops ops, Tensor x) {
            // √C·γ on the C gains rather than √C on the whole activation: one pass over the video less.
            Tensor scale = ops.mul(ops.reshape(gamma.get(ops), 1, channels, 1, 1, 1), Math.sqrt(channels));
            return ops.mul(ops.l2Normalize(x, 1, 1e-12), scale);
        }
    }

    /** ResidualBlock: {@code Conv3(SiLU(RMS(Conv3(SiLU(RMS(x)))))) + shortcut(x)}, a 1x1x1 shortcut when in ≠ out. */
    static final class ResidualBlock implements Step {

        private final ChannelNorm norm1;
        private final CausalConv conv1;
        private final ChannelNorm norm2;
        private final CausalConv conv2;
        private final Conv shortcut;

        ResidualBlock(String key, int in, int out) {
            this.norm1 = new ChannelNorm(key + ".residual.0", in, 3);
            this.conv1 = new CausalConv(key + ".residual.2", in, out);
            this.norm2 = new ChannelNorm(key + ".residual.3", out, 3);
            this.conv2 = new CausalConv(key + ".residual.6", out, out);
            this.shortcut = in == out ? null : pointwise(key + ".shortcut", in, out);
        }

        @Override
        public List<ParameterSpec> parameters() {
            List<Layer> layers = new ArrayList<>(List.of(norm1, conv1, norm2, conv2));
            if (shortcut != null) {
                layers.add(shortcut);
            }
            return Layers.parameters(layers);
        }

        @Override
        public Tensor apply(Ops ops, FeatureCache cache, Tensor x) {
            Tensor skip = shortcut == null ? x : shortcut.apply(ops, x);
            // Each half in a scope of its own: an eager backend frees the norm and SiLU intermediates of the first
            // before the second starts (at 256x256 they are tens of MiB each).
            Tensor h = scoped(ops, cache, () -> conv1.apply(ops, cache, ops.silu(norm1.apply(ops, x))));
            Tensor r = scoped(ops, cache, () -> conv2.apply(ops, cache, ops.silu(norm2.apply(ops, h))));
            return ops.add(r, skip);
        }
    }

    /** AttentionBlock: single-head self-attention over the h·w positions of each frame, a 1x1 projection, residual. */
    static final class AttentionBlock implements Step {

        private final ChannelNorm norm;
        private final Conv toQkv;
        private final Conv proj;
        private final Attention attention = new Attention(F32);

        AttentionBlock(String key, int c) {
            this.norm = new ChannelNorm(key + ".norm", c, 2);
            this.toQkv = Conv.perFrame(key + ".to_qkv", 3L * c, c, F32, F32, 1, 1);
            this.proj = Conv.perFrame(key + ".proj", c, c, F32, F32, 1, 1);
        }

        @Override
        public List<ParameterSpec> parameters() {
            return Layers.parameters(List.of(norm, toQkv, proj));
        }

        @Override
        public Tensor apply(Ops ops, FeatureCache cache, Tensor x) {
            long c = x.dim(1);
            long t = x.dim(2);
            long h = x.dim(3);
            long w = x.dim(4);
            Tensor qkv = toQkv.apply(ops, norm.apply(ops, x));
            // [1, 3C, T, H, W] → [3, T, HW, C]: q, k, v as token sequences per frame (frames are the batch).
            Tensor tokens = ops.permute(ops.reshape(qkv, 3, c, t, h * w), 0, 2, 3, 1);
            Tensor q = ops.reshape(ops.slice(tokens, 0, 0, 1), t, 1, h * w, c);
            Tensor k = ops.reshape(ops.slice(tokens, 0, 1, 2), t, 1, h * w, c);
            Tensor v = ops.reshape(ops.slice(tokens, 0, 2, 3), t, 1, h * w, c);
            Tensor attended = attention.apply(ops, q, k, v, null, 1.0 / Math.sqrt(c));
            Tensor back = ops.reshape(ops.permute(ops.reshape(attended, t, h * w, c), 2, 0, 1), 1, c, t, h, w);
            return ops.add(proj.apply(ops, back), x);
        }
    }

    // ------------------------------------------------------------------------------------------ resampling

    /** One of the four resample modes of {@link VaeLayer}: {@code resample.1} and, if temporal, {@code time_conv}. */
    static final class Resample implements Step {

        private final String key;
        private final VaeLayer mode;
        /** {@code resample.1}: the stride-2 conv of a downsample, or null. */
        private final Conv down;
        /** {@code resample.1} with the nearest ×2 in front, for an upsample, or null. */
        private final UpsampleConv up;
        private final CausalConv time;

        Resample(String key, VaeLayer mode) {
            this.key = key;
            this.mode = mode;
            String resample = key + ".resample.1";
            String timeConv = key + ".time_conv";
            if (mode instanceof VaeLayer.Downsample2d d) {
                down = downConv(resample, d.channels());
                up = null;
                time = null;
            } else if (mode instanceof VaeLayer.Downsample3d d) {
                down = downConv(resample, d.channels());
                up = null;
                time = new CausalConv(timeConv, d.channels(), d.channels(), 2);
            } else if (mode instanceof VaeLayer.Upsample2d u) {
                down = null;
                up = upConv(resample, u.channels());
                time = null;
            } else if (mode instanceof VaeLayer.Upsample3d u) {
                down = null;
                up = upConv(resample, u.channels());
                time = new CausalConv(timeConv, u.channels(), 2L * u.channels(), 1);
            } else {
                throw new IllegalStateException("not a resample layer: " + mode);
            }
        }

        /** Zero-pad right and bottom by 1, then the 3x3 stride-2 conv, frame by frame. */
        private static Conv downConv(String module, int c) {
            return Conv.perFrame(module, c, c, F32, F32, 3, 3).withStride(1, 2, 2).withPadding(NONE, SPATIAL_PAD);
        }

        /** The nearest ×2 and the 3x3 conv to C/2 channels (padding 1) after it, frame by frame. */
        private static UpsampleConv upConv(String module, int c) {
            return new UpsampleConv(module, c, c / 2);
        }

        @Override
        public List<ParameterSpec> parameters() {
            Layer spatial = down != null ? down : up;
            return time == null ? spatial.parameters() : Layers.parameters(List.of(spatial, time));
        }

        @Override
        public boolean temporal() {
            return time != null;
        }

        /**
         * An {@code upsample3d} as its two halves: the temporal doubling, which needs the chunk's frames together,
         * and the per-frame spatial upsample, which can run on slices of the doubled frames.
         *
         * @return the spatial half as a step of its own
         */
        Step spatialHalf() {
            if (!(mode instanceof VaeLayer.Upsample3d)) {
                throw new IllegalStateException(key + " is not an upsample3d");
            }
            UpsampleConv conv = up;
            return new Step() {
                @Override
                public Tensor apply(Ops ops, FeatureCache cache, Tensor x) {
                    return conv.apply(ops, x);
                }

                @Override
                public List<ParameterSpec> parameters() {
                    return List.of();   // counted by the resample itself
                }
            };
        }

        /** The temporal half of an {@code upsample3d} (see {@link #spatialHalf()}). */
        Tensor temporalHalf(Ops ops, FeatureCache cache, Tensor x) {
            return doubleFrames(ops, cache, x);
        }

        @Override
        public Tensor apply(Ops ops, FeatureCache cache, Tensor x) {
            if (mode instanceof VaeLayer.Downsample2d) {
                return down.apply(ops, x);
            } else if (mode instanceof VaeLayer.Downsample3d) {
                return downsample3d(ops, cache, x);
            } else if (mode instanceof VaeLayer.Upsample2d) {
                return up.apply(ops, x);
            }
            return upsample3d(ops, cache, x);
        }

        /**
         * The spatial downsample, then the stride-2 temporal conv over {@code (x[2j−2], x[2j−1], x[2j])}. At the
         * start of a sequence frame 0 passes through untouched; later chunks prepend the last frame of the previous
         * one.
         */
        private Tensor downsample3d(Ops ops, FeatureCache cache, Tensor x) {
            Tensor s = down.apply(ops, x);
            long t = s.dim(2);
            Tensor history = cache.atStart() ? null : cache.previous(time.key());
            cache.update(time.key(), ops.slice(s, 2, t - 1, t));
            if (history == null) {
                if (t % 2 != 1) {
                    throw new IllegalArgumentException(key + ": a sequence start needs an odd frame count, got " + t);
                }
                if (t == 1) {
                    return s;
                }
                return ops.concat(2, ops.slice(s, 2, 0, 1), time.convolve(ops, s));
            }
            if (t % 2 != 0) {
                throw new IllegalArgumentException(key + ": a continuation chunk needs an even frame count, got " + t);
            }
            Tensor input = ops.concat(2, history, s);
            release(ops, history);
            return time.convolve(ops, input);
        }

        /**
         * Temporal doubling, then the spatial {@link UpsampleConv}. The causal {@code time_conv} (C → 2C) maps each frame to two:
         * channels 0..C−1 the earlier, C..2C−1 the later. At the start of a sequence frame 0 passes through (not
         * doubled) and the conv sequence starts at frame 1 with zero frames in front (the original's "Rep" chunk).
         */
        private Tensor upsample3d(Ops ops, FeatureCache cache, Tensor x) {
            return up.apply(ops, doubleFrames(ops, cache, x));
        }

        private Tensor doubleFrames(Ops ops, FeatureCache cache, Tensor x) {
            long t = x.dim(2);
            Tensor doubled;
            if (cache.atStart()) {
                Tensor first = ops.slice(x, 2, 0, 1);
                if (t == 1) {
                    cache.update(time.key(), zeroFrames(ops, x, CAUSAL_FRAMES));
                    doubled = first;
                } else {
                    doubled = ops.concat(2, first, splitFrames(ops, time.apply(ops, cache, ops.slice(x, 2, 1, t))));
                }
            } else {
                doubled = splitFrames(ops, time.apply(ops, cache, x));
            }
            return doubled;
        }

        /** {@code [1, 2C, T, h, w]} → {@code [1, C, 2T, h, w]}: frame j becomes frames 2j (first half) and 2j+1. */
        private static Tensor splitFrames(Ops ops, Tensor y) {
            long c = y.dim(1) / 2;
            long t = y.dim(2);
            long h = y.dim(3);
            long w = y.dim(4);
            Tensor halves = ops.permute(ops.reshape(y, 2, c, t, h, w), 1, 2, 0, 3, 4);
            return ops.reshape(halves, 1, c, 2 * t, h, w);
        }
    }

    /**
     * {@code Upsample(scale 2, nearest-exact)} then the 3x3 conv (padding 1) {@code resample.1}, frame by frame,
     * computed without the upsampled frames: output pixel {@code (2i+a, 2j+b)} sees input rows {@code i−1, i, i}
     * (a = 0) or {@code i, i, i+1} (a = 1) through kernel rows 0, 1, 2, and the same for columns, so each of the four
     * output phases {@code (a, b)} is a 2x2 conv of the input whose taps are the sums of the 3x3 taps that land on the
     * same input pixel ({@code a = 0}: {@code [w0, w1+w2]} over rows {@code i−1, i}; {@code a = 1}:
     * {@code [w0+w1, w2]} over rows {@code i, i+1}). The zero padding of the upsampled frames is the zero padding of
     * the input. The four results are interleaved into the doubled frames. Same products, summed in another order
     * (the tap sums are rounded to float32 first); 16 taps per input pixel instead of 36, and no tensor four times
     * the input's size (the largest of a decode at the last stage).
     */
    static final class UpsampleConv implements Layer {

        private final Weight weight;
        private final Weight bias;
        private final long out;

        UpsampleConv(String module, long in, long out) {
            this.weight = new Weight(module + ".weight", F32, out, in, 3, 3);
            this.bias = new Weight(module + ".bias", F32, out);
            this.out = out;
        }

        @Override
        public List<ParameterSpec> parameters() {
            return Layers.parameters(List.of(weight, bias));
        }

        /** {@code x [1, C, T, H, W]} → {@code [1, out, T, 2H, 2W]}. */
        Tensor apply(Ops ops, Tensor x) {
            long t = x.dim(2);
            long h = x.dim(3);
            long w = x.dim(4);
            Tensor kernel = weight.get(ops);
            Tensor b = bias.get(ops);
            Tensor[] rows = new Tensor[2];
            for (int a = 0; a < 2; a++) {
                Tensor rowTaps = phaseTaps(ops, kernel, 2, a);
                Tensor[] cols = new Tensor[2];
                for (int c = 0; c < 2; c++) {
                    Tensor taps = ops.reshape(phaseTaps(ops, rowTaps, 3, c), out, x.dim(1), 1, 2, 2);
                    Tensor phase = ops.conv(x, taps, b, new int[] {1, 1, 1}, new int[] {0, 1 - a, 1 - c},
                            new int[] {0, a, c}, 1);
                    cols[c] = ops.reshape(phase, out * t, h, 1, w, 1);
                }
                rows[a] = ops.concat(4, cols);
            }
            return ops.reshape(ops.concat(2, rows), 1, out, t, 2 * h, 2 * w);
        }

        /** The 2-tap kernel of phase {@code phase} along {@code axis}: {@code [k0, k1+k2]} or {@code [k0+k1, k2]}. */
        private static Tensor phaseTaps(Ops ops, Tensor k, int axis, int phase) {
            Tensor k0 = ops.slice(k, axis, 0, 1);
            Tensor k1 = ops.slice(k, axis, 1, 2);
            Tensor k2 = ops.slice(k, axis, 2, 3);
            return phase == 0 ? ops.concat(axis, k0, ops.add(k1, k2)) : ops.concat(axis, ops.add(k0, k1), k2);
        }
    }
}
