package io.github.wananimate.nn.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.tensor.HostTensor;
import org.junit.jupiter.api.Test;

class Rope3dTest {

    @Test
    void splitsPairsLikeTheOriginal() {
        assertThat(Rope3d.pairSplit(128)).containsExactly(22, 21, 21);
        assertThat(Rope3d.pairSplit(64)).containsExactly(12, 10, 10);
        assertThat(Rope3d.pairSplit(80)).containsExactly(14, 13, 13);
    }

    @Test
    void eachAxisUsesItsOwnDenominator() {
        // token (f=3, i=5, j=7) of a 4x6x8 grid, head dim 128: frame pairs use 10000^(-2j/44), the others /42
        double[][] angles = Rope3d.angles(128, 4, 6, 8);
        double[] a = angles[(3 * 6 + 5) * 8 + 7];
        assertThat(a).hasSize(64);
        assertThat(a[0]).isEqualTo(3.0);
        assertThat(a[1]).isCloseTo(3.0 * Math.pow(10000, -2.0 / 44), within(1e-15));
        assertThat(a[21]).isCloseTo(3.0 * Math.pow(10000, -42.0 / 44), within(1e-15));
        assertThat(a[22]).isEqualTo(5.0);
        assertThat(a[23]).isCloseTo(5.0 * Math.pow(10000, -2.0 / 42), within(1e-15));
        assertThat(a[43]).isEqualTo(7.0);
        assertThat(a[63]).isCloseTo(7.0 * Math.pow(10000, -40.0 / 42), within(1e-15));
    }

    @Test
    void originIsTheIdentityRotation() {
        HostTensor[] cs = Rope3d.cosSin(64, 2, 2, 2);
        assertThat(cs[0].shape()).containsExactly(8, 1, 32, 1);
        float[] cos = cs[0].toFloatArray();
        float[] sin = cs[1].toFloatArray();
        for (int m = 0; m < 32; m++) {
            assertThat(cos[m]).isEqualTo(1f);
            assertThat(sin[m]).isEqualTo(0f);
        }
    }

    @Test
    void refusesGridsBeyondTheTable() {
        assertThatThrownBy(() -> Rope3d.angles(128, 1025, 1, 1)).hasMessageContaining("frame count 1025");
    }
}
