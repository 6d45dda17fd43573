#!/usr/bin/env bash
# Makes a fresh clone ready: pnpm (the version pinned in package.json), the workspace's
# dependencies, and PowerShell 7 >= 7.6.5. Safe to run again; each step is skipped when done.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pinned" ]; then
  echo "› installing pnpm $pinned with npm"
  npm install --global --no-fund --no-audit "pnpm@$pinned" >/dev/null
fi

echo "› installing workspace dependencies"
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi

node tooling/setup/setup-pwsh.mjs

# The CLI's terminal tests drive exo under a pseudo-terminal with tmux (Debian package).
if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "› installing tmux (for the terminal tests)"
    apt-get update -qq >/dev/null && apt-get install -y -qq tmux >/dev/null
  else
    echo "! tmux is missing: the terminal (prompt) tests need it; install it with your package manager."
  fi
fi
