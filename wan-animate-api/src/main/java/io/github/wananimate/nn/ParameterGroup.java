package io.github.wananimate.nn;

import java.util.List;
import java.util.Objects;

/**
 * Parameters a network reads together in one step of {@link Ops#chain(Tensor, List, Ops.ChainStep)} (one
 * transformer block, say): the unit a backend may keep off the device and upload for that step only. A backend
 * streams groups without knowing what they are; the network names them and lists their keys.
 *
 * @param name unique within the network, e.g. {@code "blocks.7"}
 * @param keys checkpoint keys read only by the step(s) this group is named in
 */
public record ParameterGroup(String name, List<String> keys) {

    /**
     * Copies the key list.
     *
     * @param name the group's name, as {@link Ops#chain(Tensor, java.util.List, Ops.ChainStep)} names it
     * @param keys checkpoint keys read only by the step(s) this group is named in
     */
    public ParameterGroup {
        Objects.requireNonNull(name, "name");
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("parameter group '" + name + "' has no keys");
        }
    }
}
