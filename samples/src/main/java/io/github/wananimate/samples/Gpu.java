package io.github.wananimate.samples;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * GPUs the planner knows: dense BF16 tensor throughput (vendor data sheets, without sparsity) and memory. The
 * efficiency is the fraction of that peak a 14B DiT forward reaches: 0.50 on H100 and 0.60 on A100 are what the
 * official Wan2.2 efficiency table implies (ANCHORS.md §2.2: 6.60 PFLOP in ≈13.2 s on H100, ≈35.1 s on A100);
 * H200 shares the H100's compute; RTX 4090 and L40S were not measured and are assumed at 0.50.
 */
enum Gpu {
    H100("NVIDIA H100 SXM 80GB", 989, 80, 0.50),
    H200("NVIDIA H200 141GB", 989, 141, 0.50),
    A100("NVIDIA A100 SXM 80GB", 312, 80, 0.60),
    RTX4090("NVIDIA GeForce RTX 4090 24GB", 165.2, 24, 0.50),
    L40S("NVIDIA L40S 48GB", 362, 48, 0.50);

    private final String label;
    private final double bf16Tflops;
    private final double memoryGb;
    private final double efficiency;

    Gpu(String label, double bf16Tflops, double memoryGb, double efficiency) {
        this.label = label;
        this.bf16Tflops = bf16Tflops;
        this.memoryGb = memoryGb;
        this.efficiency = efficiency;
    }

    String label() {
        return label;
    }

    /** Dense BF16 tensor-core peak, TFLOP/s. */
    double bf16Tflops() {
        return bf16Tflops;
    }

    /** Memory in GB (10^9 bytes). */
    double memoryGb() {
        return memoryGb;
    }

    /** Default fraction of the peak reached by the DiT. */
    double efficiency() {
        return efficiency;
    }

    /** Parses {@code h100}, {@code H200}, {@code rtx4090}, {@code 4090}, {@code l40s}, {@code a100}. */
    static Gpu parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace("-", "").replace(" ", "");
        if (n.equals("4090")) {
            n = "RTX4090";
        }
        for (Gpu g : values()) {
            if (g.name().equals(n)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown GPU '" + name + "'; known: " + Arrays.stream(values())
                .map(g -> g.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
