#!/usr/bin/env bash
# Synthesizes the real app (esbuild bundling, cdk-nag, no Docker, no AWS account) into a temporary directory and
# checks what unit tests cannot: every handler bundles, and every bundle that imports onnxruntime-node ships it,
# for linux/arm64 only. Usage: infra/scripts/synth-smoke.sh   (from anywhere; exits non-zero on failure)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export CDK_DISABLE_CLI_TELEMETRY=true ONNXRUNTIME_NODE_INSTALL=skip

start=$(date +%s)
npx --no-install cdk synth --quiet --no-notices --output "$out" >"$out/synth.log" 2>&1 || {
  cat "$out/synth.log"
  exit 1
}
test -s "$out/BatchlineStack.template.json"

failures=0
for asset in "$out"/asset.*/; do
  [ -f "$asset/index.mjs" ] || continue
  shipped="$asset/node_modules/onnxruntime-node"
  if grep -q 'from"onnxruntime-node"' "$asset/index.mjs" && [ ! -d "$shipped" ]; then
    echo "FAIL: $(basename "$asset") imports onnxruntime-node but does not ship it (infra/app.ts ONNX_RUNTIME_MODULES)"
    failures=$((failures + 1))
  fi
  if [ -d "$shipped" ] && [ "$(cd "$shipped/bin" && ls -d napi-v*/*/* | tr '\n' ' ')" != "napi-v6/linux/arm64 " ]; then
    echo "FAIL: $(basename "$asset") ships onnxruntime-node binaries for other platforms"
    failures=$((failures + 1))
  fi
done
echo "synth smoke: $(ls -d "$out"/asset.*/ | wc -l) assets, $(( $(date +%s) - start )) s, $failures failure(s)"
exit "$failures"
