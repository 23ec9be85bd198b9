package io.github.wananimate.djl;

import io.github.wananimate.nn.ParameterSpec;

/** Where {@link DjlOps} gets weights: resident arrays, or streamed groups uploaded around chain steps. */
interface DjlParameters {

    /** The weight {@code spec.key()} on the device in its stored dtype's form ({@link ArrayForm}). */
    DeviceWeight get(ParameterSpec spec);

    /** Called before the chain step that reads {@code group} (null: none); {@code next} is the following step's. */
    default void enterStep(String group, String next) {
    }

    /** Called after the chain step that read {@code group} returned. */
    default void exitStep(String group) {
    }
}
