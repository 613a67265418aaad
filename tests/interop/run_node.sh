#!/usr/bin/env bash
# The Node.js tests' shared runner (ctest -L interop, ctest -L browser): copies <folder>'s package.json, package-lock.json and <script>
# into <work> (a build-tree folder), installs the pinned packages there with npm ci (reused while
# package-lock.json is unchanged) and runs `node <script> <binary>`.
#   run_node.sh <folder> <script> <binary> <work>
set -euo pipefail
folder=$1
script=$2
binary=$3
work=$4
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "$script: node and npm are missing; run scripts/install-deps" >&2
  exit 1
}
mkdir -p "$work"
cp "$folder/package.json" "$folder/package-lock.json" "$folder/$script" "$work/"
cd "$work"
if ! cmp -s package-lock.json node_modules/.package-lock.json.copy 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.copy
fi
node "$script" "$binary"
