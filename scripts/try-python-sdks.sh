#!/usr/bin/env bash
# Runs the official Python SDKs `openai` and `anthropic`, and LiteLLM's Python client, against the
# gateway in front of the fake upstream: embeddings (default base64 decoding, with numpy absent and
# then present), Responses (unary, streams and the stream helper, parse with a pydantic model, tool
# round trips over previous_response_id, retrieve/input_items/input_tokens/delete), Anthropic Messages
# (unary, stream helpers, tool use and the beta tool runner, count_tokens, structured output) and the
# typed errors (401, 404, 429, an upstream 429). The clients go into virtualenvs in a temp dir, never
# into the project; test/clients/python-sdks/check_*.py print PASS or FAIL per check.
#
#   scripts/try-python-sdks.sh                         # newest releases, fresh venvs
#   PY_SDKS_DIR=/tmp/py-sdks scripts/try-python-sdks.sh   # keep (and reuse) the venvs there
#   OPENAI_VERSION=2.8.0 ANTHROPIC_VERSION=0.72.0 LITELLM_VERSION=1.79.0 scripts/try-python-sdks.sh
#   NO_LITELLM=1 scripts/try-python-sdks.sh            # skip LiteLLM (a large install)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${PY_SDKS_DIR:-}
if [[ -z "$dir" ]]; then
  dir=$(mktemp -d -t try-python-sdks-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
fi
pin() { [[ -n "${2:-}" ]] && echo "$1==$2" || echo "$1"; }
if [[ ! -x "$dir/sdks/bin/python" ]]; then
  python3 -m venv "$dir/sdks"
  "$dir/sdks/bin/pip" install -q "$(pin openai "${OPENAI_VERSION:-}")" "$(pin anthropic "${ANTHROPIC_VERSION:-}")" pydantic
fi
"$dir/sdks/bin/pip" uninstall -q -y numpy >/dev/null 2>&1 || true
if [[ -z "${NO_LITELLM:-}" && ! -x "$dir/litellm/bin/python" ]]; then
  python3 -m venv "$dir/litellm"
  "$dir/litellm/bin/pip" install -q "$(pin litellm "${LITELLM_VERSION:-}")"
fi
"$dir/sdks/bin/pip" list 2>/dev/null | grep -E '^(openai|anthropic) ' >&2
[[ -z "${NO_LITELLM:-}" ]] && "$dir/litellm/bin/pip" list 2>/dev/null | grep -E '^litellm ' >&2

cd "$root"
export PYTHONDONTWRITEBYTECODE=1
npx tsc -p tsconfig.json
log="$dir/gateway.log"
node_modules/.bin/node dist/test/clients/python-sdks/serve.js >"$log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null; [[ -z "${PY_SDKS_DIR:-}" ]] && rm -rf "$dir"' EXIT
for _ in $(seq 100); do [[ -s "$log" ]] && break; sleep 0.1; done
read -r url key tight <"$log"

failed=0
run() { echo "== $*" >&2; (cd test/clients/python-sdks && "$@" "$url" "$key" "$tight") || failed=$((failed + $?)); }
run "$dir/sdks/bin/python" check_openai.py
run "$dir/sdks/bin/python" check_anthropic.py
# The openai SDK decodes the base64 vectors it asks for by default with numpy when numpy is there.
"$dir/sdks/bin/pip" install -q numpy
run "$dir/sdks/bin/python" check_openai.py
[[ -z "${NO_LITELLM:-}" ]] && run "$dir/litellm/bin/python" check_litellm.py
echo "failed checks: $failed" >&2
exit $((failed > 0))
