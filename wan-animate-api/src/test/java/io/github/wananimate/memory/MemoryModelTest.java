package io.github.wananimate.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.tensor.Shapes;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class MemoryModelTest {

    private static final WanAnimateDiT DIT = new WanAnimateDiT(new DiTConfig(128, 256, 256, 64, 32, 2, 10, 1e-6));
    private static final long TOKENS = 3 * 4 * 4;

    @Test
    void aBudgetForEverythingStreamsNothing() {
        ResidencyPlan all = MemoryModel.planDiT(DIT, false, TOKENS, 0, Long.MAX_VALUE);
        assertThat(all.streams()).isFalse();
        assertThat(all.residentGroups()).hasSize(10);
        ResidencyPlan exact = MemoryModel.planDiT(DIT, false, TOKENS, 0, all.allResidentBytes());
        assertThat(exact.streams()).isFalse();
        assertThat(exact.plannedPeakBytes()).isEqualTo(all.allResidentBytes());
    }

    @Test
    void smallerBudgetsStreamTheLastBlocksAndStayWithinTheBudget() {
        ResidencyPlan all = MemoryModel.planDiT(DIT, false, TOKENS, 0, Long.MAX_VALUE);
        for (long budget = all.minimumBudgetBytes(); budget < all.allResidentBytes(); budget += 40_000) {
            ResidencyPlan plan = MemoryModel.planDiT(DIT, false, TOKENS, 0, budget);
            assertThat(plan.plannedPeakBytes()).isLessThanOrEqualTo(budget);
            assertThat(plan.streams()).isTrue();
            assertThat(plan.streamedGroups()).last().isEqualTo("blocks.9");
            assertThat(plan.residentGroups().size() + plan.streamedGroups().size()).isEqualTo(10);
            assertThat(plan.residentGroupBytes() + plan.streamedGroupBytes())
                    .isEqualTo(all.residentGroupBytes());
        }
        ResidencyPlan least = MemoryModel.planDiT(DIT, false, TOKENS, 0, all.minimumBudgetBytes());
        assertThat(least.residentGroups()).isEmpty();
    }

    @Test
    void aBudgetBelowOneStreamedBlockIsRefusedNamingTheMinimum() {
        long minimum = MemoryModel.planDiT(DIT, false, TOKENS, 1000, Long.MAX_VALUE).minimumBudgetBytes();
        assertThatThrownBy(() -> MemoryModel.planDiT(DIT, false, TOKENS, 1000, minimum - 1))
                .isInstanceOf(MemoryBudgetException.class)
                .hasMessageContaining("needs at least").hasMessageContaining("(" + minimum + " bytes)")
                .satisfies(e -> assertThat(((MemoryBudgetException) e).minimumBytes()).isEqualTo(minimum));
    }

    @Test
    void groupsAndFixedPartsAddUpToTheNetworksWeights() {
        ResidencyPlan withFaces = MemoryModel.planDiT(DIT, true, TOKENS, 0, Long.MAX_VALUE);
        assertThat(withFaces.fixedBytes() + withFaces.residentGroupBytes())
                .isEqualTo(MemoryModel.weightBytes(DIT, MemoryModel.FLOAT32_BYTES));
        ResidencyPlan codes = MemoryModel.planDiT(DIT, false, TOKENS, 0, Long.MAX_VALUE);
        assertThat(withFaces.fixedBytes() - codes.fixedBytes()).isEqualTo(MemoryModel.weightBytes(DIT.parameters(),
                k -> k.startsWith(MemoryModel.MOTION_ENCODER_PREFIX), MemoryModel.FLOAT32_BYTES));
    }

    @Test
    void sizesParseInBinaryUnits() {
        assertThat(MemorySize.parse("24G")).isEqualTo(24L << 30);
        assertThat(MemorySize.parse("512m")).isEqualTo(512L << 20);
        assertThat(MemorySize.parse("1.5GiB")).isEqualTo(3L << 29);
        assertThat(MemorySize.parse("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> MemorySize.parse("24 gigs")).hasMessageContaining("'24 gigs'");
        assertThatThrownBy(() -> MemorySize.parse("0")).hasMessageContaining("out of range");
    }

    @Test
    void aTextEncoderRunsOnTheDeviceOnlyWhenItFitsBesideTheResidentPart() {
        ResidencyPlan all = MemoryModel.planDiT(DIT, false, TOKENS, 1000, Long.MAX_VALUE);
        long held = all.fixedBytes() + all.residentGroupBytes();
        ResidencyPlan tight = MemoryModel.planDiT(DIT, false, TOKENS, 1000, held + 5000);
        long tightHeld = tight.fixedBytes() + tight.residentGroupBytes();
        assertThat(MemoryModel.textEncoderFits(tight.budgetBytes() - tightHeld, tight)).isTrue();
        assertThat(MemoryModel.textEncoderFits(tight.budgetBytes() - tightHeld + 1, tight)).isFalse();
        assertThat(MemoryModel.textEncoderFits(Long.MAX_VALUE / 2, all)).isTrue();
    }

    @Test
    void float8WeightsHeldAsCodesCountOneBytePerElementAndTheirLookup() {
        VaeConfig vae = VaeConfig.official();
        ClipVisionConfig clip = ClipVisionConfig.vitHuge14();
        WanAnimateDiT dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);
        Predicate<String> linears = key -> key.startsWith("blocks.") && key.endsWith(".weight")
                && dit.parameters().stream().anyMatch(s -> s.key().equals(key) && s.shape().length == 2);
        ResidencyPlan f32 = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, Long.MAX_VALUE);
        ToIntFunction<String> held = key -> linears.test(key) ? MemoryModel.FLOAT8_BYTES : MemoryModel.FLOAT32_BYTES;
        ResidencyPlan codes = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, Long.MAX_VALUE, held);
        long linearElements = dit.parameters().stream().filter(s -> linears.test(s.key()))
                .mapToLong(s -> Shapes.elementCount(s.shape())).sum();
        assertThat(f32.residentGroupBytes() - codes.residentGroupBytes())
                .isEqualTo(linearElements * (MemoryModel.FLOAT32_BYTES - MemoryModel.FLOAT8_BYTES));
        // the largest float8 weight (an FFN matrix, 5120 x 13824) is looked up into int64 indices and float32 values
        assertThat(MemoryModel.float8LookupBytes(dit.parameters(), linears)).isEqualTo(5120L * 13824 * 12);
        assertThat(MemoryModel.float8LookupBytes(dit.parameters(), key -> false)).isZero();
        // 720p: the reserve is the larger of the VAE's and the DiT forward's, which now includes the lookup
        assertThat(codes.activationBytes()).isEqualTo(Math.max(MemoryModel.vaeOnDemandBytes(vae, 1280, 720),
                MemoryModel.ditActivationBytes(dit.config(), MemoryModel.clipTokens(1280, 720, 77), 4)
                        + 5120L * 13824 * 12));
        // a 24 GiB budget keeps more blocks of the float8 DiT resident
        long budget = 24L << 30;
        assertThat(MemoryModel.planBudgetedGeneration(dit, vae, clip, 832, 480, 77, budget, held)
                .residentGroups().size()).isGreaterThan(MemoryModel.planBudgetedGeneration(dit, vae, clip, 832, 480,
                        77, budget).residentGroups().size());
    }

    @Test
    void underABudgetTheClipTowerAndTheVaeShareTheActivationReserveInsteadOfStayingResident() {
        VaeConfig vae = VaeConfig.official();
        ClipVisionConfig clip = ClipVisionConfig.vitHuge14();
        WanAnimateDiT dit = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);
        long clipBytes = MemoryModel.clipOnDemandBytes(clip);
        // ViT-H/14: 632 M float32 weights and under 100 MB of activations at 257 tokens
        assertThat(clipBytes).isBetween(2_400_000_000L, 2_700_000_000L);
        // the released VAE: about 127 M float32 weights, plus the decode working set of the size
        long vaeWeights = MemoryModel.vaeOnDemandBytes(vae, 0, 0);
        assertThat(vaeWeights).isBetween(400_000_000L, 600_000_000L);
        assertThat(MemoryModel.vaeOnDemandBytes(vae, 1280, 720))
                .isEqualTo(vaeWeights + MemoryModel.vaeDecodeBytes(1280, 720));
        // only the motion encoder stays resident beside the DiT
        ResidencyPlan hd = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, Long.MAX_VALUE);
        assertThat(hd.fixedBytes()).isEqualTo(MemoryModel.planGeneration(dit, MemoryModel.motionEncoderBytes(),
                1280, 720, 77, Long.MAX_VALUE).fixedBytes());
        // 720p: the DiT's activations (8.6 GB) hold the tower; the VAE with its decode set is larger still
        assertThat(hd.activationBytes()).isEqualTo(Math.max(MemoryModel.vaeOnDemandBytes(vae, 1280, 720),
                MemoryModel.ditActivationBytes(dit.config(), MemoryModel.clipTokens(1280, 720, 77), 4)));
        // a tiny frame: the tower is the largest transient and sets the reserve
        ResidencyPlan tiny = MemoryModel.planBudgetedGeneration(dit, vae, clip, 16, 16, 5, Long.MAX_VALUE);
        assertThat(tiny.activationBytes()).isEqualTo(clipBytes);
        // the same budget keeps more blocks resident than with both resident for the whole run
        long budget = 40L << 30;
        ResidencyPlan onDemand = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, budget);
        ResidencyPlan resident = MemoryModel.planGeneration(dit, MemoryModel.otherResidentBytes(vae, clip), 1280, 720,
                77, budget);
        assertThat(onDemand.residentGroups().size()).isGreaterThan(resident.residentGroups().size());
    }
    @Test
    void whenTheWholeFrameDecodeSetsTheReserveAndDoesNotFitTheDecodeIsTiledToFitTheRestOfTheReserve() {
        // a small DiT at 720p: the VAE's decode (8.5 GB) sets the activation reserve, not the DiT forward
        WanAnimateDiT dit = new WanAnimateDiT(new DiTConfig(256, 1024, 256, 4096, 64, 4, 10, 1e-6));
        VaeConfig vae = VaeConfig.official();
        ClipVisionConfig clip = ClipVisionConfig.vitHuge14();
        ToIntFunction<String> float32 = key -> MemoryModel.FLOAT32_BYTES;
        ResidencyPlan whole = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, Long.MAX_VALUE);
        assertThat(whole.activationBytes()).isEqualTo(MemoryModel.vaeOnDemandBytes(vae, 1280, 720));
        assertThat(MemoryModel.vaeDecodeTiling(dit, vae, clip, 1280, 720, 77, whole.minimumBudgetBytes(), float32,
                MemoryModel.FLOAT32_BYTES)).isEqualTo(VaeTiling.WHOLE_FRAME);
        long budget = whole.minimumBudgetBytes() - 1;
        VaeTiling tiling = MemoryModel.vaeDecodeTiling(dit, vae, clip, 1280, 720, 77, budget, float32,
                MemoryModel.FLOAT32_BYTES);
        assertThat(tiling.splits(90, 160)).isTrue();
        ResidencyPlan tiled = MemoryModel.planBudgetedGeneration(dit, vae, clip, 1280, 720, 77, budget);
        // the CLIP tower now sets the reserve; the largest tile whose decode fits beside it is taken
        assertThat(tiled.activationBytes()).isEqualTo(MemoryModel.clipOnDemandBytes(clip));
        assertThat(MemoryModel.vaeOnDemandBytes(vae, 1280, 720, tiling)).isLessThanOrEqualTo(tiled.activationBytes());
        assertThat(MemoryModel.vaeOnDemandBytes(vae, 1280, 720, new VaeTiling(tiling.tile() + VaeTiling.TILE_STEP)))
                .isGreaterThan(tiled.activationBytes());
        assertThat(tiled.plannedPeakBytes()).isLessThanOrEqualTo(budget);
    }
}
