package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;

/** Where {@link DjlOps} gets weights: resident arrays, or streamed groups uploaded around chain steps. */
interface DjlParameters {

    /** The weight {@code key} as a float32 array on the device. */
    NDArray get(String key);

    /** Called before the chain step that reads {@code group} (null: none); {@code next} is the following step's. */
    default void enterStep(String group, String next) {
    }

    /** Called after the chain step that read {@code group} returned. */
    default void exitStep(String group) {
    }
}
