#!/usr/bin/env bash
# Synthesizes the real app (esbuild bundling, cdk-nag, no Docker, no AWS account) into a temporary directory and
# checks what unit tests cannot: every handler bundles; every bundle that imports onnxruntime-node ships it, for
# linux/arm64 only; each function's package, unzipped, stays under half of Lambda's 250 MB limit (the sizes are
# printed); and the chunk worker's Docker build context is staged without node_modules or tests.
# Usage: infra/scripts/synth-smoke.sh [cdk context options, e.g. -c stage=dev]   (exits non-zero on failure)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export CDK_DISABLE_CLI_TELEMETRY=true ONNXRUNTIME_NODE_INSTALL=skip
# Lambda's limit for a function's code and layers, unzipped, is 250 MB; a package this big is a packaging bug.
max_unzipped_mb=125

start=$(date +%s)
npx --no-install cdk synth --quiet --no-notices --output "$out" "$@" >"$out/synth.log" 2>&1 || {
  cat "$out/synth.log"
  exit 1
}
template="$(ls "$out"/BatchlineStack*.template.json)"
test -s "$template"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
mb() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1048576 }'; }

echo "function                        unzipped MB  (onnxruntime-node MB)"
while IFS=$'\t' read -r module key; do
  asset="$out/asset.${key%.zip}"
  [ -d "$asset" ] || continue
  bytes=$(du -sb "$asset" | cut -f1)
  shipped="$asset/node_modules/onnxruntime-node"
  onnx="-"
  if [ -d "$shipped" ]; then onnx=$(mb "$(du -sb "$shipped" | cut -f1)"); fi
  printf '%-31s %11s  (%s)\n' "$module" "$(mb "$bytes")" "$onnx"
  if [ "$bytes" -gt $((max_unzipped_mb * 1048576)) ]; then
    fail "$module is $(mb "$bytes") MB unzipped, over $max_unzipped_mb MB"
  fi
  if grep -q 'from"onnxruntime-node"' "$asset/index.mjs" && [ ! -d "$shipped" ]; then
    fail "$module imports onnxruntime-node but does not ship it (infra/app.ts ONNX_RUNTIME_MODULES)"
  fi
  if [ -d "$shipped" ] && [ "$(cd "$shipped/bin" && ls -d napi-v*/*/* | tr '\n' ' ')" != "napi-v6/linux/arm64 " ]; then
    fail "$module ships onnxruntime-node binaries for other platforms"
  fi
done < <(node -e '
  // Each bundled function: its handler module (the batchline:module tag) and its code asset.
  const { Resources } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const { Type, Properties: p } of Object.values(Resources)) {
    if (Type !== "AWS::Lambda::Function" || !p.Code?.S3Key) continue;
    const module = (p.Tags ?? []).find((tag) => tag.Key === "batchline:module")?.Value ?? "(cdk)";
    console.log(`${module}\t${p.Code.S3Key}`);
  }' "$template")

# The worker image builds at deploy time from this staged context; .dockerignore keeps it to sources and lockfile.
context="$out/$(node -e '
  const { dockerImages } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(Object.values(dockerImages)[0].source.directory);' "$out"/BatchlineStack*.assets.json)"
[ -f "$context/Dockerfile" ] || fail "the chunk worker's build context has no Dockerfile"
for unwanted in node_modules .git cdk.out test/unit bench; do
  [ ! -e "$context/$unwanted" ] || fail "the chunk worker's build context contains $unwanted (.dockerignore)"
done
echo "chunk worker build context: $(mb "$(du -sb "$context" | cut -f1)") MB"

echo "synth smoke: $(ls -d "$out"/asset.*/ | wc -l) assets, $(($(date +%s) - start)) s, $failures failure(s)"
exit "$failures"
