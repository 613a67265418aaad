#!/usr/bin/env bash
# ctest -L browser: installs the pinned playwright-core (npm ci, into a build-tree copy of this
# folder; reused while package-lock.json is unchanged) and runs boards.js against the crmsync binary
# given as $1 in Debian's Chromium (/usr/bin/chromium, scripts/install-deps); $2: the build-tree
# folder, where the screenshots land.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ -x /usr/bin/chromium ]] || {
  echo "browser test: /usr/bin/chromium is missing; run scripts/install-deps" >&2
  exit 1
}
exec bash "$here/../interop/run_node.sh" "$here" boards.js "$1" "$2"
