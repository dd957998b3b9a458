#!/usr/bin/env bash
# Install the Debian 12 packages Easy Chat needs to build, run and test.
#
# Usage: conf/deps.sh
#
# Only what is missing is installed. As root: apt-get update (only then)
# and apt-get install. As anyone else: print the one `sudo apt-get install`
# line and exit 1. Exits 0 when everything is there.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config
	# the SPA's precompressed .gz and .br files (make spa)
	gzip brotli
	libfcgi-dev libfcgi-bin libpq-dev libhiredis-dev libjson-c-dev libjwt-dev
	libwebsockets-dev libwebsockets-evlib-ev libev-dev
	libgraphicsmagick1-dev libpng-dev libcmocka-dev libsodium-dev libcurl4-openssl-dev
	libssl-dev
	# run: conf/stack.sh starts private instances of these
	lighttpd lighttpd-modules-lua redis-server redis-tools postgresql-15 postgresql-contrib
	# make test TOPOLOGY=multi: the connection pooler in front of PostgreSQL
	# (its Redis sentinels are redis-server --sentinel, its replica
	# pg_basebackup from postgresql-15's client, its second front nginx
	# with spawn-fcgi, below)
	pgbouncer
	# the other front end (make test FRONT=nginx) and the programs under it
	nginx spawn-fcgi fcgiwrap openssl
	# nginx's brotli_static (the .br files); Debian 12 ships it as a module
	libnginx-mod-http-brotli-static
	# tests, benchmarks, compose checks; clang's libFuzzer for `make fuzz`
	curl chromium chromium-driver wrk docker-compose clang libclang-rt-14-dev
	# emoji in the browser tests' Chromium (reactions, their screenshots)
	fonts-noto-color-emoji
	# the SMTP sink of the password-reset tests
	python3-aiosmtpd
	# make check: clang-format (C), shellcheck (scripts); tsc and ESLint
	# come from htdocs/package.json
	clang-format shellcheck
	# tests/stack/front-configs.sh: systemd-analyze verify (no systemd runs)
	systemd
)
# Debian's npm conflicts with a NodeSource nodejs: only when there is no
# node at all.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "deps: all ${#packages[@]} packages are installed"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages; run:" >&2
	echo "sudo apt-get install -y --no-install-recommends ${missing[*]}"
	exit 1
fi

echo "deps: installing ${missing[*]}"
# The packages' maintainer scripts would start the system PostgreSQL,
# Redis and lighttpd on 5432/6379/80. We run our own instances on other
# ports (conf/stack.sh) and rely on none of those, so tell invoke-rc.d not
# to start anything while we install (policy-rc.d exit 101 = "action
# forbidden"), unless the machine already has its own policy.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	own_policy=1
fi
cleanup() { if ((own_policy)); then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
