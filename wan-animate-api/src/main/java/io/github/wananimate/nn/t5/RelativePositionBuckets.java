package io.github.wananimate.nn.t5;

import io.github.wananimate.tensor.HostTensor;

/**
 * The bidirectional T5 relative-position bucket function of the reference ({@code T5RelativeEmbedding}), computed on
 * the host in float32 exactly as the reference does (NETWORKS.md §6; for 32 buckets / distance 128 it reproduces
 * the table there, which the tests check).
 */
public final class RelativePositionBuckets {

    private RelativePositionBuckets() {
    }

    /**
     * {@return bucket of {@code relative = key position − query position}}
     *
     * @param relative the relative position
     * @param numBuckets the number of buckets
     * @param maxDistance the distance of the last bucket
     */
    public static int bucket(int relative, int numBuckets, int maxDistance) {
        int half = numBuckets / 2;
        int base = relative > 0 ? half : 0;
        int n = Math.abs(relative);
        int maxExact = half / 2;
        if (n < maxExact) {
            return base + n;
        }
        // torch: max_exact + (log(n.float() / max_exact) / math.log(max_dist / max_exact) * (half - max_exact)).long()
        float logRatio = (float) Math.log((float) n / maxExact);
        float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (half - maxExact);
        int large = maxExact + (int) scaled;
        return base + Math.min(large, half - 1);
    }

    /**
     * {@return bucket indices {@code [lq, lk]}: entry (i, j) is {@code bucket(j − i)}}
     *
     * @param lq query length
     * @param lk key length
     * @param numBuckets the number of buckets
     * @param maxDistance the distance of the last bucket
     */
    public static int[] buckets(int lq, int lk, int numBuckets, int maxDistance) {
        int[] out = new int[lq * lk];
        for (int i = 0; i < lq; i++) {
            for (int j = 0; j < lk; j++) {
                out[i * lk + j] = bucket(j - i, numBuckets, maxDistance);
            }
        }
        return out;
    }

    /**
     * The one-hot matrix {@code [lq·lk, numBuckets]} whose product with a layer's table {@code [numBuckets, heads]}
     * is the table lookup (exact in float32: each row picks a single entry).
     *
     * @param lq query length
     * @param lk key length
     * @param numBuckets the number of buckets
     * @param maxDistance the distance of the last bucket
     * @return the one hot
     */
    public static HostTensor oneHot(int lq, int lk, int numBuckets, int maxDistance) {
        int[] b = buckets(lq, lk, numBuckets, maxDistance);
        float[] values = new float[b.length * numBuckets];
        for (int r = 0; r < b.length; r++) {
            values[r * numBuckets + b[r]] = 1f;
        }
        return HostTensor.ofFloats(new long[] {b.length, numBuckets}, values);
    }
}
