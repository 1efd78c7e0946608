#!/bin/sh
# debian-base.sh: a Debian root like the official debian:SUITE and
# debian:SUITE-slim images, made with mmdebstrap from Debian's archive
# alone, as a tarball to import into buildah or podman storage:
#
#   contrib/image/debian-base.sh [--slim] SUITE OUT.tar [MIRROR]
#
# As debuerreotype does for the official images: variant minbase, merged
# /usr without the usrmerge package, the suite's updates and security
# sources, apt told to keep no package cache, no translations and
# gzipped indexes.  The cache-cleaning hooks go into the image's
# /etc/apt/apt.conf.d/docker-clean, not into mmdebstrap's own apt run:
# trixie's mmdebstrap runs apt's Post-Invoke scripts inside the root
# before it has a shell, and fails ("Problem executing scripts").  --slim adds the dpkg path excludes of the -slim images
# (documentation but the copyright files, man and info pages, locales),
# written to /etc/dpkg/dpkg.cfg.d/ so that later installs obey them too.
set -eu
# The system's tools only: mmdebstrap runs its path filter (mmtarfilter,
# "env python3") once per package, and a python3 shim earlier in PATH
# (pyenv, a virtualenv) would slow every unpack down or break it.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
slim=
if [ "${1:-}" = --slim ]; then slim=1; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--slim] SUITE OUT.tar [MIRROR]" >&2; exit 2; }
suite=$1 out=$2
mirror=${3:-http://deb.debian.org/debian}
security=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

set -- --variant=minbase --format=tar --mode=root \
	--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
	--aptopt='Acquire::Languages "none"' \
	--aptopt='Acquire::GzipIndexes "true"' \
	--aptopt='APT::AutoRemove::SuggestsImportant "false"' \
	--aptopt='Dir::Cache::pkgcache ""' \
	--aptopt='Dir::Cache::srcpkgcache ""' \
	--customize-hook='cat >"$1/etc/apt/apt.conf.d/docker-clean" <<EOF
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF'
if [ -n "$slim" ]; then
	# This list, in this order, unpacks.  debuerreotype's longer one
	# (groff, linda, lintian overrides too) with the include last made
	# every bookworm run fail to unpack passwd and libidn2-0: "error
	# creating directory './usr/share/man/fi/man1'".
	set -- "$@" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/info/*'
fi
exec mmdebstrap "$@" "$suite" "$out" \
	"deb $mirror $suite main" \
	"deb $mirror $suite-updates main" \
	"deb $security $suite-security main"
