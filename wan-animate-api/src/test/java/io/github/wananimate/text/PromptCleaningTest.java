package io.github.wananimate.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected strings computed with CPython 3's {@code html.unescape} twice, {@code strip}, {@code re.sub(r'\s+', ' ')}. */
class PromptCleaningTest {

    @Test
    void unescapesTwiceAndCollapsesWhitespace() {
        assertThat(PromptCleaning.clean("  a&amp;amp;b \n\t c  ")).isEqualTo("a&b c");
        assertThat(PromptCleaning.clean("&amp;lt;")).isEqualTo("<");
    }

    @Test
    void followsPythonsCharacterReferenceRules() {
        assertThat(PromptCleaning.clean("&lt;tag&gt; &ampx &notit; &#x41;&#66 &#128; &#0;"))
                .isEqualTo("<tag> &x \u00acit; AB \u20ac \ufffd");
        assertThat(PromptCleaning.clean("A &unknown; &#xD800; &#1114112;")).isEqualTo("A &unknown; \ufffd \ufffd");
        assertThat(PromptCleaning.clean("&AElig &AEligx")).isEqualTo("\u00c6 \u00c6x");
    }

    @Test
    void treatsUnicodeSpacesAsPythonDoes() {
        assertThat(PromptCleaning.clean("caf&eacute;\u3000 \u00a0x")).isEqualTo("caf\u00e9 x");
    }

    @Test
    void leavesTheDefaultPromptsAlone() {
        assertThat(PromptCleaning.clean(DefaultPrompts.POSITIVE))
                .isEqualTo(DefaultPrompts.POSITIVE);
        assertThat(PromptCleaning.clean(DefaultPrompts.NEGATIVE))
                .isEqualTo(DefaultPrompts.NEGATIVE);
    }
}
