package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The VAE primitives of NETWORKS.md §4.1 on one chunk call: causal 3-D convs, channel RMS norm, residual and
 * attention blocks and the four resample modes, each reading and updating the {@link FeatureCache}. Video tensors
 * are {@code [1, C, T, H, W]}; the per-frame 2-D convs run as 3-D convs with a depth-1 kernel.
 */
final class VaeBlocks {

    /** Frames a k_t = 3 causal conv keeps from the previous chunk ({@code CACHE_T}). */
    static final int CAUSAL_FRAMES = 2;

    private static final int[] UNIT = {1, 1, 1};
    private static final int[] NONE = {0, 0, 0};
    private static final int[] SPATIAL_PAD = {0, 1, 1};

    private final Ops ops;
    private final FeatureCache cache;

    VaeBlocks(Ops ops, FeatureCache cache) {
        this.ops = ops;
        this.cache = cache;
    }

    /**
     * Runs one block in a memory scope, keeping its output and the cache tensors it recorded (so an eager backend
     * frees the rest of the block's intermediates right away).
     */
    Tensor block(Supplier<Tensor> body) {
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

    // ------------------------------------------------------------------------------------------ convolutions

    /**
     * CausalConv3d, k = 3, padding 1: H and W padded by one zero on each side, time by the two frames the cache
     * holds (two zero frames at the start of a sequence). The cache keeps the last two frames of the INPUT.
     */
    Tensor causalConv3(String key, Tensor x) {
        Tensor weight = ops.parameter(key + ".weight");
        Tensor bias = ops.parameter(key + ".bias");
        // Zero frames are concatenated rather than padded, so start and continuation chunks run the same graph
        // shape (and no Pad node feeds the conv: ONNX Runtime 1.23's basic optimisers mis-rewire a Pad→Conv
        // whose input is also a graph output, which the cache makes common).
        Tensor history = cache.atStart() ? zeroFrames(x, CAUSAL_FRAMES) : cache.previous(key);
        cache.update(key, lastFrames(history, x, CAUSAL_FRAMES));
        return ops.conv(ops.concat(2, history, x), weight, bias, UNIT, SPATIAL_PAD, SPATIAL_PAD, 1);
    }

    /** A 1x1x1 CausalConv3d (no padding, no cache). */
    Tensor pointwiseConv(String key, Tensor x) {
        return ops.conv(x, ops.parameter(key + ".weight"), ops.parameter(key + ".bias"), UNIT, NONE, NONE, 1);
    }

    /** A per-frame Conv2d stored as {@code [O, I, kh, kw]}, run as a depth-1 3-D conv. */
    private Tensor frameConv(String key, Tensor x, int stride, int[] padBegin, int[] padEnd) {
        Tensor weight2d = ops.parameter(key + ".weight");
        long[] s = weight2d.shape();
        Tensor weight = ops.reshape(weight2d, s[0], s[1], 1, s[2], s[3]);
        return ops.conv(x, weight, ops.parameter(key + ".bias"), new int[] {1, stride, stride}, padBegin, padEnd, 1);
    }

    /** The last {@code n} frames of the sequence {@code history ++ x} (history holds at least n frames). */
    private Tensor lastFrames(Tensor history, Tensor x, int n) {
        long t = x.dim(2);
        if (t >= n) {
            return ops.slice(x, 2, t - n, t);
        }
        long h = history.dim(2);
        return ops.concat(2, ops.slice(history, 2, h - (n - t), h), x);
    }

    /** {@code n} zero frames shaped like the frames of {@code x}. */
    private Tensor zeroFrames(Tensor x, int n) {
        return ops.broadcastTo(ops.constant(HostTensor.zeros(1, 1, 1, 1, 1)), 1, x.dim(1), n, x.dim(3), x.dim(4));
    }

    // ------------------------------------------------------------------------------------------ blocks

    /** RMS_norm over channels: {@code x / max(‖x‖₂, 1e-12) · √C · γ} (L2 normalisation, not a mean square). */
    Tensor rmsNorm(String gammaKey, Tensor x) {
        long channels = x.dim(1);
        Tensor gamma = ops.reshape(ops.parameter(gammaKey), 1, channels, 1, 1, 1);
        return ops.mul(ops.mul(ops.l2Normalize(x, 1, 1e-12), Math.sqrt(channels)), gamma);
    }

    /** {@code Conv3(SiLU(RMS(Conv3(SiLU(RMS(x)))))) + shortcut(x)}. */
    Tensor residual(String key, VaeLayer.Residual layer, Tensor x) {
        Tensor shortcut = layer.in() == layer.out() ? x : pointwiseConv(key + ".shortcut", x);
        Tensor r = causalConv3(key + ".residual.2", ops.silu(rmsNorm(key + ".residual.0.gamma", x)));
        r = causalConv3(key + ".residual.6", ops.silu(rmsNorm(key + ".residual.3.gamma", r)));
        return ops.add(r, shortcut);
    }

    /** Single-head self-attention over the h·w positions of each frame, then a 1x1 projection and the residual. */
    Tensor attention(String key, Tensor x) {
        long c = x.dim(1);
        long t = x.dim(2);
        long h = x.dim(3);
        long w = x.dim(4);
        Tensor normed = rmsNorm(key + ".norm.gamma", x);
        Tensor qkvWeight = ops.reshape(ops.parameter(key + ".to_qkv.weight"), 3 * c, c, 1, 1, 1);
        Tensor qkv = ops.conv(normed, qkvWeight, ops.parameter(key + ".to_qkv.bias"), UNIT, NONE, NONE, 1);
        // [1, 3C, T, H, W] → [3, T, HW, C]: q, k, v as token sequences per frame (frames are the batch).
        Tensor tokens = ops.permute(ops.reshape(qkv, 3, c, t, h * w), 0, 2, 3, 1);
        Tensor q = ops.reshape(ops.slice(tokens, 0, 0, 1), t, 1, h * w, c);
        Tensor k = ops.reshape(ops.slice(tokens, 0, 1, 2), t, 1, h * w, c);
        Tensor v = ops.reshape(ops.slice(tokens, 0, 2, 3), t, 1, h * w, c);
        Tensor attended = ops.attention(q, k, v, null, 1.0 / Math.sqrt(c));
        Tensor back = ops.reshape(ops.permute(ops.reshape(attended, t, h * w, c), 2, 0, 1), 1, c, t, h, w);
        Tensor projWeight = ops.reshape(ops.parameter(key + ".proj.weight"), c, c, 1, 1, 1);
        return ops.add(ops.conv(back, projWeight, ops.parameter(key + ".proj.bias"), UNIT, NONE, NONE, 1), x);
    }

    // ------------------------------------------------------------------------------------------ resampling

    /** Zero-pad right and bottom by 1, then the 3x3 stride-2 conv, frame by frame. */
    Tensor downsample2d(String key, Tensor x) {
        return frameConv(key + ".resample.1", x, 2, NONE, SPATIAL_PAD);
    }

    /**
     * {@link #downsample2d}, then the stride-2 temporal conv over {@code (x[2j−2], x[2j−1], x[2j])}. At the start of
     * a sequence frame 0 passes through untouched; later chunks prepend the last frame of the previous one.
     */
    Tensor downsample3d(String key, Tensor x) {
        Tensor s = downsample2d(key, x);
        String timeConv = key + ".time_conv";
        Tensor weight = ops.parameter(timeConv + ".weight");
        Tensor bias = ops.parameter(timeConv + ".bias");
        long t = s.dim(2);
        Tensor history = cache.atStart() ? null : cache.previous(timeConv);
        cache.update(timeConv, ops.slice(s, 2, t - 1, t));
        int[] timeStride = {2, 1, 1};
        if (history == null) {
            if (t % 2 != 1) {
                throw new IllegalArgumentException(key + ": a sequence start needs an odd frame count, got " + t);
            }
            if (t == 1) {
                return s;
            }
            return ops.concat(2, ops.slice(s, 2, 0, 1), ops.conv(s, weight, bias, timeStride, NONE, NONE, 1));
        }
        if (t % 2 != 0) {
            throw new IllegalArgumentException(key + ": a continuation chunk needs an even frame count, got " + t);
        }
        return ops.conv(ops.concat(2, history, s), weight, bias, timeStride, NONE, NONE, 1);
    }

    /** Nearest ×2 in H and W (pixel duplication), then the 3x3 conv to C/2 channels, frame by frame. */
    Tensor upsample2d(String key, Tensor x) {
        long c = x.dim(1);
        long t = x.dim(2);
        long h = x.dim(3);
        long w = x.dim(4);
        Tensor cells = ops.reshape(x, c * t, h, 1, w, 1);
        Tensor doubled = ops.reshape(ops.broadcastTo(cells, c * t, h, 2, w, 2), 1, c, t, 2 * h, 2 * w);
        return frameConv(key + ".resample.1", doubled, 1, SPATIAL_PAD, SPATIAL_PAD);
    }

    /**
     * Temporal doubling, then {@link #upsample2d}. The causal {@code time_conv} (C → 2C) maps each frame to two:
     * channels 0..C−1 the earlier, C..2C−1 the later. At the start of a sequence frame 0 passes through (not
     * doubled) and the conv sequence starts at frame 1 with zero frames in front (the original's "Rep" chunk).
     */
    Tensor upsample3d(String key, Tensor x) {
        String timeConv = key + ".time_conv";
        Tensor weight = ops.parameter(timeConv + ".weight");
        Tensor bias = ops.parameter(timeConv + ".bias");
        long t = x.dim(2);
        Tensor doubled;
        if (cache.atStart()) {
            Tensor first = ops.slice(x, 2, 0, 1);
            if (t == 1) {
                cache.update(timeConv, zeroFrames(x, CAUSAL_FRAMES));
                doubled = first;
            } else {
                Tensor rest = ops.slice(x, 2, 1, t);
                Tensor history = zeroFrames(x, CAUSAL_FRAMES);
                cache.update(timeConv, lastFrames(history, rest, CAUSAL_FRAMES));
                Tensor convolved = ops.conv(ops.concat(2, history, rest), weight, bias, UNIT, NONE, NONE, 1);
                doubled = ops.concat(2, first, splitFrames(convolved));
            }
        } else {
            Tensor history = cache.previous(timeConv);
            cache.update(timeConv, lastFrames(history, x, CAUSAL_FRAMES));
            doubled = splitFrames(ops.conv(ops.concat(2, history, x), weight, bias, UNIT, NONE, NONE, 1));
        }
        return upsample2d(key, doubled);
    }

    /** {@code [1, 2C, T, h, w]} → {@code [1, C, 2T, h, w]}: frame j becomes frames 2j (first half) and 2j+1. */
    private Tensor splitFrames(Tensor y) {
        long c = y.dim(1) / 2;
        long t = y.dim(2);
        long h = y.dim(3);
        long w = y.dim(4);
        Tensor halves = ops.permute(ops.reshape(y, 2, c, t, h, w), 1, 2, 0, 3, 4);
        return ops.reshape(halves, 1, c, 2 * t, h, w);
    }

    // ------------------------------------------------------------------------------------------ parameter specs

    static void causalConvSpecs(List<ParameterSpec> specs, String key, int in, int out, int kt, int kh, int kw) {
        specs.add(ParameterSpec.required(key + ".weight", out, in, kt, kh, kw));
        specs.add(ParameterSpec.required(key + ".bias", out));
    }

    static void residualSpecs(List<ParameterSpec> specs, String key, VaeLayer.Residual layer) {
        int in = layer.in();
        int out = layer.out();
        specs.add(ParameterSpec.required(key + ".residual.0.gamma", in, 1, 1, 1));
        causalConvSpecs(specs, key + ".residual.2", in, out, 3, 3, 3);
        specs.add(ParameterSpec.required(key + ".residual.3.gamma", out, 1, 1, 1));
        causalConvSpecs(specs, key + ".residual.6", out, out, 3, 3, 3);
        if (in != out) {
            causalConvSpecs(specs, key + ".shortcut", in, out, 1, 1, 1);
        }
    }

    static void attentionSpecs(List<ParameterSpec> specs, String key, int c) {
        specs.add(ParameterSpec.required(key + ".norm.gamma", c, 1, 1));
        specs.add(ParameterSpec.required(key + ".to_qkv.weight", 3 * c, c, 1, 1));
        specs.add(ParameterSpec.required(key + ".to_qkv.bias", 3 * c));
        specs.add(ParameterSpec.required(key + ".proj.weight", c, c, 1, 1));
        specs.add(ParameterSpec.required(key + ".proj.bias", c));
    }

    static void layerSpecs(List<ParameterSpec> specs, String key, VaeLayer layer) {
        if (layer instanceof VaeLayer.Residual r) {
            residualSpecs(specs, key, r);
        } else if (layer instanceof VaeLayer.Downsample2d d) {
            frameConvSpecs(specs, key, d.channels(), d.channels());
        } else if (layer instanceof VaeLayer.Downsample3d d) {
            frameConvSpecs(specs, key, d.channels(), d.channels());
            causalConvSpecs(specs, key + ".time_conv", d.channels(), d.channels(), 3, 1, 1);
        } else if (layer instanceof VaeLayer.Upsample2d u) {
            frameConvSpecs(specs, key, u.channels(), u.channels() / 2);
        } else if (layer instanceof VaeLayer.Upsample3d u) {
            frameConvSpecs(specs, key, u.channels(), u.channels() / 2);
            causalConvSpecs(specs, key + ".time_conv", u.channels(), 2 * u.channels(), 3, 1, 1);
        } else {
            throw new IllegalStateException("unknown VAE layer " + layer);
        }
    }

    private static void frameConvSpecs(List<ParameterSpec> specs, String key, int in, int out) {
        specs.add(ParameterSpec.required(key + ".resample.1.weight", out, in, 3, 3));
        specs.add(ParameterSpec.required(key + ".resample.1.bias", out));
    }

    /** Runs {@code layer} (a residual block or a resample) at {@code key}. */
    Tensor layer(String key, VaeLayer layer, Tensor x) {
        if (layer instanceof VaeLayer.Residual r) {
            return residual(key, r, x);
        } else if (layer instanceof VaeLayer.Downsample2d) {
            return downsample2d(key, x);
        } else if (layer instanceof VaeLayer.Downsample3d) {
            return downsample3d(key, x);
        } else if (layer instanceof VaeLayer.Upsample2d) {
            return upsample2d(key, x);
        } else if (layer instanceof VaeLayer.Upsample3d) {
            return upsample3d(key, x);
        }
        throw new IllegalStateException("unknown VAE layer " + layer);
    }
}
