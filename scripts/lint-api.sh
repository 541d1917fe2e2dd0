#!/usr/bin/env bash
# Usage: scripts/lint-api.sh   (after `npm run build`; `npm run lint:api` builds first)
# Dumps the OpenAPI document of an in-process server (nothing listens) and lints it with Redocly's
# recommended rules (redocly.yaml); fails on any error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mktemp -d "${TMPDIR:-/tmp}/kopilka-openapi.XXXXXX")"
trap 'rm -rf -- "$out"' EXIT
node scripts/dump-openapi.mjs "$out/openapi.json"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
# Redocly's boxed notice about its next Node.js version says nothing about the API: left out.
set +e
npx --no-install redocly lint --config redocly.yaml "$out/openapi.json" 2>&1 | { grep -v -e '║' -e '╔' -e '╚' || true; }
status="${PIPESTATUS[0]}"
exit "$status"
