#!/usr/bin/env bash
# Runs LangChain JS (@langchain/openai, @langchain/anthropic, @langchain/core, with zod) against the
# gateway and the fake upstream behind it: ChatOpenAI on chat completions and with useResponsesApi,
# OpenAIEmbeddings, and ChatAnthropic; invoke, stream, tool round trips, withStructuredOutput
# (jsonSchema, functionCalling, jsonMode), thinking sent back signed, a previous_response_id chain,
# and 401, 404 and 429 with the SDKs' statuses. The packages are installed in a temporary directory,
# never into the project's node_modules or package.json; test/clients/js/*.mjs are copied there and
# run from it, so that their imports resolve to those packages.
#
#   scripts/try-langchain-js.sh                              # the latest versions, in a fresh temp dir
#   LANGCHAIN_OPENAI_VERSION=1.5.8 scripts/try-langchain-js.sh   # (and LANGCHAIN_ANTHROPIC_VERSION, LANGCHAIN_CORE_VERSION)
#   CLIENTS_DIR=/tmp/js-clients scripts/try-langchain-js.sh "anthropic:"   # reuse an install; only matching checks
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${CLIENTS_DIR:-}" ]; then
  dir="$CLIENTS_DIR"
else
  dir="$(mktemp -d /tmp/try-langchain-js-XXXXXX)"
  trap 'rm -rf "$dir"' EXIT
fi
if [ ! -d "$dir/node_modules/@langchain/openai" ]; then
  (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-fund --no-audit \
    "@langchain/openai@${LANGCHAIN_OPENAI_VERSION:-latest}" "@langchain/anthropic@${LANGCHAIN_ANTHROPIC_VERSION:-latest}" \
    "@langchain/core@${LANGCHAIN_CORE_VERSION:-latest}" zod >&2)
fi
(cd "$dir" && node -p '["@langchain/openai", "@langchain/anthropic", "@langchain/core"].map((p) => p + " " + require(p + "/package.json").version).join(", ")')
cp "$root"/test/clients/js/*.mjs "$dir/"
cd "$root"
npx tsc -p tsconfig.json
"$root/node_modules/.bin/node" "$dir/langchain.mjs" "$root" "$@"
