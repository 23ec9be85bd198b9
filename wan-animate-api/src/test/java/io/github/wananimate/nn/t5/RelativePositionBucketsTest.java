package io.github.wananimate.nn.t5;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.tensor.HostTensor;
import org.junit.jupiter.api.Test;

class RelativePositionBucketsTest {

    /** The table of NETWORKS.md §6 (32 buckets, max distance 128): {first |r|, last |r|, bucket for r < 0}. */
    private static final int[][] TABLE = {
            {8, 11, 8}, {12, 15, 9}, {16, 22, 10}, {23, 31, 11}, {32, 45, 12}, {46, 63, 13}, {64, 90, 14},
            {91, 4000, 15}};

    @Test
    void reproducesTheSpecTable() {
        assertThat(RelativePositionBuckets.bucket(0, 32, 128)).isZero();
        for (int n = 1; n <= 7; n++) {
            assertThat(RelativePositionBuckets.bucket(-n, 32, 128)).isEqualTo(n);
            assertThat(RelativePositionBuckets.bucket(n, 32, 128)).isEqualTo(16 + n);
        }
        for (int[] row : TABLE) {
            for (int n = row[0]; n <= row[1]; n++) {
                assertThat(RelativePositionBuckets.bucket(-n, 32, 128)).as("r = -%d", n).isEqualTo(row[2]);
                assertThat(RelativePositionBuckets.bucket(n, 32, 128)).as("r = %d", n).isEqualTo(16 + row[2]);
            }
        }
    }

    @Test
    void oneHotSelectsTheBucketOfEveryPair() {
        HostTensor oneHot = RelativePositionBuckets.oneHot(3, 20, 32, 128);
        assertThat(oneHot.shape()).containsExactly(60, 32);
        float[] v = oneHot.toFloatArray();
        // query 2, key 19: r = 17 -> bucket 26
        int row = 2 * 20 + 19;
        for (int b = 0; b < 32; b++) {
            assertThat(v[row * 32 + b]).isEqualTo(b == 26 ? 1f : 0f);
        }
    }
}
