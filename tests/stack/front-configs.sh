#!/usr/bin/env bash
# The shipped front-end configurations are valid: nginx -t accepts the TLS
# and HTTP site files that `conf/stack.sh render-nginx` writes, and
# systemd-analyze verify accepts the units in conf/systemd/.
# Usage: tests/stack/front-configs.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: front-configs.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/easychat-configs.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT
passed=0

fail() { printf 'front-configs: FAIL: %s\n' "$*" >&2; exit 1; }

# --- nginx: the TLS site with a throw-away certificate -----------------------
cat "$repo"/env_files/dev/*.env >"$tmp/easychat.env"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=chat.example.org \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || fail "openssl"
EASYCHAT_ENV=$tmp/easychat.env EASYCHAT_VAR=$tmp/var SOCKET_DIR=$tmp/run \
	SERVER_NAME=chat.example.org TLS_CERT=$tmp/cert.pem TLS_KEY=$tmp/key.pem \
	"$repo/conf/stack.sh" render-nginx "$tmp/nginx" >/dev/null
for site in site-tls site-http; do
	# As Debian's /etc/nginx/nginx.conf loads the installed modules
	# (modules-enabled/, relative to its own prefix): brotli_static.
	modules=""
	so=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
	[[ ! -f $so ]] || modules="load_module $so;"
	cat >"$tmp/nginx-$site.conf" <<-EOT
		$modules
		pid $tmp/nginx.pid;
		error_log $tmp/nginx-error.log;
		events { }
		http {
		    include /etc/nginx/mime.types;
		    include $tmp/nginx/easychat-upstreams.conf;
		    include $tmp/nginx/$site.conf;
		}
	EOT
	out=$(nginx -t -p "$tmp/" -e "$tmp/nginx-error.log" -c "$tmp/nginx-$site.conf" 2>&1) ||
		fail "nginx -t rejects $site: $out"
	# Warnings count as failures, except OCSP stapling of a self-signed
	# certificate (no issuer to staple for).
	if grep -v 'ssl_stapling' <<<"$out" | grep -q '\[warn\]\|\[emerg\]'; then
		fail "nginx -t warns about $site: $out"
	fi
	passed=$((passed + 1))
done
grep -q 'listen 443 ssl http2' "$tmp/nginx/site-tls.conf" || fail "no HTTP/2 TLS listener"

# --- systemd ------------------------------------------------------------------
# The units name /srv/easychat/build/release/bin; point them at this build
# so verify can check the commands exist.
if ! systemd-analyze --version >/dev/null 2>&1; then
	fail "systemd-analyze is not installed"
fi
mkdir -p "$tmp/units" "$tmp/srv/build/release"
ln -s "$build/bin" "$tmp/srv/build/release/bin"
for f in "$repo"/conf/systemd/*; do
	sed "s|/srv/easychat|$tmp/srv|g" "$f" >"$tmp/units/${f##*/}"
done
(
	cd "$tmp/units"
	units=(easychat.target)
	for p in auth users groups rooms search; do
		units+=("easychat-program@$p.0.socket" "easychat-program@$p.0.service")
	done
	units+=("easychat-relay@0.service" "easychat-deliver.service")
	out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "${units[@]/#/./}" 2>&1) ||
		fail "systemd-analyze verify: $out"
	[[ -z $out ]] || fail "systemd-analyze verify: $out"
)
passed=$((passed + 1))
echo "front-configs: $passed passed, 0 failed"
