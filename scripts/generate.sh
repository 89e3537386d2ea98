#!/usr/bin/env bash
# Regenerates every client under gen/ from proto/: TypeScript (protobuf-es), Go (protoc-gen-go, grpc-go,
# connect-go) and Python (grpcio-tools). Plugins run locally; nothing is fetched from the Buf Schema Registry.
# The pinned generators are installed first if missing (scripts/setup.sh --generators). Everything is
# generated into a scratch directory and moved into gen/ only when all of it succeeded: a failure leaves
# gen/ as it was, never half-written.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --generators
export PATH="$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

npx buf lint
npx buf generate --output "$scratch"
npx buf generate --template buf.gen.go.yaml --output "$scratch"

mkdir -p "$scratch/gen/python"
python3 -m grpc_tools.protoc -Iproto --python_out="$scratch/gen/python" --pyi_out="$scratch/gen/python" --grpc_python_out="$scratch/gen/python" proto/llmgateway/v1/*.proto
touch "$scratch/gen/python/llmgateway/__init__.py" "$scratch/gen/python/llmgateway/v1/__init__.py" "$scratch/gen/python/llmgateway/py.typed"

# Package metadata and READMEs, kept by hand in clients/<lang>/.
cp clients/ts/package.json clients/ts/README.md "$scratch/gen/ts/"
cp clients/go/go.mod clients/go/go.sum clients/go/README.md "$scratch/gen/go/"
cp clients/python/pyproject.toml clients/python/README.md "$scratch/gen/python/"

for lang in ts go python; do
  rm -rf "gen/$lang"
  mv "$scratch/gen/$lang" "gen/$lang"
done
