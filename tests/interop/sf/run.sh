#!/usr/bin/env bash
# ctest -L interop: installs the pinned Salesforce CLI (npm ci, into a build-tree copy of this
# folder; reused while package-lock.json is unchanged) and runs interop_sf.js against the crmsync
# binary given as $1 ($2: the build-tree folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../run_node.sh" "$here" interop_sf.js "$1" "$2"
