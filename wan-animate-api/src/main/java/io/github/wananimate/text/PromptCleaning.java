package io.github.wananimate.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference's prompt cleaning before umT5 tokenisation (NETWORKS.md §6, {@code clean='whitespace'}):
 * {@code html.unescape} twice, strip, collapse every whitespace run to one space, strip.
 *
 * <p>The reference first runs {@code ftfy.fix_text} (mojibake and encoding repair). ftfy has no Java port and is
 * not reimplemented here: for text that was not mis-decoded (any prompt typed or read as UTF-8) it is the identity,
 * so this only differs on already-garbled input such as {@code "Ã©"} for {@code "é"}.
 */
public final class PromptCleaning {

    /** Python 3's {@code html._charref}. */
    private static final Pattern CHARREF = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    private static final Map<String, String> ENTITIES = loadEntities();

    /** Python's {@code html._invalid_charrefs}: numeric references the HTML5 standard remaps (mostly cp1252). */
    private static final Map<Integer, Integer> INVALID_CHARREFS = Map.ofEntries(
            Map.entry(0x00, 0xfffd), Map.entry(0x0d, 0x0d), Map.entry(0x80, 0x20ac), Map.entry(0x81, 0x81),
            Map.entry(0x82, 0x201a), Map.entry(0x83, 0x192), Map.entry(0x84, 0x201e), Map.entry(0x85, 0x2026),
            Map.entry(0x86, 0x2020), Map.entry(0x87, 0x2021), Map.entry(0x88, 0x2c6), Map.entry(0x89, 0x2030),
            Map.entry(0x8a, 0x160), Map.entry(0x8b, 0x2039), Map.entry(0x8c, 0x152), Map.entry(0x8d, 0x8d),
            Map.entry(0x8e, 0x17d), Map.entry(0x8f, 0x8f), Map.entry(0x90, 0x90), Map.entry(0x91, 0x2018),
            Map.entry(0x92, 0x2019), Map.entry(0x93, 0x201c), Map.entry(0x94, 0x201d), Map.entry(0x95, 0x2022),
            Map.entry(0x96, 0x2013), Map.entry(0x97, 0x2014), Map.entry(0x98, 0x2dc), Map.entry(0x99, 0x2122),
            Map.entry(0x9a, 0x161), Map.entry(0x9b, 0x203a), Map.entry(0x9c, 0x153), Map.entry(0x9d, 0x9d),
            Map.entry(0x9e, 0x17e), Map.entry(0x9f, 0x178));

    private PromptCleaning() {
    }

    /**
     * {@return {@code whitespace_clean(basic_clean(text))} of the reference, without ftfy (see the class comment)}
     *
     * @param text the text
     */
    public static String clean(String text) {
        String s = strip(htmlUnescape(htmlUnescape(text)));
        StringBuilder out = new StringBuilder(s.length());
        boolean inSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isPythonSpace(c)) {
                if (!inSpace) {
                    out.append(' ');
                }
                inSpace = true;
            } else {
                out.append(c);
                inSpace = false;
            }
        }
        return strip(out.toString());
    }

    /**
     * {@return python 3's {@code html.unescape}: numeric and HTML5 named character references}
     *
     * @param s the string
     */
    public static String htmlUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replaceCharref(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replaceCharref(String s) {
        if (s.charAt(0) == '#') {
            boolean hex = s.charAt(1) == 'x' || s.charAt(1) == 'X';
            String digits = s.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            java.math.BigInteger big = new java.math.BigInteger(digits, hex ? 16 : 10);
            if (big.bitLength() > 31) {
                return "\ufffd";
            }
            int num = big.intValue();
            Integer remapped = INVALID_CHARREFS.get(num);
            if (remapped != null) {
                return new String(Character.toChars(remapped));
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                return "\ufffd";
            }
            if (isInvalidCodepoint(num)) {
                return "";
            }
            return new String(Character.toChars(num));
        }
        String exact = ENTITIES.get(s);
        if (exact != null) {
            return exact;
        }
        // The longest known prefix (the legacy names such as "&amp" work without a semicolon).
        for (int x = s.length() - 1; x > 1; x--) {
            String prefix = ENTITIES.get(s.substring(0, x));
            if (prefix != null) {
                return prefix + s.substring(x);
            }
        }
        return "&" + s;
    }

    /** Python's {@code html._invalid_codepoints}. */
    private static boolean isInvalidCodepoint(int c) {
        return (c >= 0x1 && c <= 0x8) || c == 0xb || (c >= 0xe && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)
                || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
    }

    /** Python's {@code str.isspace} (also what {@code re}'s {@code \s} matches), for BMP characters. */
    static boolean isPythonSpace(char c) {
        return (c >= 0x9 && c <= 0xd) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    /** Python's {@code str.strip()}. */
    static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isPythonSpace(s.charAt(begin))) {
            begin++;
        }
        while (end > begin && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(begin, end);
    }

    private static Map<String, String> loadEntities() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = PromptCleaning.class.getResourceAsStream("html5-entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("resource html5-entities.tsv is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String cp : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(cp, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read html5-entities.tsv", e);
        }
        return map;
    }
}
