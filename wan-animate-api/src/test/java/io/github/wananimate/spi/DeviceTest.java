package io.github.wananimate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** One device syntax for every backend. */
class DeviceTest {

    @Test
    void readsEverySpelling() {
        assertThat(Device.parse("cpu")).isEqualTo(Device.CPU);
        assertThat(Device.parse(" CPU ")).isEqualTo(Device.CPU);
        assertThat(Device.parse("cuda")).isEqualTo(Device.cuda(0));
        assertThat(Device.parse("cuda:3")).isEqualTo(Device.cuda(3));
        assertThat(Device.parse("gpu")).isEqualTo(Device.cuda(0));
        assertThat(Device.parse("GPU:1")).isEqualTo(Device.cuda(1));
        assertThat(Device.parse("cuda:2").toString()).isEqualTo("cuda:2");
        assertThat(Device.parse(Device.cuda(5).toString())).isEqualTo(Device.cuda(5));
        assertThat(new BackendOptions("gpu:1", 0).device()).isEqualTo(Device.cuda(1));
        assertThat(Backends.isCpu("cpu")).isTrue();
        assertThat(Backends.isCpu("gpu")).isFalse();
    }

    @Test
    void refusesWhatNoBackendKnows() {
        for (String bad : new String[] {"tpu", "tpu:0", "cpu:1", "cuda:x", "cuda:-1", "cuda:", "", "mps"}) {
            assertThatThrownBy(() -> Device.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown device '" + bad + "'").hasMessageContaining("cuda:N");
        }
        assertThatThrownBy(() -> Device.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Device.cuda(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
