package io.github.wananimate.memory;

import java.util.List;
import java.util.Set;

/**
 * Which parameter groups of a network stay on the device and which stream, under a budget, with the bytes the
 * decision was made from ({@link MemoryModel#plan}).
 *
 * @param budgetBytes the device-memory budget
 * @param fixedBytes what is resident whatever the plan: the network's weights outside any group and the other
 *     networks' weights resident during the run
 * @param activationBytes the activation estimate reserved for one forward
 * @param residentGroups groups kept on the device, in forward order
 * @param streamedGroups groups uploaded per forward, one step at a time, in forward order
 * @param residentGroupBytes bytes of the resident groups
 * @param streamedGroupBytes bytes of the streamed groups, i.e. weight bytes uploaded per forward
 * @param streamBufferBytes device bytes held for streaming: two of the largest streamed group (the step's own and
 *     the next one, uploaded while the step computes); 0 without streaming
 * @param minimumBudgetBytes the smallest budget that holds the fixed bytes, the activations and the stream buffer
 *     of one streamed group and its successor
 */
public record ResidencyPlan(long budgetBytes, long fixedBytes, long activationBytes, List<String> residentGroups,
        List<String> streamedGroups, long residentGroupBytes, long streamedGroupBytes, long streamBufferBytes,
        long minimumBudgetBytes) {

    /**
     * Copies the group lists.
     *
     * @param budgetBytes the device-memory budget
     * @param fixedBytes what is resident whatever the plan: the network's weights outside any group and the other networks' weights resident during the run
     * @param activationBytes the activation estimate reserved for one forward
     * @param residentGroups groups kept on the device, in forward order
     * @param streamedGroups groups uploaded per forward, one step at a time, in forward order
     * @param residentGroupBytes bytes of the resident groups
     * @param streamedGroupBytes bytes of the streamed groups, i.e. weight bytes uploaded per forward
     * @param streamBufferBytes device bytes held for streaming: two of the largest streamed group (the step's own and the next one, uploaded while the step computes); 0 without streaming
     * @param minimumBudgetBytes the smallest budget that holds the fixed bytes, the activations and the stream buffer of one streamed group and its successor
     */
    public ResidencyPlan {
        residentGroups = List.copyOf(residentGroups);
        streamedGroups = List.copyOf(streamedGroups);
    }

    /** {@return whether any group streams} */
    public boolean streams() {
        return !streamedGroups.isEmpty();
    }

    /** {@return the streamed groups as a set, for a backend} */
    public Set<String> streamedSet() {
        return Set.copyOf(streamedGroups);
    }

    /** {@return fixed + resident groups + stream buffer + activations: the device peak the plan expects} */
    public long plannedPeakBytes() {
        return fixedBytes + residentGroupBytes + streamBufferBytes + activationBytes;
    }

    /** {@return what the run would need with every group resident: fixed + all groups + activations} */
    public long allResidentBytes() {
        return fixedBytes + residentGroupBytes + streamedGroupBytes + activationBytes;
    }

    /** {@return one line for logs and the bench} */
    public String describe() {
        return String.format(java.util.Locale.ROOT,
                "budget %s: %d group(s) resident (%s), %d streamed (%s uploaded per forward); fixed %s, "
                        + "stream buffer %s, activations %s (estimate); planned peak %s; minimum budget %s",
                MemorySize.format(budgetBytes), residentGroups.size(), MemorySize.format(residentGroupBytes),
                streamedGroups.size(), MemorySize.format(streamedGroupBytes), MemorySize.format(fixedBytes),
                MemorySize.format(streamBufferBytes), MemorySize.format(activationBytes),
                MemorySize.format(plannedPeakBytes()), MemorySize.format(minimumBudgetBytes));
    }
}
