#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript, and .driver. for local mode): prints the
# GPUs nvidia-smi lists on this node as the ResourceInformation JSON Spark expects, e.g.
#   {"name": "gpu", "addresses": ["0","1"]}
# With CUDA_VISIBLE_DEVICES set (a container given some GPUs), only those are listed.
set -euo pipefail
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  ids=$(tr ',' '\n' <<< "$CUDA_VISIBLE_DEVICES" | awk 'NF { printf "%s\"%s\"", sep, NR - 1; sep = "," }')
else
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | awk 'NF { printf "%s\"%s\"", sep, $1; sep = "," }')
fi
echo "{\"name\": \"gpu\", \"addresses\": [${ids}]}"
