package io.github.wananimate.nn;

/**
 * One checkpoint key a network binds: its official name and shape. Optional keys (buffers that some
 * repacks drop, such as the motion encoder's blur kernels) are checked when present.
 */
public record ParameterSpec(String key, long[] shape, boolean optional) {

    public static ParameterSpec required(String key, long... shape) {
        return new ParameterSpec(key, shape, false);
    }

    public static ParameterSpec optional(String key, long... shape) {
        return new ParameterSpec(key, shape, true);
    }
}
