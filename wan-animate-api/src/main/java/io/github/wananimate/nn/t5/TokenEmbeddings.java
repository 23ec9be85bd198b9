package io.github.wananimate.nn.t5;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Host-side token-embedding lookup: only the rows of the requested ids are read from the (memory-mapped)
 * embedding matrix and converted to float32, so the 2 GiB bf16 umT5 table never goes to a device.
 */
public final class TokenEmbeddings {

    private TokenEmbeddings() {
    }

    /**
     * {@return rows {@code ids} of {@code source[key]} ({@code [vocab, dim]}) as a float32 {@code [ids.length, dim]} tensor}
     *
     * @param source the tensors read
     * @param key the checkpoint key
     * @param ids the token ids
     */
    public static HostTensor gather(ParameterSource source, String key, int[] ids) {
        long[] shape = source.shape(key);
        if (shape.length != 2) {
            throw new WeightException(source.description() + ": embedding '" + key + "' must be 2-D, has shape "
                    + Arrays.toString(shape));
        }
        long vocab = shape[0];
        int dim = Math.toIntExact(shape[1]);
        HostTensor table = source.get(key);
        DType dtype = table.dtype();
        ByteBuffer bytes = table.data();
        long rowBytes = (long) dim * dtype.byteSize();
        float[] out = new float[ids.length * dim];
        for (int r = 0; r < ids.length; r++) {
            int id = ids[r];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + r + " is outside the vocabulary"
                        + " of '" + key + "' (" + vocab + " rows) in " + source.description());
            }
            ByteBuffer row = bytes.duplicate();
            row.position(Math.toIntExact(id * rowBytes));
            row.limit(Math.toIntExact(id * rowBytes + rowBytes));
            System.arraycopy(DTypeConversions.toFloatArray(dtype, row.slice()), 0, out, r * dim, dim);
        }
        return HostTensor.ofFloats(new long[] {ids.length, dim}, out);
    }
}
