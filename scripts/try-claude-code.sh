#!/usr/bin/env bash
# Runs the real Claude Code CLI against the gateway's Anthropic Messages face, with the fake upstream
# behind it: a one-shot prompt, a streamed answer (stream-json with partial messages), and tool round
# trips (the upstream asks for Claude Code's Read tool, the CLI runs it, the result goes back) on an
# Anthropic deployment and on an OpenAI-format one. The CLI is installed outside the project (never
# into its node_modules or package.json), talks only to the gateway, and sends no telemetry.
#
#   scripts/try-claude-code.sh            # newest CLI, in a fresh temp dir
#   CLAUDE_CODE_VERSION=2.1.197 scripts/try-claude-code.sh
#   CLAUDE_CODE_DIR=/tmp/cc scripts/try-claude-code.sh --record   # reuse an install; rewrite test/fixtures/claude-code/
#
# --record writes each run's requests and answers to test/fixtures/claude-code/, which
# test/e2e/claude-code-replay.test.ts replays in CI without the CLI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${CLAUDE_CODE_DIR:-}" ]; then
  dir="$CLAUDE_CODE_DIR"
else
  # A fresh install (about 250 MB) goes when the run ends.
  dir="$(mktemp -d /tmp/claude-code-XXXXXX)"
  trap 'rm -rf "$dir"' EXIT
fi
version="${CLAUDE_CODE_VERSION:-latest}"
pkg="$dir/node_modules/@anthropic-ai/claude-code"

if [ ! -x "$dir/node_modules/.bin/claude" ]; then
  echo "installing @anthropic-ai/claude-code@$version in $dir" >&2
  (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-fund --no-audit "@anthropic-ai/claude-code@$version" >&2)
fi
bin="$dir/node_modules/.bin/claude"
# The package's postinstall puts the platform's native binary in place; npm may skip install scripts.
if ! DISABLE_AUTOUPDATER=1 "$bin" --version >/dev/null 2>&1; then
  (cd "$pkg" && node install.cjs >&2)
fi
echo "Claude Code $(DISABLE_AUTOUPDATER=1 "$bin" --version)" >&2

cd "$root"
if [ "${1:-}" = "--record" ]; then
  export CLAUDE_CODE_FIXTURES="$root/test/fixtures/claude-code"
  rm -f "$CLAUDE_CODE_FIXTURES"/*.json
fi
CLAUDE_CODE_BIN="$bin" npx vitest run --config test/clients/vitest.config.ts
if [ -n "${CLAUDE_CODE_FIXTURES:-}" ]; then
  npx biome format --write "$CLAUDE_CODE_FIXTURES" >/dev/null
  echo "recorded into $CLAUDE_CODE_FIXTURES; replay: npx vitest run test/e2e/claude-code-replay.test.ts" >&2
fi
