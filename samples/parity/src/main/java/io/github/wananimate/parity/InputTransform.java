package io.github.wananimate.parity;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code transform} note of a fixture input, applied after {@code scale · u + offset}. The notes are the
 * fixture author's words ({@code golden/pipeline_tiny/fixture.json}); the recognised forms are:
 * <ul>
 *   <li>{@code "floor then clip to [lo, hi]"} — pixel values as the original's uint8 frames;</li>
 *   <li>{@code "1 where u > 0 else 0 …"} — a binary mask decided by the sign of {@code u} itself.</li>
 * </ul>
 */
public interface InputTransform {

    InputTransform NONE = (u, value) -> value;

    /** The final value from the uniform draw {@code u} and {@code value = scale · u + offset}. */
    double apply(double u, double value);

    Pattern FLOOR_CLIP = Pattern.compile(
            "floor then clip to \\[\\s*([-+0-9.eE]+)\\s*,\\s*([-+0-9.eE]+)\\s*\\].*", Pattern.DOTALL);
    Pattern SIGN_MASK = Pattern.compile("1 where u > 0 else 0.*", Pattern.DOTALL);

    /** Parses a transform note; an unknown note is an {@link IllegalArgumentException} naming the known forms. */
    static InputTransform parse(String note) {
        String text = note.trim().toLowerCase(Locale.ROOT);
        Matcher clip = FLOOR_CLIP.matcher(text);
        if (clip.matches()) {
            double lo = Double.parseDouble(clip.group(1));
            double hi = Double.parseDouble(clip.group(2));
            return (u, value) -> Math.min(hi, Math.max(lo, Math.floor(value)));
        }
        if (SIGN_MASK.matcher(text).matches()) {
            return (u, value) -> u > 0 ? 1.0 : 0.0;
        }
        throw new IllegalArgumentException("unknown transform \"" + note + "\"; known: \"floor then clip to [lo, hi]\","
                + " \"1 where u > 0 else 0\"");
    }
}
