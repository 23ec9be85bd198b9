package io.github.wananimate.api;

/**
 * Replacement mode: the reference character replaces the person in the driving video, keeping its background.
 * The signals must carry the character mask and the background frames.
 */
public final class ReplacementRequest extends GenerationRequest {

    private final boolean relightingLora;
    private final double relightingLoraStrength;

    private ReplacementRequest(Builder b) {
        super(b);
        this.relightingLora = b.relightingLora;
        this.relightingLoraStrength = b.relightingLoraStrength;
    }

    /**
     * Starts a replacement request.
     *
     * @param signals the driving signals with mask and background, and the reference character
     * @return a builder with every setting at the original's default
     */
    public static Builder builder(MotionSignals signals) {
        return new Builder(signals);
    }

    /** {@return true} */
    @Override
    public boolean isReplacement() {
        return true;
    }

    /**
     * {@return whether the Relighting LoRA is merged into the DiT ({@code --use_relighting_lora}, default off, §2.15)}
     */
    public boolean relightingLora() {
        return relightingLora;
    }

    /** {@return LoRA strength multiplier (1 = the original's merge W + B·A; 0 = weights unchanged; never negative)} */
    public double relightingLoraStrength() {
        return relightingLoraStrength;
    }

    /** Builder of {@link ReplacementRequest}; see {@link GenerationRequest.Builder}. */
    public static final class Builder extends GenerationRequest.Builder<ReplacementRequest, Builder> {

        private boolean relightingLora;
        private double relightingLoraStrength = 1.0;

        private Builder(MotionSignals signals) {
            super(signals);
        }

        /**
         * Whether the Relighting LoRA is merged (default off).
         *
         * @param enabled true to merge the LoRA
         * @return this builder
         */
        public Builder relightingLora(boolean enabled) {
            this.relightingLora = enabled;
            return this;
        }

        /**
         * The LoRA strength (default 1).
         *
         * @param strength finite, ≥ 0
         * @return this builder
         */
        public Builder relightingLoraStrength(double strength) {
            this.relightingLoraStrength = strength;
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        ReplacementRequest create() {
            return new ReplacementRequest(this);
        }

        @Override
        String what() {
            return "replacement request";
        }

        @Override
        void validateKind(Validation v) {
            v.check(signals().mask().isPresent(), "mask", "absent", "replacement needs the character mask frames");
            v.check(signals().background().isPresent(), "background", "absent",
                    "replacement needs the background frames");
            v.check(Double.isFinite(relightingLoraStrength) && relightingLoraStrength >= 0, "relightingLoraStrength",
                    relightingLoraStrength, "must be a finite number >= 0 (0 leaves the DiT unchanged)");
        }
    }
}
