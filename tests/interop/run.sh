#!/usr/bin/env bash
# ctest -L interop: installs the pinned jsforce (npm ci, into a build-tree copy of this folder)
# and runs interop.js against the crmsync binary given as $1 ($2: the build-tree folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/run_node.sh" "$here" interop.js "$1" "$2"
