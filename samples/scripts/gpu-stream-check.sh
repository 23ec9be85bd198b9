#!/usr/bin/env bash
# Block streaming on a CUDA machine: runs the stream benchmarks of `wan-animate bench` on the GPU under several
# device-memory budgets and prints the peak GPU memory of each run, sampled with nvidia-smi.
#
#   samples/scripts/gpu-stream-check.sh [budget ...]        (default budgets: 2G 3G 6G; plus one all-resident run)
#
# Needs: samples/target/wan-animate.jar (mvn -B -q -DskipTests package), an NVIDIA driver with nvidia-smi, and
#   - DJL: a CUDA build of libtorch 2.7.1 the DJL PyTorch engine can use: PYTORCH_LIBRARY_PATH=<libtorch>/lib
#     (with PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu124 or your flavour), or the pytorch-native-cu124 jar;
#   - ONNX Runtime: the onnxruntime_gpu artifact (already in the jar) with CUDA 12 and cuDNN 9 on the library path.
# On CUDA the onnx backend streams by building one session per streamed block for each forward, which copies the
# block's weights to the device when it is built (on the CPU the blocks share one session fed at every run; CUDA not
# yet run on a GPU).
# PyTorch's caching allocator keeps freed blocks reserved: nvidia-smi shows reserved memory, an upper bound of the
# allocated peak.
set -euo pipefail
JAR="$(dirname "$0")/../target/wan-animate.jar"
[ -f "$JAR" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }
command -v nvidia-smi >/dev/null || { echo "nvidia-smi not found: this script needs a CUDA machine" >&2; exit 2; }
BUDGETS=("$@")
[ ${#BUDGETS[@]} -gt 0 ] || BUDGETS=(2G 3G 6G)
FILE=/tmp/wan-animate-stream.bf16.safetensors
JAVA_OPTS=${JAVA_OPTS:--Xmx6g -XX:MaxDirectMemorySize=16g}

# Runs the command in the background and prints the peak GPU memory (MiB) its process used, sampled every 100 ms.
peak_gpu_mib() {
  "$@" &
  local pid=$! peak=0 used
  while kill -0 "$pid" 2>/dev/null; do
    used=$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null \
      | awk -F', ' -v p="$pid" '$1 == p { print $2 }')
    if [ -n "$used" ] && [ "$used" -gt "$peak" ]; then peak=$used; fi
    sleep 0.1
  done
  wait "$pid"
  echo "PEAK_GPU_MIB $peak"
}

for backend in djl onnx; do
  for budget in "${BUDGETS[@]}" none; do
    args=(bench --network stream --backend "$backend" --device cuda --iterations 3 --warmup 1 --keep-stream-file
          --stream-file "$FILE")
    if [ "$budget" = none ]; then args+=(--stream-mode resident); else args+=(--stream-mode streamed --memory-budget "$budget"); fi
    echo "=== $backend, budget $budget"
    # shellcheck disable=SC2086
    peak_gpu_mib java $JAVA_OPTS -jar "$JAR" "${args[@]}" | sed "s/^PEAK_GPU_MIB/  peak GPU memory (MiB, nvidia-smi) for budget $budget:/"
  done
  echo "=== $backend, 14B block geometry (5 blocks, streamed)"
  # shellcheck disable=SC2086
  peak_gpu_mib java $JAVA_OPTS -jar "$JAR" bench --network stream14b --backend "$backend" --device cuda \
    --iterations 2 --warmup 1 | sed "s/^PEAK_GPU_MIB/  peak GPU memory (MiB, nvidia-smi):/"
done
rm -f "$FILE"
