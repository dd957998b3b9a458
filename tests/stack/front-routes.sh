#!/usr/bin/env bash
# The front servers' routing (conf/routes.txt, rendered into lighttpd.conf
# and nginx's locations) sends every route of every program's own table
# (easychat-<program> --routes) to that program.
# Usage: tests/stack/front-routes.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: front-routes.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
exec node "$repo/tests/lib/front-routes.mjs" check "$build/bin"
