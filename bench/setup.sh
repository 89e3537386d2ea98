#!/usr/bin/env bash
# Installs the benchmark's load generators if they are missing: wrk (Debian package) for the REST face
# and ghz (Go module) for the gRPC face. Needs root for apt-get and Go for ghz. `npm run bench:setup`.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
  echo "wrk: $(command -v wrk)"
elif command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk
else
  echo "wrk is missing and apt-get is not here: install wrk 4.x with your package manager" >&2
  exit 1
fi

ghz_bin="$(command -v ghz || true)"
gobin="$(go env GOBIN 2>/dev/null || true)"
[ -z "$gobin" ] && gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
[ -z "$ghz_bin" ] && [ -x "$gobin/ghz" ] && ghz_bin="$gobin/ghz"
if [ -n "$ghz_bin" ]; then
  echo "ghz: $ghz_bin"
elif command -v go >/dev/null 2>&1; then
  # Pinned: @latest resolves to an old release that rejects proto3 `optional`.
  go install github.com/bojand/ghz/cmd/ghz@v0.120.0
  echo "ghz: $gobin/ghz"
else
  echo "ghz is missing and Go is not here: install Go, then go install github.com/bojand/ghz/cmd/ghz@v0.120.0" >&2
  exit 1
fi
