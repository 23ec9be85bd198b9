package io.github.wananimate.text;

import io.github.wananimate.tensor.HostTensor;

/** Prompt → text embedding {@code [v, dim]} float32 (v = real token count including EOS). */
@FunctionalInterface
public interface TextEncoder {

    HostTensor encode(String prompt);
}
