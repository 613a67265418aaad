#!/usr/bin/env bash
# `make install PREFIX=... DESTDIR=...`, the public contract, into a temporary DESTDIR (reusing the
# configured BUILD_DIR: nothing is rebuilt when crmsync is up to date): every file where it belongs,
# and what was installed works: the binary runs, the man page names every flag, the completion
# scripts parse in their shells (those the machine has) and name every command.
# Usage: run.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
prefix=/opt/crmsync-test

make --no-print-directory -C "$source_dir" install BUILD="$build" PREFIX="$prefix" DESTDIR="$stage" >/dev/null
root=$stage$prefix
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for f in bin/crmsync share/doc/crmsync/examples/crmsync.example.toml share/man/man1/crmsync.1 \
         share/bash-completion/completions/crmsync share/zsh/site-functions/_crmsync \
         share/fish/vendor_completions.d/crmsync.fish; do
  [ -s "$root/$f" ] || fail "$prefix/$f is missing or empty"
done
[ -x "$root/bin/crmsync" ] || fail "bin/crmsync is not executable"
# Nothing lands outside the prefix (DESTDIR honoured).
outside=$(cd "$stage" && find . -type f | grep -v "^\.$prefix/" || true)
[ -z "$outside" ] || fail "files outside the prefix: $outside"

bin=$root/bin/crmsync
"$bin" --version | grep -q '^crmsync ' || fail "the installed binary does not run"
"$bin" catalog >/dev/null || fail "the installed binary's catalog fails"
rc=0
(cd "$stage" && "$bin" status --config "$root/share/doc/crmsync/examples/crmsync.example.toml" >/dev/null 2>&1) || rc=$?
[ "$rc" -eq 3 ] || fail "status with the installed example config should say no sync has run (exit 3), not $rc"

commands=$("$bin" --help | awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || fail "no subcommands in --help"
man=$root/share/man/man1/crmsync.1
for c in $commands; do
  grep -q "crmsync $c" "$man" || fail "the man page lacks the command $c"
  grep -qw -- "$c" "$root/share/bash-completion/completions/crmsync" || fail "bash completion lacks $c"
  grep -qw -- "$c" "$root/share/zsh/site-functions/_crmsync" || fail "zsh completion lacks $c"
  grep -qw -- "$c" "$root/share/fish/vendor_completions.d/crmsync.fish" || fail "fish completion lacks $c"
done
if command -v man >/dev/null 2>&1; then
  MANWIDTH=100 man -l "$man" 2>&1 >/dev/null | grep -q . && fail "man reports problems in crmsync.1"
fi
bash -n "$root/share/bash-completion/completions/crmsync" || fail "bash cannot parse the completion"
if command -v zsh >/dev/null 2>&1; then zsh -n "$root/share/zsh/site-functions/_crmsync" || fail "zsh cannot parse"; fi
if command -v fish >/dev/null 2>&1; then fish -n "$root/share/fish/vendor_completions.d/crmsync.fish" || fail "fish cannot parse"; fi

if [ "$failures" -gt 0 ]; then echo "$failures install check(s) failed"; exit 1; fi
echo "install layout: every file in place under DESTDIR$prefix, the installed binary runs"
