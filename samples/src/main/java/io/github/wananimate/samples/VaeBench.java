package io.github.wananimate.samples;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.nn.vae.VaeDecoder;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.pipeline.WanVae;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.ForwardingBackend;
import io.github.wananimate.spi.ForwardingLoadedNetwork;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code bench --network vae}: VAE decode on procedural weights, streamed latent frame by latent frame (frames are
 * discarded as they arrive). Per size: the wall time of decoding the first {@code --vae-frames} count (frames/s, and
 * the process CPU time, which contention from other processes inflates less than the wall time), then the peak
 * resident memory of decoding each frame count, split into the parts a decode holds:
 * <ul>
 * <li>weights: the decoder's parameters, one float32 copy (what the runtime holds beyond that is in the rest);</li>
 * <li>cache: the causal cache kept on the backend between chunks (the largest set of {@code updated_cache.*});</li>
 * <li>output: one chunk of frames as float32, the most a streamed decode holds;</li>
 * <li>activations: the rest of the peak above the process before the VAE was loaded: intermediates, convolution
 *     workspace, allocator and runtime overhead, extra weight copies.</li>
 * </ul>
 * Peaks are the process peak RSS (Linux VmHWM, reset before each decode); garbage is collected after every chunk so
 * that they are the live working set, not uncollected host buffers.
 */
final class VaeBench {

    private final BenchReport report;
    private final int dim;
    private final List<String> sizes;
    private final List<Integer> frameCounts;
    private final VaeTiling tiling;

    VaeBench(BenchReport report, int dim, List<String> sizes, List<Integer> frameCounts, VaeTiling tiling) {
        this.report = report;
        this.dim = dim;
        this.sizes = sizes;
        this.frameCounts = frameCounts;
        this.tiling = tiling;
    }

    void run(Backend backend) {
        PrintWriter out = report.out();
        VaeConfig config = VaeConfig.withDim(dim);
        long weightBytes = floatBytes(new VaeDecoder(config));
        for (String size : sizes) {
            int[] hw = parseSize(size);
            int height = hw[0];
            int width = hw[1];
            System.gc();
            long before = PeakMemory.residentKiB();
            CacheMeter meter = new CacheMeter(backend);
            try (WanVae vae = WanVae.load(meter, ProceduralWeights.forSpecs(0, VaeWeights.parameters(config)), config)) {
                int frames = frameCounts.get(0);
                HostTensor latent = latent(frames, height, width);
                double[] cpuMs = new double[1];
                double[] ms = report.time(() -> {
                    long cpu = processCpuNanos();
                    vae.decodeChunks(latent, tiling).forEachRemaining(chunk -> { });
                    cpuMs[0] = (processCpuNanos() - cpu) / 1e6;
                });
                boolean tiled = tiling.splits(height / config.spaceStride(), width / config.spaceStride());
                report.row("vae decode dim" + dim + " " + height + "x" + width + " " + frames + "f"
                        + (tiled ? " tiles " + tiling.tile() : ""),
                        BenchReport.where(backend), ms, "", String.format(Locale.ROOT,
                                "  %.2f frames/s, last run %.0f ms CPU", frames / (BenchReport.median(ms) / 1000),
                                cpuMs[0]));
                long outputBytes = 3L * 4 * height * width * Float.BYTES;
                for (int count : frameCounts) {
                    HostTensor longer = latent(count, height, width);
                    System.gc();
                    boolean reset = PeakMemory.reset();
                    vae.decodeChunks(longer, tiling).forEachRemaining(chunk -> System.gc());
                    long peak = PeakMemory.peakKiB();
                    if (peak < 0 || before < 0) {
                        out.printf(Locale.ROOT, "  peak memory decoding %d frames at %dx%d: n/a (no /proc)%n", count,
                                height, width);
                        continue;
                    }
                    double above = (peak - before) / 1024.0;
                    double weights = weightBytes / MIB;
                    double cache = meter.cacheBytes / MIB;
                    double all = 3.0 * count * height * width * Float.BYTES / MIB;
                    double output = tiled ? all : Math.min(outputBytes, 3L * count * height * width * Float.BYTES)
                            / MIB;
                    out.printf(Locale.ROOT, "  peak RSS decoding %d frames at %dx%d: %s%.0f MiB (process), %.0f MiB "
                            + "above the %.0f MiB before loading = weights %.1f + cache %.1f%s + output %.1f (%s) + "
                            + "activations %.0f%n", count, height, width, reset ? "" : ">=", peak / 1024.0, above,
                            before / 1024.0, weights, cache, tiled ? " (one tile's)" : "", output, tiled
                                    ? "every frame, blended on the host" : String.format(Locale.ROOT,
                                            "one chunk; %.1f in all, streamed", all),
                            above - weights - cache - output);
                    out.flush();
                }
            }
        }
    }

    private static final double MIB = 1 << 20;

    /** {@code N} or {@code HxW}, each a positive multiple of 8. */
    static int[] parseSize(String size) {
        String[] parts = size.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            int h = Integer.parseInt(parts[0]);
            int w = parts.length == 1 ? h : Integer.parseInt(parts[1]);
            if (parts.length > 2 || h <= 0 || w <= 0 || h % 8 != 0 || w % 8 != 0) {
                throw new NumberFormatException();
            }
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--vae-size must be N or HxW with positive multiples of 8, got '"
                    + size + "'");
        }
    }

    private static long floatBytes(Network network) {
        long n = 0;
        for (ParameterSpec p : network.parameters()) {
            n += Shapes.elementCount(p.shape());
        }
        return n * Float.BYTES;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The procedural latent that decodes to {@code frames} frames of {@code height × width}. */
    private static HostTensor latent(int frames, int height, int width) {
        return Procedural.tensor("bench.latent", 0, VaeConfig.LATENT_CHANNELS, 1 + (frames - 1) / 4, height / 8,
                width / 8);
    }

    /** A view of a backend that records the largest set of tensors its networks kept on the device in one run. */
    private static final class CacheMeter extends ForwardingBackend {
        private volatile long cacheBytes;

        CacheMeter(Backend backend) {
            super(backend);
        }

        @Override
        protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
            return new ForwardingLoadedNetwork(loaded) {
                @Override
                public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
                        Predicate<String> keepOnDevice) {
                    return measured(super.run(inputs, deviceInputs, keepOnDevice));
                }

                @Override
                public RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> consumed,
                        Predicate<String> keepOnDevice) {
                    return measured(super.runConsuming(inputs, consumed, keepOnDevice));
                }
            };
        }

        private RunOutputs measured(RunOutputs outputs) {
            long bytes = 0;
            for (DeviceTensor t : outputs.device().values()) {
                bytes += Shapes.elementCount(t.shape()) * Float.BYTES;
            }
            cacheBytes = Math.max(cacheBytes, bytes);
            return outputs;
        }

        @Override
        public void close() {
            // the wrapped backend belongs to the bench
        }
    }
}
