#!/usr/bin/env bash
# Runs the Vercel AI SDK (ai, @ai-sdk/openai, @ai-sdk/anthropic, with zod) against the gateway and the
# fake upstream behind it: the Responses API (the provider's default openai(model)), chat completions
# (openai.chat), embeddings (embed, embedMany) and the Anthropic face (createAnthropic({ baseURL }));
# generateText, streamText, tool round trips with stopWhen, generateObject and streamObject, signed
# reasoning sent back, and 401, 404 and 429 as the SDK's own APICallError. The packages are installed in
# a temporary directory, never into the project's node_modules or package.json; test/clients/js/*.mjs
# are copied there and run from it, so that their imports resolve to those packages.
#
#   scripts/try-ai-sdk.sh                           # the latest versions, in a fresh temp dir
#   AI_VERSION=6.0.326 scripts/try-ai-sdk.sh        # a given ai (and AI_OPENAI_VERSION, AI_ANTHROPIC_VERSION)
#   CLIENTS_DIR=/tmp/js-clients scripts/try-ai-sdk.sh "anthropic:"   # reuse an install; only matching checks
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${CLIENTS_DIR:-}" ]; then
  dir="$CLIENTS_DIR"
else
  dir="$(mktemp -d /tmp/try-ai-sdk-XXXXXX)"
  trap 'rm -rf "$dir"' EXIT
fi
if [ ! -d "$dir/node_modules/ai" ]; then
  (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-fund --no-audit \
    "ai@${AI_VERSION:-latest}" "@ai-sdk/openai@${AI_OPENAI_VERSION:-latest}" "@ai-sdk/anthropic@${AI_ANTHROPIC_VERSION:-latest}" zod >&2)
fi
(cd "$dir" && node -p '["ai", "@ai-sdk/openai", "@ai-sdk/anthropic"].map((p) => p + " " + require(p + "/package.json").version).join(", ")')
cp "$root"/test/clients/js/*.mjs "$dir/"
cd "$root"
npx tsc -p tsconfig.json
# The project's Node 24, as for everything else it runs.
"$root/node_modules/.bin/node" "$dir/ai-sdk.mjs" "$root" "$@"
