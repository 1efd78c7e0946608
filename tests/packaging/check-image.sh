#!/bin/bash
# check-image.sh: builds contrib/k8s/Dockerfile without a Docker engine
# and checks the image it makes (run by "make check-image", as root).
#
# For each Debian release the Dockerfile takes (DEBIAN_SUITE: bookworm,
# then trixie):
#  1. the two base images the Dockerfile names, debian:SUITE and
#     debian:SUITE-slim, made with mmdebstrap from Debian's archive
#     (contrib/image/debian-base.sh) and imported into a private buildah
#     store: nothing is pulled from a registry;
#  2. the image, with buildah build --isolation chroot --pull=never;
#  3. from inside the image: find-hash --version, the release it runs on,
#     an offline answer checked with sha256sum, the numeric non-root user,
#     and a queue round trip against a private RabbitMQ node on loopback
#     (tests/lib/broker.sh);
#  4. FIND_HASH_FROM=context with an apt source: a signed repository
#     (contrib/repo/make-apt-repo) served on loopback, republished with a
#     newer find-hash: the image holds the version FIND_HASH_VERSION names,
#     rebuilt with --layers as built afresh, and a version the repository
#     lacks fails the build.
#
# Everything lives in one scratch directory (buildah's vfs store
# included) that is removed on exit.  Fails on any broken step, never
# skips.  Settings:
#   FH_IMAGE_SUITES="..."   the releases to build for (default
#                           "bookworm trixie");
#   FH_IMAGE_BASES=DIR      take SUITE.tar and SUITE-slim.tar from DIR
#                           instead of running mmdebstrap (made by
#                           contrib/image/debian-base.sh; a developer's
#                           cache, CI builds them);
#   FH_IMAGE_DEB_CHECK=1    let stage "build" run the package's test
#                           suite too (by default DEB_BUILD_OPTIONS=nocheck:
#                           make check has run it on this tree already);
#   FH_IMAGE_KEEP=1         keep the scratch directory and its store.
# FIND_HASH, the tree's own binary, enqueues the prefix: the image's
# worker must take what the tree's program publishes.
. "${top_srcdir:=.}/tests/lib/test-env.sh"
. "$top_srcdir/tests/lib/broker.sh"
. "$top_srcdir/tests/lib/http.sh"

[ "$(id -u)" = 0 ] || { echo "check-image: run as root (buildah, mmdebstrap)" >&2; exit 99; }
for t in buildah mmdebstrap sha256sum; do
	command -v "$t" >/dev/null || { echo "check-image: $t not found" >&2; exit 99; }
done

# buildah's store and state, private to this test; chroot isolation (no
# container runtime, no namespaces beyond what chroot needs) and the
# host's network, which is what this sandbox and most CI runners allow.
store=$scratch/store
B() { buildah --storage-driver vfs --root "$store/root" --runroot "$store/run" "$@"; }
export BUILDAH_ISOLATION=chroot
# a storage.conf of its own: the system's (or a user's) never applies
mkdir -p "$store" || exit 99
cat >"$store/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$store/root"
runroot = "$store/run"
CONF
export CONTAINERS_STORAGE_CONF=$store/storage.conf
store_cleanup() {
	if [ -n "${FH_IMAGE_KEEP:-}" ]; then
		echo "check-image: kept $scratch" >&2
		trap - EXIT; return
	fi
	B rm --all >/dev/null 2>&1
	B rmi --all --force >/dev/null 2>&1
	# vfs layers are plain directories; the scratch removal takes them
}
cleanup_hooks="store_cleanup $cleanup_hooks"

die() { echo "FAIL: $*" >&2; exit 1; }
phase_start=
phase() {
	[ -n "$phase_start" ] &&
		echo "check-image: $phase_name: $((SECONDS - phase_start)) s"
	phase_name=$1 phase_start=$SECONDS
	[ "$1" = done ] || echo "check-image: $1 ..."
}

