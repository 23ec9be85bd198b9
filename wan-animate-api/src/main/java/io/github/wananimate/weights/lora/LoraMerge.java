package io.github.wananimate.weights.lora;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.WeightException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The host merge {@code W' = W + scale·(B·A)} in float32 (NETWORKS.md §7), into a new direct little-endian buffer.
 *
 * <p>Every element is computed in exactly the order of the plain definition: {@code delta = 0}, then
 * {@code delta += B[i,r]·A[r,j]} for {@code r = 0, 1, …, rank−1} (each product rounded to float32, then the sum),
 * then {@code W[i,j] + scale·delta}; Java never contracts these into fused multiply-adds, so the result is
 * bit-identical to the naive triple loop whatever the blocking or thread count.
 *
 * <p>Speed: parallel over blocks of output rows; inside a block two output rows at a time take four rank steps per
 * pass over the contiguous rows of A ({@code d[j] = d[j] + b0·a0[j] + b1·a1[j] + b2·a2[j] + b3·a3[j]}, which
 * associates left, i.e. the same order). Each A value loaded is used by two rows, each accumulator load/store
 * serves four rank steps, and all loops index their arrays with the bare loop variable, which is what HotSpot's
 * C2 (JDK 17) needs to vectorise them (with an offset added to an index it falls back to scalar code).
 */
final class LoraMerge {

    /** Output rows per parallel task (even, so that tasks split into row pairs). */
    private static final int ROWS_PER_TASK = 16;
    /** Below this many multiply-adds, the merge runs on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 22;

    private LoraMerge() {
    }

    /**
     * {@code weight + scale·(up·down)} as a float32 tensor of the weight's shape.
     *
     * @param weight {@code [out, in]} of any dtype {@link DTypeConversions} reads
     * @param down   A {@code [rank, in]}
     * @param up     B {@code [out, rank]}
     * @param key    the weight's checkpoint key, for error messages
     */
    static HostTensor merge(HostTensor weight, HostTensor down, HostTensor up, float scale, String key) {
        long[] shape = weight.shape();
        if (shape.length != 2 || down.rank() != 2) {
            throw new WeightException("LoRA for '" + key + "': weight " + Shapes.toString(shape) + " and A "
                    + Shapes.toString(down.shape()) + " must both be 2-D");
        }
        int out = Math.toIntExact(shape[0]);
        int in = Math.toIntExact(shape[1]);
        int rank = Math.toIntExact(down.shape()[0]);
        if (!Arrays.equals(down.shape(), new long[] {rank, in}) || !Arrays.equals(up.shape(), new long[] {out, rank})) {
            throw new WeightException("LoRA for '" + key + "': A " + Shapes.toString(down.shape()) + " / B "
                    + Shapes.toString(up.shape()) + " do not fit the weight " + Shapes.toString(shape));
        }
        float[] aFlat = down.toFloatArray();
        float[][] a = new float[rank][];
        for (int r = 0; r < rank; r++) {
            a[r] = Arrays.copyOfRange(aFlat, r * in, (r + 1) * in);
        }
        float[] b = up.toFloatArray();
        ByteBuffer result = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(out, in), Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        int tasks = (out + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream blocks = IntStream.range(0, tasks);
        if ((long) out * in * rank > PARALLEL_WORK && tasks > 1) {
            blocks = blocks.parallel();
        }
        blocks.forEach(t -> mergeRows(weight, a, b, scale, result, t * ROWS_PER_TASK,
                Math.min(out, (t + 1) * ROWS_PER_TASK), in, rank));
        return HostTensor.of(DType.F32, shape, result);
    }

    /** Rows {@code [from, to)} of the result. */
    private static void mergeRows(HostTensor weight, float[][] a, float[] b, float scale, ByteBuffer result,
            int from, int to, int in, int rank) {
        RowReader reader = new RowReader(weight, in);
        FloatBuffer target = result.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] delta0 = new float[in];
        float[] delta1 = new float[in];
        float[] row = new float[in];
        int i = from;
        for (; i + 2 <= to; i += 2) {
            Arrays.fill(delta0, 0f);
            Arrays.fill(delta1, 0f);
            int b0 = i * rank;
            int b1 = b0 + rank;
            int r = 0;
            for (; r + 4 <= rank; r += 4) {
                accumulate2x4(delta0, delta1, a[r], a[r + 1], a[r + 2], a[r + 3], b[b0 + r], b[b0 + r + 1],
                        b[b0 + r + 2], b[b0 + r + 3], b[b1 + r], b[b1 + r + 1], b[b1 + r + 2], b[b1 + r + 3], in);
            }
            for (; r < rank; r++) {
                accumulate2x1(delta0, delta1, a[r], b[b0 + r], b[b1 + r], in);
            }
            writeRow(reader, target, i, delta0, scale, row, in);
            writeRow(reader, target, i + 1, delta1, scale, row, in);
        }
        if (i < to) {
            Arrays.fill(delta0, 0f);
            int b0 = i * rank;
            int r = 0;
            for (; r + 4 <= rank; r += 4) {
                accumulate1x4(delta0, a[r], a[r + 1], a[r + 2], a[r + 3], b[b0 + r], b[b0 + r + 1], b[b0 + r + 2],
                        b[b0 + r + 3], in);
            }
            for (; r < rank; r++) {
                accumulate1x1(delta0, a[r], b[b0 + r], in);
            }
            writeRow(reader, target, i, delta0, scale, row, in);
        }
    }

    /** Row {@code i} of the result: {@code W[i,:] + scale·delta}. */
    private static void writeRow(RowReader reader, FloatBuffer target, int i, float[] delta, float scale, float[] row,
            int in) {
        reader.read(i, row);
        for (int j = 0; j < in; j++) {
            row[j] = row[j] + scale * delta[j];
        }
        target.put(i * in, row, 0, in);
    }

    private static void accumulate2x4(float[] d0, float[] d1, float[] a0, float[] a1, float[] a2, float[] a3,
            float b00, float b01, float b02, float b03, float b10, float b11, float b12, float b13, int n) {
        for (int j = 0; j < n; j++) {
            float x0 = a0[j];
            float x1 = a1[j];
            float x2 = a2[j];
            float x3 = a3[j];
            d0[j] = d0[j] + b00 * x0 + b01 * x1 + b02 * x2 + b03 * x3;
            d1[j] = d1[j] + b10 * x0 + b11 * x1 + b12 * x2 + b13 * x3;
        }
    }

    private static void accumulate2x1(float[] d0, float[] d1, float[] a0, float b0, float b1, int n) {
        for (int j = 0; j < n; j++) {
            float x = a0[j];
            d0[j] = d0[j] + b0 * x;
            d1[j] = d1[j] + b1 * x;
        }
    }

    private static void accumulate1x4(float[] d, float[] a0, float[] a1, float[] a2, float[] a3, float b0, float b1,
            float b2, float b3, int n) {
        for (int j = 0; j < n; j++) {
            d[j] = d[j] + b0 * a0[j] + b1 * a1[j] + b2 * a2[j] + b3 * a3[j];
        }
    }

    private static void accumulate1x1(float[] d, float[] a0, float b0, int n) {
        for (int j = 0; j < n; j++) {
            d[j] = d[j] + b0 * a0[j];
        }
    }

    /** Reads rows of a 2-D tensor as float32, with bulk copies for F32 and the 16-bit formats. */
    private static final class RowReader {

        private final DType dtype;
        private final ByteBuffer bytes;
        private final int in;
        private final FloatBuffer floats;
        private final ShortBuffer shorts;
        private final short[] bits;

        RowReader(HostTensor tensor, int in) {
            this.dtype = tensor.dtype();
            this.bytes = tensor.data();
            this.in = in;
            this.floats = dtype == DType.F32 ? bytes.asFloatBuffer() : null;
            boolean sixteen = dtype == DType.BF16 || dtype == DType.F16;
            this.shorts = sixteen ? bytes.asShortBuffer() : null;
            this.bits = sixteen ? new short[in] : null;
        }

        void read(int i, float[] row) {
            switch (dtype) {
                case F32 -> floats.get(i * in, row, 0, in);
                case BF16 -> {
                    shorts.get(i * in, bits, 0, in);
                    for (int j = 0; j < in; j++) {
                        row[j] = Float.intBitsToFloat(bits[j] << 16);
                    }
                }
                case F16 -> {
                    shorts.get(i * in, bits, 0, in);
                    for (int j = 0; j < in; j++) {
                        row[j] = DTypeConversions.f16ToFloat(bits[j]);
                    }
                }
                default -> {
                    int width = dtype.byteSize();
                    ByteBuffer slice = bytes.duplicate().position(i * in * width).limit((i + 1) * in * width)
                            .slice().order(ByteOrder.LITTLE_ENDIAN);
                    System.arraycopy(DTypeConversions.toFloatArray(dtype, slice), 0, row, 0, in);
                }
            }
        }
    }
}
