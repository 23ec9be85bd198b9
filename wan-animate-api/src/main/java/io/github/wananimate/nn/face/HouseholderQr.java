package io.github.wananimate.nn.face;

/**
 * Reduced QR decomposition {@code A = Q·R} of a tall matrix by Householder reflections with LAPACK's sign
 * convention ({@code geqrf} + {@code orgqr}, what {@code torch.linalg.qr} computes). The column signs of Q matter
 * to the motion encoder: a Gram–Schmidt QR (positive diagonal R) negates about half of them (NETWORKS.md §3.1).
 *
 * <p>For column k: {@code α = A[k,k]}, {@code σ = ‖A[k+1:,k]‖}; σ = 0 means no reflection (τ = 0); otherwise
 * {@code β = −sign(α)·√(α²+σ²)} with sign(0) = +1, {@code τ = (β−α)/β}, {@code v = [1, A[k+1:,k]/(α−β)]},
 * {@code R[k,k] = β}, and {@code H = I − τ v vᵀ} is applied to the remaining columns. Q is
 * {@code H_0 H_1 … H_{n−1}} applied to the first n columns of the identity. Everything is in double precision.
 */
public final class HouseholderQr {

    private final int rows;
    private final int cols;
    private final double[] q;
    private final double[] r;

    private HouseholderQr(int rows, int cols, double[] q, double[] r) {
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.r = r;
    }

    /** Decomposes the row-major {@code rows × cols} matrix {@code a} ({@code rows ≥ cols}); {@code a} is not modified. */
    public static HouseholderQr decompose(double[] a, int rows, int cols) {
        if (rows < cols || cols < 1) {
            throw new IllegalArgumentException("reduced QR needs rows >= cols >= 1, got " + rows + "x" + cols);
        }
        if (a.length != (long) rows * cols) {
            throw new IllegalArgumentException("matrix of " + rows + "x" + cols + " needs " + (long) rows * cols
                    + " values, got " + a.length);
        }
        double[] work = a.clone();
        double[][] reflectors = new double[cols][];
        double[] taus = new double[cols];
        double[] r = new double[cols * cols];

        for (int k = 0; k < cols; k++) {
            double alpha = work[k * cols + k];
            double sigmaSquared = 0;
            for (int i = k + 1; i < rows; i++) {
                double x = work[i * cols + k];
                sigmaSquared += x * x;
            }
            double[] v = new double[rows - k];
            v[0] = 1;
            double beta;
            double tau;
            if (sigmaSquared == 0) {
                beta = alpha;
                tau = 0;
            } else {
                double norm = Math.hypot(alpha, Math.sqrt(sigmaSquared));
                beta = alpha >= 0 ? -norm : norm;
                tau = (beta - alpha) / beta;
                double scale = 1.0 / (alpha - beta);
                for (int i = k + 1; i < rows; i++) {
                    v[i - k] = work[i * cols + k] * scale;
                }
            }
            reflectors[k] = v;
            taus[k] = tau;
            r[k * cols + k] = beta;
            // Apply H = I − τ v vᵀ to columns k+1.. of the working matrix; their row k becomes row k of R.
            for (int j = k + 1; j < cols; j++) {
                double dot = 0;
                for (int i = k; i < rows; i++) {
                    dot += v[i - k] * work[i * cols + j];
                }
                double f = tau * dot;
                for (int i = k; i < rows; i++) {
                    work[i * cols + j] -= f * v[i - k];
                }
                r[k * cols + j] = work[k * cols + j];
            }
        }

        // Q = H_0 H_1 … H_{n−1} · I[:, :n], accumulated from the last reflector backwards.
        double[] q = new double[rows * cols];
        for (int j = 0; j < cols; j++) {
            q[j * cols + j] = 1;
        }
        for (int k = cols - 1; k >= 0; k--) {
            double[] v = reflectors[k];
            double tau = taus[k];
            if (tau == 0) {
                continue;
            }
            for (int j = 0; j < cols; j++) {
                double dot = 0;
                for (int i = k; i < rows; i++) {
                    dot += v[i - k] * q[i * cols + j];
                }
                double f = tau * dot;
                for (int i = k; i < rows; i++) {
                    q[i * cols + j] -= f * v[i - k];
                }
            }
        }
        return new HouseholderQr(rows, cols, q, r);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Q, row-major {@code rows × cols}, orthonormal columns (a copy). */
    public double[] q() {
        return q.clone();
    }

    /** R, row-major {@code cols × cols}, upper triangular; its diagonal holds the β of each reflection (a copy). */
    public double[] r() {
        return r.clone();
    }
}