# The process and open-file limits the build and its containers get.
# buildah 1.39 (Debian 13) raises RLIMIT_NPROC and RLIMIT_NOFILE to
# 1048576 for its chroot by default, which needs CAP_SYS_RESOURCE; a CI
# sandbox's root may lack it ("setting RLIMIT_NPROC ... operation not
# permitted").  buildah 1.28 (Debian 12) sets 32768 processes itself and
# then cannot go higher either.  So: 32768 processes (buildah 1.28's own
# default) and 65536 files, or this machine's hard limit when lower.
ulimit_args=
for l in nproc:u:32768 nofile:n:65536; do
	name=${l%%:*} flag=${l#*:} flag=${flag%%:*} want=${l##*:}
	v=$(ulimit -H"$flag")
	case $v in
	''|*[!0-9]*) v=$want ;;
	esac
	[ "$v" -gt "$want" ] && v=$want
	ulimit_args="$ulimit_args --ulimit $name=$v:$v"
done

# check_suite SUITE: steps 1 to 3 for one Debian release
check_suite() {
	suite=$1
	image=localhost/find-hash:check-$suite
	# --- 1. the base images ---------------------------------------------------
	phase "$suite: base images (mmdebstrap)"
	if [ -n "${FH_IMAGE_BASES:-}" ]; then
		cp "$FH_IMAGE_BASES/$suite.tar" "$FH_IMAGE_BASES/$suite-slim.tar" \
			"$scratch/" || die "no base tarballs in $FH_IMAGE_BASES"
	else
		# two mmdebstrap runs at once: they mostly wait on the archive
		"$top_srcdir/contrib/image/debian-base.sh" "$suite" \
			"$scratch/$suite.tar" >"$scratch/mmdebstrap-full.log" 2>&1 &
		full=$!
		"$top_srcdir/contrib/image/debian-base.sh" --slim "$suite" \
			"$scratch/$suite-slim.tar" >"$scratch/mmdebstrap-slim.log" 2>&1 ||
			{ cat "$scratch/mmdebstrap-slim.log" >&2; die "mmdebstrap $suite-slim"; }
		wait $full ||
			{ cat "$scratch/mmdebstrap-full.log" >&2; die "mmdebstrap $suite"; }
	fi
	phase "$suite: base images (import)"
	for tag in "$suite" "$suite-slim"; do
		c=$(B from scratch) || die "buildah from scratch"
		B add "$c" "$scratch/$tag.tar" / >/dev/null || die "buildah add $tag.tar"
		B config --cmd '["bash"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			--os linux --arch "$(dpkg --print-architecture)" "$c" || die "buildah config"
		# the very name the Dockerfile's FROM resolves to
		B commit -q --rm "$c" "docker.io/library/debian:$tag" >/dev/null ||
			die "buildah commit debian:$tag"
		rm -f "$scratch/$tag.tar"
	done
	B images

	# --- 2. the image ---------------------------------------------------------
	phase "$suite: image build"
	# FIND_HASH_FROM given although it is the default: buildah 1.28 decides
	# which stages to skip from the build arguments given, without the
	# Dockerfile's own default, and so skips the stage the default names
	# ("packages-source: image not known").
	build_args="--build-arg FIND_HASH_FROM=source --build-arg DEBIAN_SUITE=$suite"
	# nocheck, option and profile: no test run, and none of the build
	# dependencies only the tests need (the broker, clang, valgrind)
	[ -n "${FH_IMAGE_DEB_CHECK:-}" ] ||
		build_args="$build_args --build-arg DEB_BUILD_OPTIONS=nocheck --build-arg DEB_BUILD_PROFILES=nocheck"
	# --layers: a layer a step, as Docker and podman build by default,
	# so that a file one step leaves behind shows below
	# shellcheck disable=SC2086
	B build --layers --isolation chroot --network host --pull=never $ulimit_args \
		--ignorefile "$top_srcdir/contrib/k8s/Dockerfile.dockerignore" \
		-f "$top_srcdir/contrib/k8s/Dockerfile" $build_args -t "$image" \
		"$top_srcdir" >"$scratch/build-$suite.log" 2>&1 ||
		{ tail -n 200 "$scratch/build-$suite.log" >&2; die "buildah build ($suite)"; }
	B images "$image"
	echo "check-image: $suite image size (uncompressed, buildah images):" \
		"$(B images --format '{{.Size}}' "$image")"
	# No layer holds the package files: a later rm cannot take a file out
	# of an earlier layer, so the Dockerfile must never put one there.
	B push "$image" "oci:$scratch/oci-$suite" >"$scratch/push-$suite.log" 2>&1 ||
		{ cat "$scratch/push-$suite.log" >&2; die "buildah push $image to an OCI directory"; }
	for blob in "$scratch/oci-$suite"/blobs/sha256/*; do
		# the layers are tar archives, gzipped or not; the manifest
		# and config are not archives and list nothing
		tar -tzf "$blob" 2>/dev/null || tar -tf "$blob" 2>/dev/null
	done >"$scratch/layers-$suite"
	[ -s "$scratch/layers-$suite" ] || fail "no layer of the $suite image could be listed"
	if grep -E '\.deb$|find-hash-packages/.' "$scratch/layers-$suite" >"$scratch/leftover-$suite"; then
		fail "a layer of the $suite image holds package files:"
		cat "$scratch/leftover-$suite" >&2
	fi
	rm -rf "$scratch/oci-$suite"

	# --- 3. inside the image --------------------------------------------------
	phase "$suite: checks inside the image"
	# The image's own config, as Kubernetes reads it.
	user=$(B inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
	[ "$user" = 10001:10001 ] || fail "image user is '$user', expected 10001:10001"
	ep=$(B inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$image")
	[ "$ep" = '[/usr/bin/find-hash]' ] || fail "entrypoint is '$ep', expected [/usr/bin/find-hash]"
	want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
	label=$(B inspect --type image --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}' "$image")
	[ "$label" = "$want" ] || fail "label org.opencontainers.image.version is '$label', expected $want"
	label=$(B inspect --type image --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.base.name"}}' "$image")
	[ "$label" = "docker.io/library/debian:$suite-slim" ] || fail "label org.opencontainers.image.base.name is '$label'"

	# shellcheck disable=SC2086
	ctr=$(B from --pull=never $ulimit_args "$image") || die "buildah from $image"
	# in_image ARGS...: the entrypoint with ARGS, as a Job's args: give them,
	# under the image's own user and host network (the broker is on loopback)
	in_image() {
		B run --isolation chroot --network host \
			${BROKER_URL:+--env BROKER_URL="$BROKER_URL"} \
			"$ctr" -- /usr/bin/find-hash "$@"
	}

	in_image --version >"$scratch/version" 2>&1 || fail "find-hash --version in the image"
	expect_grep '^find-hash [0-9]' "$scratch/version" "--version"
	cat "$scratch/version"
	# the release the image is built on, and the package built for it
	B run --isolation chroot "$ctr" -- sh -c '. /etc/os-release; echo "$VERSION_CODENAME $VERSION_ID"' \
		>"$scratch/os" 2>&1 || fail "/etc/os-release in the image"
	expect_grep "^$suite $version_id\$" "$scratch/os" "the $suite image runs Debian $version_id"
	B run --isolation chroot "$ctr" -- dpkg-query -W -f '${Version} ${Depends}\n' find-hash \
		>"$scratch/pkg" 2>&1 || fail "dpkg-query find-hash in the image"
	case $suite in
	trixie) expect_grep 't64' "$scratch/pkg" "the trixie image's package uses the 64-bit time_t libraries" ;;
	esac
	echo "check-image: $(cat "$scratch/os"): find-hash $(cat "$scratch/pkg")"
	# The checksums of the packages the image was built from, a layer of
	# their own before the install step: buildah 1.28 and podman 4.3 key
	# the install step's cache by its text alone (not by the --mount), and
	# would reuse an old find-hash when the packages change.
	B run --isolation chroot "$ctr" -- cat /usr/share/doc/find-hash/image-packages.sha256 \
		>"$scratch/pkgsums" 2>&1 || fail "no /usr/share/doc/find-hash/image-packages.sha256 in the $suite image"
	expect_grep '^[0-9a-f]{64}  (\./)?find-hash_[^ ]*\.deb$' "$scratch/pkgsums" "the image names the .deb it installed"
	# the public CAs, for an amqps:// broker (and the https repository)
	B run --isolation chroot "$ctr" -- test -s /etc/ssl/certs/ca-certificates.crt ||
		fail "no CA bundle in the $suite image"

	in_image --offline 0ce >"$scratch/offline" 2>"$scratch/offline.err"
	expect_status 0 $? "--offline 0ce in the image"
	expect_lines 1 "$scratch/offline" "--offline: one line"
	read -r string digest rest <"$scratch/offline"
	check_answer 0ce "$string" "$digest"
	echo "check-image: $suite: offline 0ce -> $string $digest"

	B run --isolation chroot "$ctr" -- id >"$scratch/id" 2>&1 || fail "id in the image"
	expect_grep '^uid=10001\(findhash\) gid=10001\(findhash\)' "$scratch/id" "runs as uid 10001"
	cat "$scratch/id"

	# the queue round trip: the tree's binary enqueues, the image's works
	job=job-$suite results=results-$suite
	if [ -x "$FIND_HASH" ]; then
		"$FIND_HASH" --queue "$job" --enqueue 0ce >/dev/null || fail "enqueue with $FIND_HASH"
	else
		queue_declare "$job" && queue_publish "$job" 0ce || fail "enqueue with amqp-publish"
	fi
	queue_wait_counts "$job" 30 "1 0" || fail "the prefix is in the work queue"
	in_image --queue "$job" --results-queue "$results" >"$scratch/worker" 2>"$scratch/worker.err"
	expect_status 0 $? "the worker in the image"
	cat "$scratch/worker.err" >&2
	read -r string digest rest <"$scratch/worker"
	check_answer 0ce "$string" "$digest"
	queue_wait_counts "$job" 30 "0 0" || fail "the work queue is empty"
	queue_wait_counts "$results" 30 "1 0" || fail "one result"
	queue_get "$results" >"$scratch/result"
	echo "check-image: $suite: result message: $(cat "$scratch/result")"
	# the published answer is the printed one, and sha256sum agrees with it
	expect_grep '"prefix":"0ce"' "$scratch/result" "result names its prefix"
	expect_grep "\"string\":\"$string\"" "$scratch/result" "result string = stdout"
	expect_grep "\"sha256\":\"$digest\"" "$scratch/result" "result digest = stdout"
	rstring=$(sed -n 's/.*"string":"\([^"]*\)".*/\1/p' "$scratch/result")
	rdigest=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$scratch/result")
	check_answer 0ce "$rstring" "$rdigest"
	check_remote_rebuild "$suite"
	# vfs stores every layer whole: free this release's before the next
	B rm --all >/dev/null 2>&1
	B rmi --all --force >/dev/null 2>&1
}

