#!/usr/bin/env bash
# install-deps.sh [runtime|build|test] -- install mailaudit's Debian 12 packages.
#
#   runtime  shared libraries and data the mailaudit binary needs
#   build    runtime + compiler, cmake, pkg-config and the -dev packages
#   test     build + cmocka, DNS servers/tools, sanitizer runtimes, valgrind
#            (the default: it is what `scripts/test.sh` needs)
#
# Works on a pristine Debian 12 (minbase) as root; as another user it uses
# sudo when that exists. Safe to run again: apt skips what is installed.
#
# Note on daemons: `nsd` and `unbound` are DNS servers. On a machine that
# runs systemd, installing them starts both as system services on port 53
# (one of them may fail to bind because the other, or systemd-resolved, holds
# it; Debian's postinst ignores that). The tests never use those services:
# they start their own private NSD on a high loopback port, so there is no
# conflict and this script deliberately leaves the services alone. Stop or
# disable them yourself if you do not want them (`systemctl disable --now
# nsd unbound`). In containers/chroots without systemd nothing is started.
set -euo pipefail

profile=${1:-test}

runtime_pkgs=(
	libldns3 libxml2 libxslt1.1 libidn2-0 libpsl5 publicsuffix
	libopendkim11 libssl3 ca-certificates
)
build_pkgs=(
	build-essential cmake pkg-config
	libldns-dev libxml2-dev libxslt1-dev libidn2-dev libpsl-dev
	libopendkim-dev libssl-dev libyaml-dev
)
test_pkgs=(
	libcmocka-dev
	nsd knot-dnsutils ldnsutils unbound
	libxml2-utils xsltproc
	clang libclang-rt-14-dev
	python3 python3-yaml python3-dkim python3-nacl
	valgrind
	python3-spf spfquery
	chromium fonts-dejavu-core
)

case "$profile" in
runtime) pkgs=("${runtime_pkgs[@]}") ;;
build) pkgs=("${runtime_pkgs[@]}" "${build_pkgs[@]}") ;;
test) pkgs=("${runtime_pkgs[@]}" "${build_pkgs[@]}" "${test_pkgs[@]}") ;;
-h | --help)
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [runtime|build|test]   (default: test)" >&2
	exit 2
	;;
esac

# Package names are Debian 12 (bookworm) ones (libssl3, libopendkim11,
# libclang-rt-14-dev); warn, but try anyway, elsewhere.
if [ -r /etc/os-release ]; then
	. /etc/os-release
	if [ "${ID:-}" != debian ] || [ "${VERSION_CODENAME:-}" != bookworm ]; then
		echo "install-deps: warning: written for Debian 12 (bookworm), this is ${PRETTY_NAME:-unknown}" >&2
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: apt-get not found: this script needs Debian 12" >&2
	exit 1
fi

# Root runs apt directly (a minimal Debian/Docker image has no sudo);
# anyone else goes through sudo. `env` carries DEBIAN_FRONTEND past sudo's
# environment reset.
if [ "$(id -u)" -eq 0 ]; then
	as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo env)
else
	echo "install-deps: must run as root (or have sudo) to install packages" >&2
	exit 1
fi

# Non-interactive: no debconf prompts, no hanging on stdin. Wait for a dpkg
# lock held by e.g. unattended-upgrades instead of failing at once; retry
# flaky downloads.
apt=("${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get
	-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

echo "install-deps: installing the '$profile' profile (${#pkgs[@]} packages):"
echo "  ${pkgs[*]}"

# A fresh machine/image has empty package lists: always update first.
"${apt[@]}" update
# Plain `install -y`, Recommends on, as a user would type it; every package
# the project needs is still named explicitly rather than left to Recommends.
"${apt[@]}" install -y "${pkgs[@]}"

# Fail loudly if anything did not end up installed.
missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: not installed: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: '$profile' profile installed (${#pkgs[@]} packages)"
