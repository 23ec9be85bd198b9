package io.github.wananimate.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

final class SafetensorsValidation {

    private SafetensorsValidation() {
    }

    /** Rejects tensors whose byte ranges overlap (a corrupt or malicious header). */
    static void checkNoOverlap(Path path, Map<String, long[]> ranges) {
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(ranges.entrySet());
        sorted.sort(Comparator.comparingLong(e -> e.getValue()[0]));
        for (int i = 1; i < sorted.size(); i++) {
            var prev = sorted.get(i - 1);
            var cur = sorted.get(i);
            if (cur.getValue()[0] < prev.getValue()[1]) {
                throw new WeightException(path + ": tensors '" + prev.getKey() + "' and '" + cur.getKey()
                        + "' have overlapping data_offsets");
            }
        }
    }
}
