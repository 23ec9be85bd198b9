package io.github.wananimate.sampling;

/**
 * The SplitMix64 finaliser (Steele, Lea and Flood, 2014): a bijective mix of a 64-bit counter into a well-spread
 * 64-bit value, on wrapping unsigned arithmetic. The one definition shared by the seeded noise and the procedural
 * value generator of {@code PROCEDURAL.md}.
 */
public final class SplitMix64 {

    private SplitMix64() {
    }

    public static long mix(long x) {
        long z = x + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
