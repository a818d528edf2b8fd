#!/usr/bin/env bash
# CMAKE_CROSSCOMPILING_EMULATOR of the Windows build: runs a cross-built .exe under wine, quietly, in the
# WINEPREFIX the caller chose (scripts/test-windows.sh makes a private one). Wine passes the exit code through.
set -euo pipefail
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
exec "${SB_WINE:-wine}" "$@"
