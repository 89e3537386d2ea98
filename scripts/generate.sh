#!/usr/bin/env bash
# Regenerates every client under gen/ from proto/: TypeScript (protobuf-es), Go (protoc-gen-go, grpc-go,
# connect-go) and Python (grpcio-tools). Plugins run locally; nothing is fetched from the Buf Schema Registry.
# Needs the pinned plugins: `scripts/install-generators.sh` installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

npx buf lint
npx buf generate
npx buf generate --template buf.gen.go.yaml

rm -rf gen/python
mkdir -p gen/python
python3 -m grpc_tools.protoc -Iproto --python_out=gen/python --pyi_out=gen/python --grpc_python_out=gen/python proto/llmgateway/v1/*.proto
touch gen/python/llmgateway/__init__.py gen/python/llmgateway/v1/__init__.py gen/python/llmgateway/py.typed

# Package metadata and READMEs, kept by hand in clients/<lang>/.
cp clients/ts/package.json clients/ts/README.md gen/ts/
cp clients/go/go.mod clients/go/go.sum clients/go/README.md gen/go/
cp clients/python/pyproject.toml clients/python/README.md gen/python/
