package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.ParameterSpec;
import java.util.List;

/** A piece of a network that owns checkpoint keys. */
public interface Layer {

    /** The keys this layer reads, with shapes and stored dtype. */
    List<ParameterSpec> parameters();
}
