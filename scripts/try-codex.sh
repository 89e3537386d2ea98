#!/usr/bin/env bash
# Runs the real OpenAI Codex CLI against the gateway's Responses face, end to end: installs
# @openai/codex in a temporary directory (never into the project's node_modules), builds the
# project, starts a gateway in front of the fake upstream, and runs `codex exec` through the
# scenarios of test/clients/codex/scenarios.ts (a prompt, a streamed answer with reasoning, tool
# round trips, a Claude route), checking what Codex printed and what the upstream received.
#
#   scripts/try-codex.sh                          # the latest Codex
#   CODEX_VERSION=0.171.0 scripts/try-codex.sh    # a given version
#   CODEX_BIN=/path/to/codex scripts/try-codex.sh # a Codex already installed
#   scripts/try-codex.sh --record test/fixtures/codex   # also rewrite the replayed fixtures
#
# Codex runs in API-key mode, so it needs no ChatGPT login and no network beyond the loopback:
# through a provider of our own (env_key), and for two scenarios again through its built-in OpenAI
# provider (openai_base_url, CODEX_API_KEY). Update checks and analytics are off in its config.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CODEX_BIN:-}
if [[ -z "$bin" ]]; then
  dir=$(mktemp -d -t try-codex-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund "@openai/codex@${CODEX_VERSION:-latest}" >/dev/null)
  bin="$dir/node_modules/.bin/codex"
fi
"$bin" --version
cd "$root"
npx tsc -p tsconfig.json
node_modules/.bin/node dist/test/clients/codex/try-codex.js "$bin" "$@"
