package io.github.wananimate.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, cases 1 and 2: hostile pickles are refused quickly, naming the file and the limit. */
class HostilePickleTest {

    private static final Duration QUICK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void tupleHashBombIsRefusedBeforeHashing() throws Exception {
        byte[] bomb = HostilePickles.tupleHashBomb(64);
        assertThat(bomb.length).isLessThan(1500);
        Path file = HostilePickles.checkpoint(dir.resolve("bomb.pth"), bomb);
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> PytorchCheckpoint.open(file))
                .isInstanceOf(WeightException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("more than " + RestrictedUnpickler.MAX_KEY_NODES + " nested items"));
    }

    @Test
    void selfReferencesAreRefused() throws Exception {
        Path key = HostilePickles.checkpoint(dir.resolve("key.pth"), HostilePickles.selfReferencingKey());
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> PytorchCheckpoint.open(key))
                .isInstanceOf(WeightException.class).hasMessageContaining(key.toString())
                .hasMessageContaining("not hashable"));
        Path dict = HostilePickles.checkpoint(dir.resolve("dict.pth"), HostilePickles.selfReferencingDict());
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> PytorchCheckpoint.open(dict))
                .isInstanceOf(WeightException.class).hasMessageContaining(dict.toString())
                .hasMessageContaining("dict 'self' contains itself"));
    }

    @Test
    void deepNestingIsAnsweredWithoutStackOverflow() throws Exception {
        // 200,000 nested lists (~400 KB) as a value: a skipped non-tensor, read without recursion
        Path value = HostilePickles.checkpoint(dir.resolve("lists.pth"), HostilePickles.nestedListValue(200_000));
        assertTimeoutPreemptively(QUICK, () -> {
            try (PytorchCheckpoint c = PytorchCheckpoint.open(value)) {
                assertThat(c.keys()).isEmpty();
            }
        });
        Path key = HostilePickles.checkpoint(dir.resolve("key.pth"), HostilePickles.nestedListKey(200_000));
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> PytorchCheckpoint.open(key))
                .isInstanceOf(WeightException.class).hasMessageContaining(key.toString())
                .hasMessageContaining("dict key tuple of 1 (list of 1"));
        byte[] tuples = HostilePickles.nestedTupleKey(9_000); // under the node limit, but hashing would recurse
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> RestrictedUnpickler.load("t.pkl", tuples))
                .isInstanceOf(WeightException.class).hasMessageContaining("t.pkl")
                .hasMessageContaining("nests tuples deeper than " + RestrictedUnpickler.MAX_DEPTH + " levels"));
        Path dicts = HostilePickles.checkpoint(dir.resolve("dicts.pth"), HostilePickles.nestedDicts(100_000));
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> PytorchCheckpoint.open(dicts))
                .isInstanceOf(WeightException.class).hasMessageContaining(dicts.toString())
                .hasMessageContaining("deeper than " + RestrictedUnpickler.MAX_DEPTH + " levels"));
    }

    @Test
    void quadraticWorkAndHugeNumbersAreCapped() {
        byte[] bomb = HostilePickles.workBomb(20_000);
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(() -> RestrictedUnpickler.load("w.pkl", bomb))
                .isInstanceOf(WeightException.class).hasMessageContaining("w.pkl")
                .hasMessageContaining("more than " + RestrictedUnpickler.workLimit(bomb.length) + " operations"));
        // the same shape at a small size is honest data and loads
        assertThat(RestrictedUnpickler.load("w.pkl", HostilePickles.workBomb(10))).isEqualTo(Map.of());
        assertTimeoutPreemptively(QUICK, () -> assertThatThrownBy(
                () -> RestrictedUnpickler.load("n.pkl", HostilePickles.longTextNumber(1_000_000)))
                .isInstanceOf(WeightException.class).hasMessageContaining("n.pkl")
                .hasMessageContaining("limit " + RestrictedUnpickler.MAX_DIGITS));
    }
}
