package io.github.wananimate.samples;

import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.WanVae;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --network vae}: VAE decode on procedural weights, streamed latent frame by latent frame (frames are
 * discarded as they arrive): wall time of decoding the first {@code --vae-frames} count per size, as frames/s; then
 * the peak resident memory while decoding each frame count (process peak RSS reset before each decode, Linux only;
 * garbage is collected after every chunk so that the figure is the live working set, not uncollected host
 * buffers).
 */
final class VaeBench {

    private final BenchReport report;
    private final int dim;
    private final List<Integer> sizes;
    private final List<Integer> frameCounts;

    VaeBench(BenchReport report, int dim, List<Integer> sizes, List<Integer> frameCounts) {
        this.report = report;
        this.dim = dim;
        this.sizes = sizes;
        this.frameCounts = frameCounts;
    }

    void run(Backend backend) {
        PrintWriter out = report.out();
        VaeConfig config = VaeConfig.withDim(dim);
        for (int size : sizes) {
            if (size % 8 != 0) {
                throw new IllegalArgumentException("--vae-size must be a multiple of 8, got " + size);
            }
            try (WanVae vae = WanVae.load(backend, ProceduralWeights.forSpecs(0, WanVae.parameters(config)), config)) {
                int frames = frameCounts.get(0);
                HostTensor latent = latent(frames, size);
                double[] ms = report.time(() -> vae.decode(latent, chunk -> { }));
                report.row("vae decode dim" + dim + " " + size + "x" + size + " " + frames + "f",
                        BenchReport.where(backend), ms, "", String.format(Locale.ROOT, "  %.2f frames/s",
                                frames / (BenchReport.median(ms) / 1000)));
                for (int count : frameCounts) {
                    HostTensor longer = latent(count, size);
                    System.gc();
                    PeakMemory.reset();
                    long before = PeakMemory.residentKiB();
                    vae.decode(longer, chunk -> System.gc());
                    long peak = PeakMemory.peakKiB();
                    out.printf(Locale.ROOT, "  peak RSS decoding %d frames at %dx%d: %s MiB above the %s MiB before"
                            + " (output %.1f MiB, streamed and discarded)%n", count, size, size,
                            peak < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (peak - before) / 1024.0),
                            BenchReport.mib(before),
                            3.0 * count * size * size * 4 / (1 << 20));
                    out.flush();
                }
            }
        }
    }

    /** The procedural latent that decodes to {@code frames} frames of {@code size}². */
    private static HostTensor latent(int frames, int size) {
        return Procedural.tensor("bench.latent", 0, VaeConfig.LATENT_CHANNELS, 1 + (frames - 1) / 4, size / 8,
                size / 8);
    }
}
