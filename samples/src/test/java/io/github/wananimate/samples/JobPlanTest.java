package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.procedural.ProceduralFloat8;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Predicate;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The planner against values computed by hand from ANCHORS.md §2.2–2.3. */
class JobPlanTest {

    private static JobPlan plan(int w, int h, int frames, int steps, boolean cfg, Gpu gpu) {
        return new JobPlan(w, h, frames, 77, 1, steps, cfg, gpu, gpu.efficiency(), JobPlan.Precision.BF16, 0);
    }

    @Test
    void flopPerForwardMatchesTheAnchors() {
        // 720p: N = 21·45·80 = 75,600. Per block (MACs): 4ND² = 7.9272e12, 2N²D = 5.85255e13,
        // cross 2ND² + 2·769·D² + 2N·769·D = 4.59931e12, FFN 2NDF = 1.07017e13 → ×40 ×2 = 6.54028e15;
        // face 8 × 2 × (2ND² + 5·20·2D² + 2N·5D) = 6.35637e13. Total 6.603847e15 (ANCHORS: 6.60 PFLOP, 70.9%).
        JobPlan p720 = plan(1280, 720, 77, 20, false, Gpu.H100);
        assertThat(p720.tokens()).isEqualTo(75_600);
        assertThat(p720.flopPerForward()).isCloseTo(6.603846844416e15, Percentage.withPercentage(1e-9));
        assertThat(p720.faceAdapterFlop()).isCloseTo(6.356369408e13, Percentage.withPercentage(1e-9));
        assertThat(p720.attentionCoreFlop() / p720.flopPerForward()).isCloseTo(0.709, within(0.0005));
        // 480p: N = 21·30·52 = 32,760 → 1.7138e15 (ANCHORS: 1.71 PFLOP, attention 51.3%)
        JobPlan p480 = plan(832, 480, 77, 20, false, Gpu.H100);
        assertThat(p480.tokens()).isEqualTo(32_760);
        assertThat(p480.flopPerForward()).isCloseTo(1.713845501952e15, Percentage.withPercentage(1e-9));
        assertThat(p480.attentionCoreFlop() / p480.flopPerForward()).isCloseTo(0.513, within(0.0005));
    }

    @Test
    void timeIsForwardsTimesFlopOverEffectiveThroughput() {
        // H100: 989 TFLOP/s × 0.5 = 494.5 TFLOP/s; 20 forwards × 6.603847e15 / 494.5e12 = 267.09 s (ANCHORS ≈264 s
        // from the rounded 13.2 s per forward)
        JobPlan h100 = plan(1280, 720, 77, 20, false, Gpu.H100);
        assertThat(h100.forwards()).isEqualTo(20);
        assertThat(h100.secondsPerForward()).isCloseTo(13.3546, within(1e-3));
        assertThat(h100.ditSeconds()).isCloseTo(267.092, within(1e-2));
        // CFG doubles the forwards; 150 frames in clips of 77 with refert 1 are 2 clips
        JobPlan cfg = plan(1280, 720, 150, 20, true, Gpu.H100);
        assertThat(cfg.clips().clipCount()).isEqualTo(2);
        assertThat(cfg.forwards()).isEqualTo(80);
        // A100: 312 × 0.6 = 187.2 TFLOP/s → 35.28 s per 720p forward (ANCHORS ≈35.1 s)
        assertThat(plan(1280, 720, 77, 4, false, Gpu.A100).secondsPerForward()).isCloseTo(35.277, within(1e-2));
        // fp32 runs at the TF32 rate: half
        JobPlan fp32 = new JobPlan(1280, 720, 77, 77, 1, 20, false, Gpu.H100, 0.5, JobPlan.Precision.FP32, 0);
        assertThat(fp32.secondsPerForward()).isCloseTo(2 * 13.3546, within(2e-3));
    }

