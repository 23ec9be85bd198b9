package io.github.wananimate.text;

/** The prompts of the official Animate config (NETWORKS.md §6). */
public final class DefaultPrompts {

    /** {@code animate_14B.prompt}: used when the user prompt is empty. */
    public static final String POSITIVE = "视频中的人在做动作";

    /** {@code sample_neg_prompt}: used when the negative prompt is empty (only needed when guide_scale > 1). */
    public static final String NEGATIVE = "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，"
            + "JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，"
            + "静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";

    private DefaultPrompts() {
    }

    /**
     * {@return {@code prompt}, or {@link #POSITIVE} when it is null or empty}
     *
     * @param prompt the prompt
     */
    public static String positiveOrDefault(String prompt) {
        return prompt == null || prompt.isEmpty() ? POSITIVE : prompt;
    }

    /**
     * {@return {@code prompt}, or {@link #NEGATIVE} when it is null or empty}
     *
     * @param prompt the prompt
     */
    public static String negativeOrDefault(String prompt) {
        return prompt == null || prompt.isEmpty() ? NEGATIVE : prompt;
    }
}
