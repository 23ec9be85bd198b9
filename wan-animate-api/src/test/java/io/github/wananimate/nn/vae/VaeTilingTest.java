package io.github.wananimate.nn.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VaeTilingTest {

    @Test
    void tilesAreEvenlySpacedFromEdgeToEdgeWithAtLeastAQuarterOverlap() {
        VaeTiling tiling = new VaeTiling(32);
        assertThat(tiling.overlap()).isEqualTo(8);
        for (int length = 33; length <= 200; length++) {
            List<Integer> starts = tiling.starts(length);
            assertThat(starts.get(0)).isZero();
            assertThat(starts.get(starts.size() - 1)).isEqualTo(length - 32);
            for (int k = 1; k < starts.size(); k++) {
                int overlap = starts.get(k - 1) + 32 - starts.get(k);
                assertThat(overlap).as("length %d, tile %d", length, k).isBetween(8, 31);
            }
            // one tile fewer would leave an overlap under a quarter
            int fewer = starts.size() - 2;
            assertThat(fewer == 0 || (length - 32 + fewer - 1) / fewer > 32 - 8).as("length %d", length).isTrue();
        }
        // 90 × 160 latent pixels (720p) in tiles of 64: 2 rows, 3 columns
        assertThat(new VaeTiling(64).starts(90)).containsExactly(0, 26);
        assertThat(new VaeTiling(64).starts(160)).containsExactly(0, 48, 96);
    }

    @Test
    void aFrameNoLargerThanTheTileIsOneTileAndTheWholeFrameIsNeverCut() {
        assertThat(new VaeTiling(32).starts(32)).containsExactly(0);
        assertThat(new VaeTiling(32).splits(32, 20)).isFalse();
        assertThat(new VaeTiling(32).splits(32, 33)).isTrue();
        assertThat(VaeTiling.WHOLE_FRAME.splits(1000, 1000)).isFalse();
        assertThat(VaeTiling.WHOLE_FRAME.starts(1000)).containsExactly(0);
        assertThat(new VaeTiling(32).weights(List.of(0), 0, 20, 8)).hasSize(160).containsOnly(1f);
    }

    @Test
    void weightsRampAcrossEachOverlapAndSumToOneThere() {
        VaeTiling tiling = new VaeTiling(16);
        int length = 40;
        int scale = 8;
        List<Integer> starts = tiling.starts(length);
        double[] sum = new double[length * scale];
        for (int k = 0; k < starts.size(); k++) {
            float[] weights = tiling.weights(starts, k, length, scale);
            assertThat(weights).hasSize(16 * scale);
            for (int p = 0; p < weights.length; p++) {
                assertThat(weights[p]).isGreaterThan(0f).isLessThanOrEqualTo(1f);
                sum[starts.get(k) * scale + p] += weights[p];
            }
        }
        for (int p = 0; p < sum.length; p++) {
            assertThat(sum[p]).as("pixel %d", p).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
        // the first tile is 1 up to where the second starts, then falls
        float[] first = tiling.weights(starts, 0, length, scale);
        int secondStart = starts.get(1) * scale;
        assertThat(first[secondStart - 1]).isEqualTo(1f);
        assertThat(first[secondStart]).isLessThan(1f);
        assertThat(first[first.length - 1]).isLessThan(first[secondStart]);
    }

    @Test
    void aTileSideBelowFourIsRefused() {
        assertThatThrownBy(() -> new VaeTiling(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 4 latent pixels, got 3");
    }
}