    @Test
    void memoryIsTheRuntimesMemoryModel() {
        JobPlan p = plan(1280, 720, 77, 20, false, Gpu.H100);
        WanAnimateDiT dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);
        // NETWORKS.md §8.2 counts 17,274,816,884 DiT parameters; the network's parameter list (which the run binds)
        // has 224 more; the motion encoder is a network of its own
        long motionEncoder = MemoryModel.weightBytes(dit.parameters(),
                k -> k.startsWith(MemoryModel.MOTION_ENCODER_PREFIX), 1);
        assertThat(p.ditWeightBytes()).isEqualTo(2.0 * (17_274_816_884L + 224 - motionEncoder));
        assertThat(JobPlan.umt5Bytes()).isEqualTo(11_361_820_672.0);
        VaeConfig vae = VaeConfig.official();
        ClipVisionConfig clip = ClipVisionConfig.vitHuge14();
        assertThat(JobPlan.motionEncoderBytes()).isEqualTo(MemoryModel.motionEncoderBytes());
        assertThat(p.vaeOnDemandBytes()).isEqualTo(MemoryModel.vaeOnDemandBytes(vae, 1280, 720));
        assertThat(JobPlan.clipOnDemandBytes()).isEqualTo(MemoryModel.clipOnDemandBytes(clip));
        // 3 × 192 × 4 × 1280 × 720 × 4 bytes
        assertThat(p.vaeDecodeBytes()).isEqualTo(8_493_465_600.0);
        // fp32, the run's precision: the planner's peak is the runtime's all-resident need for the same request
        JobPlan fp32 = new JobPlan(1280, 720, 77, 77, 1, 20, false, Gpu.H100, 0.5, JobPlan.Precision.FP32, 0);
        ResidencyPlan runtime = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, Long.MAX_VALUE);
        assertThat(fp32.sequentialPeakBytes()).isEqualTo(runtime.allResidentBytes());
        assertThat(fp32.ditActivationBytes()).isEqualTo(MemoryModel.ditActivationBytes(DiTConfig.WAN_ANIMATE_14B,
                75_600, 4));
        long budget = 24L << 30;
        assertThat(fp32.residency(budget)).isEqualTo(MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77,
                budget));
        // fp8: the float8 checkpoint is 1 byte per weight on the host; the device keeps the blocks' matrices as float8
        // codes (1 byte), the rest bf16, and reserves the lookup of the largest one: as the runtime counts
        JobPlan fp8 = new JobPlan(1280, 720, 77, 77, 1, 20, false, Gpu.H100, 0.5, JobPlan.Precision.FP8, 0);
        assertThat(fp8.ditCheckpointBytes()).isEqualTo(17_274_816_884.0 + 224 - motionEncoder);
        Predicate<String> codes = key -> key.startsWith("blocks.") && dit.parameters().stream()
                .anyMatch(s -> s.key().equals(key) && ProceduralFloat8.quantised(s));
        long quantised = (long) MemoryModel.weightBytes(dit.parameters(),
                codes.and(key -> !key.startsWith(MemoryModel.MOTION_ENCODER_PREFIX)), 1);
        assertThat(fp8.ditWeightBytes()).isEqualTo(p.ditWeightBytes() - quantised);
        assertThat(fp8.residency(budget)).isEqualTo(MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77,
                budget, key -> codes.test(key) ? MemoryModel.FLOAT8_BYTES : 2, 2));
        assertThat(fp8.residency(budget).residentGroups().size())
                .isGreaterThan(p.residency(budget).residentGroups().size());
    }

    @Test
    void benchPlanDefaultsToTheRunsPrecisionAndPrintsTheResidency() {
        StringWriter out = new StringWriter();
        CommandLine cli = WanAnimateCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("bench", "--plan", "--gpu", "rtx4090", "--size", "832x480", "--memory-budget", "24G"))
                .isZero();
        assertThat(out.toString()).contains("(fp32)").contains("residency under --memory-budget (24.00 GiB)")
                .contains("blocks resident");
    }

    @Test
    void benchPlanPrintsTheEstimate() {
        StringWriter out = new StringWriter();
        CommandLine cli = WanAnimateCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute("bench", "--plan", "--gpu", "h100", "--size", "1280x720", "--frames", "77", "--steps",
                "20", "--precision", "bf16");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("1 clip(s) of 77").contains("20 DiT forwards").contains("75,600")
                .contains("6.60 PFLOP (attention core 70.9%").contains("13.4 s per forward, 267 s in all")
                .contains("efficiency 50%").contains(": 40 of 40 blocks resident, 0 streamed");
        StringWriter small = new StringWriter();
        cli.setOut(new PrintWriter(small, true));
        assertThat(cli.execute("bench", "--plan", "--gpu", "rtx4090", "--size", "1920x1088")).isZero();
        assertThat(small.toString()).contains("does NOT fit under").contains("needs at least");
        StringWriter streamed = new StringWriter();
        cli.setOut(new PrintWriter(streamed, true));
        assertThat(cli.execute("bench", "--plan", "--gpu", "rtx4090", "--size", "832x480", "--precision", "bf16"))
                .isZero();
        assertThat(streamed.toString()).containsPattern(": [1-9]\\d? of 40 blocks resident, [1-9]\\d? streamed");
    }

    @Test
    void badPlanArgumentsAreUsageErrors() {
        CommandLine cli = WanAnimateCli.commandLine();
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("bench", "--plan", "--gpu", "tpu")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.execute("bench", "--plan", "--size", "1280x721")).isEqualTo(ExitCodes.USAGE);
        assertThatThrownBy(() -> Gpu.parse("v100")).hasMessageContaining("h100, h200, a100, rtx4090, l40s");
        assertThat(Gpu.parse("4090")).isEqualTo(Gpu.RTX4090);
    }
}