# check_remote_rebuild SUITE: FIND_HASH_FROM=context with an apt source
# (a signed repository made by contrib/repo/make-apt-repo, served on
# loopback, outside the build context, as a real one is).  The image holds
# the version FIND_HASH_VERSION names, whatever the repository's newest
# and whatever the layer cache holds: built for version 1; the repository
# republished with version 2 and the image rebuilt with --layers and the
# new FIND_HASH_VERSION holds 2, not a cached layer with 1 (nothing in the
# build context changes, only the repository and the argument); built
# afresh for version 1, now gone from the repository, it fails naming
# the version, instead of installing 2 under version 1's label.
check_remote_rebuild() {
	suite=$1
	phase "$suite: image from an apt source, rebuilt for a new version"
	r=$scratch/remote-$suite
	mkdir -p "$r/debs1/$suite" "$r/debs2/$suite" "$r/ctx/contrib/k8s/packages" "$r/www"
	# the .deb stage "build" made (its layers are cached: no new build)
	# shellcheck disable=SC2086
	B build --layers --isolation chroot --network host --pull=never $ulimit_args \
		--ignorefile "$top_srcdir/contrib/k8s/Dockerfile.dockerignore" \
		-f "$top_srcdir/contrib/k8s/Dockerfile" $build_args --target packages-source \
		-t "localhost/find-hash-packages:$suite" "$top_srcdir" >"$r/pkgs.log" 2>&1 ||
		{ tail -n 50 "$r/pkgs.log" >&2; die "buildah build --target packages-source ($suite)"; }
	c=$(B from --pull=never "localhost/find-hash-packages:$suite") && m=$(B mount "$c") ||
		die "cannot mount the $suite package stage"
	cp "$m"/pkgs/find-hash_*.deb "$r/debs1/$suite/" || die "no find-hash .deb in the $suite package stage"
	B umount "$c" >/dev/null; B rm "$c" >/dev/null
	deb1=$(ls "$r/debs1/$suite"/find-hash_*.deb)
	v1=$(dpkg-deb -f "$deb1" Version); up1=${v1%-*}
	# the next release: the same files under a higher upstream version
	up2=$up1+next v2=$up2-1
	dpkg-deb -R "$deb1" "$r/unpacked" || die "dpkg-deb -R"
	sed -i "s/^Version: .*/Version: $v2/" "$r/unpacked/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$r/unpacked" "$r/debs2/$suite/find-hash_${v2}_amd64.deb" >/dev/null ||
		die "dpkg-deb -b"
	GNUPGHOME=$r/gnupg; export GNUPGHOME
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --passphrase '' --quick-gen-key 'find-hash image check <check@find-hash.invalid>' ed25519 sign never 2>/dev/null
	FH_REPO_KEYS=$(gpg --batch --with-colons --list-keys check@find-hash.invalid | awk -F: '$1 == "fpr" { print $10; exit }')
	export FH_REPO_KEYS
	"$top_srcdir/contrib/repo/make-apt-repo" "$r/www/apt" "$r/debs1" >/dev/null || die "make-apt-repo (version $v1)"
	http_serve "$r/www" "$r/http.log" || die "the HTTP server did not start: $(cat "$r/http.log")"
	cp "$r/www/apt/find-hash-archive-keyring.pgp" "$r/ctx/contrib/k8s/packages/"
	printf '%s\n' 'Types: deb' "URIs: http://127.0.0.1:$http_port/apt" "Suites: $suite" 'Components: main' \
		'Signed-By: /etc/apt/keyrings/find-hash-archive-keyring.pgp' >"$r/ctx/contrib/k8s/packages/find-hash.sources"
	# remote_build N UPSTREAM [ARG...]: build from the apt source
	remote_build() {
		n=$1 up=$2; shift 2
		# shellcheck disable=SC2086
		B build --layers --isolation chroot --network host --pull=never $ulimit_args "$@" \
			-f "$top_srcdir/contrib/k8s/Dockerfile" --build-arg FIND_HASH_FROM=context \
			--build-arg DEBIAN_SUITE="$suite" --build-arg FIND_HASH_VERSION="$up" \
			-t "localhost/find-hash:remote-$n" "$r/ctx" >"$r/build-$n.log" 2>&1
	}
	# remote_version N: the find-hash version image N holds
	# (from with $ulimit_args, as every container here: see above)
	remote_version() {
		# shellcheck disable=SC2086
		B run --isolation chroot "$(B from --pull=never $ulimit_args "localhost/find-hash:remote-$1")" -- \
			dpkg-query -W -f '${Version}' find-hash
	}
	remote_build 1 "$up1" ||
		{ tail -n 60 "$r/build-1.log" >&2; die "buildah build from the apt source ($suite, $up1)"; }
	got=$(remote_version 1)
	[ "$got" = "$v1" ] || fail "$suite: the image from the apt source has find-hash '$got', expected $v1"
	"$top_srcdir/contrib/repo/make-apt-repo" "$r/www/apt" "$r/debs2" >/dev/null || die "make-apt-repo (version $v2)"
	remote_build 2 "$up2" ||
		{ tail -n 60 "$r/build-2.log" >&2; die "buildah build from the apt source ($suite, $up2)"; }
	got=$(remote_version 2)
	[ "$got" = "$v2" ] ||
		fail "$suite: rebuilt with FIND_HASH_VERSION=$up2 after the repository moved to $v2, the image has find-hash '$got'"
	if remote_build 3 "$up1" --no-cache; then
		fail "$suite: built afresh with FIND_HASH_VERSION=$up1, which the repository no longer has, the image has find-hash '$(remote_version 3)'"
	elif ! grep -F -q "Version '$up1-*' for 'find-hash' was not found" "$r/build-3.log"; then
		tail -n 30 "$r/build-3.log" >&2
		fail "$suite: the build for a version the repository lacks failed for another reason"
	else
		echo "check-image: $suite: apt source: FIND_HASH_VERSION=$up1 gave $v1; republished, FIND_HASH_VERSION=$up2 gave $v2 (not the cached layer); $up1 afresh: $(grep -F -m 1 "Version '$up1-*'" "$r/build-3.log")"
	fi
	kill "$http_pid"; http_pid=
	unset GNUPGHOME FH_REPO_KEYS
}
http_pid=
http_stop() { [ -z "$http_pid" ] || kill "$http_pid" 2>/dev/null; }
cleanup_hooks="http_stop $cleanup_hooks"

broker_start
for suite in ${FH_IMAGE_SUITES:-bookworm trixie}; do
	case $suite in
	bookworm) version_id=12 ;;
	trixie) version_id=13 ;;
	*) die "FH_IMAGE_SUITES: unknown suite $suite (bookworm, trixie)" ;;
	esac
	check_suite "$suite"
done
phase done
finish
