#!/usr/bin/env bash
# ctest -L interop: installs the pinned Salesforce CLI (npm ci, into a build-tree copy of this
# folder; reused while package-lock.json is unchanged) and runs interop_sf.js against the crmsync
# binary given as $1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$1
work=$2
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "interop: node and npm are missing; run scripts/install-deps" >&2
  exit 1
}
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/interop_sf.js" "$work/"
cd "$work"
if ! cmp -s package-lock.json node_modules/.package-lock.json.copy 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.copy
fi
node interop_sf.js "$binary"
