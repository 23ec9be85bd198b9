package io.github.wananimate.nn.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TimestepSinusoidTest {

    @Test
    void cosineHalfComesFirst() {
        float[] s = WanAnimateDiT.timestepSinusoid(937, 256).toFloatArray();
        assertThat(s).hasSize(256);
        assertThat(s[0]).isEqualTo((float) Math.cos(937.0));
        assertThat(s[128]).isEqualTo((float) Math.sin(937.0));
        double omega = Math.pow(10000, -5.0 / 128);
        assertThat((double) s[5]).isCloseTo(Math.cos(937 * omega), within(1e-7));
        assertThat((double) s[133]).isCloseTo(Math.sin(937 * omega), within(1e-7));
    }

    @Test
    void timestepZeroIsOnesThenZeros() {
        float[] s = WanAnimateDiT.timestepSinusoid(0, 8).toFloatArray();
        assertThat(s).containsExactly(1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f);
    }
}
