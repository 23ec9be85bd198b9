package io.github.wananimate.text;

import io.github.wananimate.tensor.HostTensor;

/** Prompt → text embedding {@code [v, dim]} float32 (v = real token count including EOS). */
@FunctionalInterface
public interface TextEncoder {

    /**
     * Encodes a prompt.
     *
     * @param prompt the prompt
     * @return its context {@code [L_txt, text_dim]}, real tokens only
     */
    HostTensor encode(String prompt);
}
