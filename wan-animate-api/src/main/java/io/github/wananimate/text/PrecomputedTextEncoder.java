package io.github.wananimate.text;

import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link TextEncoder} that looks prompts up in a table of contexts computed elsewhere (another run of the umT5
 * encoder, the original's {@code text_encoder}, a fixture's given contexts). A prompt missing from the table is an
 * error naming it and the prompts the table holds.
 */
public final class PrecomputedTextEncoder implements TextEncoder {

    private final Map<String, HostTensor> contexts;

    /** @param contexts prompt → context {@code [v, dim]} */
    public PrecomputedTextEncoder(Map<String, HostTensor> contexts) {
        Map<String, HostTensor> copy = new LinkedHashMap<>();
        contexts.forEach((prompt, context) -> {
            long[] s = Objects.requireNonNull(context, "context of \"" + prompt + "\"").shape();
            if (s.length != 2 || s[0] < 1) {
                throw new IllegalArgumentException("the context of \"" + prompt + "\" must be [tokens, dim], got "
                        + java.util.Arrays.toString(s));
            }
            copy.put(Objects.requireNonNull(prompt, "prompt"), context);
        });
        this.contexts = Map.copyOf(copy);
    }

    /**
     * {@return contexts for a prompt and a negative prompt}
     *
     * @param prompt the prompt
     * @param context the context
     * @param negativePrompt the negative prompt
     * @param negativeContext the negative prompt's context
     */
    public static PrecomputedTextEncoder of(String prompt, HostTensor context, String negativePrompt,
            HostTensor negativeContext) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put(prompt, context);
        m.put(negativePrompt, negativeContext);
        return new PrecomputedTextEncoder(m);
    }

    @Override
    public HostTensor encode(String prompt) {
        HostTensor context = contexts.get(prompt);
        if (context == null) {
            throw new IllegalArgumentException("no precomputed context for the prompt \"" + prompt + "\"; the table"
                    + " holds " + contexts.size() + " prompt(s): " + contexts.keySet());
        }
        return context;
    }
}
