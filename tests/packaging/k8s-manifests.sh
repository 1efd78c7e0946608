#!/bin/sh
# Deployment - manifests validate: every document in contrib/k8s/*.yaml
# matches the Kubernetes API schema (KEDA's for keda.sh objects), field
# names included, and breaking a copy on purpose makes the check fail.
#
# Needs node and npm (Debian: apt-get install nodejs npm) and the npm
# registry: the pinned packages of tests/packaging/k8s/package-lock.json are
# installed with "npm ci" into a cache outside the source tree (the source
# may be read-only, as in make distcheck):
#   $FH_K8S_NPM_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/find-hash/k8s-npm,
# in a subdirectory named after the lock file's checksum.  Without node,
# npm or the registry the test fails (exit 99), it does not skip.  The one
# way to skip it is FH_K8S_MANIFESTS=skip, which debian/rules and the RPM
# spec set because package builds have no network: one of the two skips
# the rule in tests/lib/test-env.sh allows.
set -u
private=

: "${top_srcdir:?run from make check}" "${top_builddir:?run from make check}"
k8s=$top_srcdir/contrib/k8s
here=$top_srcdir/tests/packaging/k8s

hard_error() {
	echo "ERROR: $*"
	exit 99
}

if [ "${FH_K8S_MANIFESTS:-}" = skip ]; then
	echo "SKIP: FH_K8S_MANIFESTS=skip (a package build without network):"
	echo "      contrib/k8s is not validated in this build"
	exit 77
fi

command -v node >/dev/null 2>&1 ||
	hard_error "node not found: install nodejs and npm (apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 ||
	hard_error "npm not found: install npm (apt-get install npm)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' ||
	hard_error "node $(node --version) is too old: 18 or newer is needed"

# Node uses its own CA list; add the system's, so that a registry reached
# through a proxy the administrator trusts works as it does for apt.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
	export NODE_EXTRA_CA_CERTS
fi

# --- the pinned packages, installed once per lock file --------------------
# Named after the contents only, so every tree with the same pins shares it.
sum=$(cat "$here/package-lock.json" "$here/package.json" | sha256sum | cut -c1-16)
cache=${FH_K8S_NPM_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/find-hash/k8s-npm}
deps=$cache/$sum
if [ ! -f "$deps/.installed" ]; then
	mkdir -p "$cache" 2>/dev/null || {
		# No writable cache (HOME unset or read-only): a private one.
		cache=$(mktemp -d "${TMPDIR:-/tmp}/find-hash-k8s-npm.XXXXXX") ||
			hard_error "cannot create a directory for the npm packages"
		private=$cache
		deps=$cache/$sum
		trap 'rm -rf "$private"' EXIT
	}
	staging=$(mktemp -d "$cache/.install.XXXXXX") ||
		hard_error "cannot write to $cache"
	cp "$here/package.json" "$here/package-lock.json" "$staging/" &&
		chmod u+w "$staging/package.json" "$staging/package-lock.json"
	echo "installing the pinned npm packages into $deps"
	if ! (cd "$staging" && npm ci --ignore-scripts --no-audit --no-fund \
		--loglevel=error >npm.log 2>&1); then
		cat "$staging/npm.log"
		rm -rf "$staging"
		hard_error "npm ci failed (is the npm registry reachable?)"
	fi
	touch "$staging/.installed"
	# Another run may have finished first; either copy is the same.
	mv "$staging" "$deps" 2>/dev/null || rm -rf "$staging"
	[ -f "$deps/.installed" ] || hard_error "the npm install in $deps is incomplete"
fi

validate() {
	node "$here/validate.mjs" "$deps" "$@"
}

failures=0

# --- the manifests ----------------------------------------------------------
set -- "$k8s"/*.yaml
[ -f "$1" ] || hard_error "no manifests in $k8s"
echo "== validating $# files in contrib/k8s"
if validate "$@"; then
	echo "PASS: contrib/k8s manifests"
else
	echo "FAIL: contrib/k8s manifests"
	failures=$((failures + 1))
fi

# --- the check must be able to fail ----------------------------------------
# Each broken copy holds one mistake; the validator must reject the copy
# and name the mistake.  MANIFEST SED-EXPRESSION EXPECTED-TEXT
work=$(mktemp -d "${TMPDIR:-/tmp}/find-hash-k8s.XXXXXX") ||
	hard_error "cannot create a temporary directory"
trap 'rm -rf "$work" ${private:+"$private"}' EXIT

broken() {
	manifest=$1 expr=$2 expect=$3
	n=$((n + 1))
	copy=$work/broken-$n.yaml
	sed "$expr" "$k8s/$manifest" >"$copy"
	if cmp -s "$copy" "$k8s/$manifest"; then
		echo "FAIL: self-check $n: '$expr' changed nothing in $manifest"
		failures=$((failures + 1))
		return
	fi
	if validate "$copy" >"$copy.out" 2>&1; then
		echo "FAIL: self-check $n: $manifest with '$expr' was accepted"
		failures=$((failures + 1))
	elif ! grep -F -- "$expect" "$copy.out" >/dev/null; then
		echo "FAIL: self-check $n: $manifest with '$expr' rejected, but not for '$expect':"
		cat "$copy.out"
		failures=$((failures + 1))
	else
		echo "PASS: self-check $n: $manifest with '$expr' rejected: $(grep -F -- "$expect" "$copy.out" | head -n 1)"
	fi
}

n=0
echo "== self-checks on broken copies"
broken job-coarse.yaml 's/^  completions: 8$/  completion: 8/' \
	'unknown field "spec.completion"'
broken job-indexed.yaml 's/^  parallelism: 4$/  parallelism: four/' \
	'spec/parallelism must be integer'
broken job-indexed.yaml 's/^  completionMode: Indexed$/  completionMod: Indexed/' \
	'unknown field "spec.completionMod"'
broken job-work-queue.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' \
	'readOnlyRootFilesystem must be true'
broken scaledjob.yaml 's/^  pollingInterval:/  pollingIntervall:/' \
	'unknown field "spec.pollingIntervall"'
broken scaledjob.yaml 's/^        restartPolicy: Never$/        restartPolcy: Never/' \
	'unknown field "spec.jobTargetRef.template.spec.restartPolcy"'
broken scaledjob.yaml 's/^        queueName: job1$/        queue: job1/' \
	'trigger metadata "spec.triggers[0].metadata.queue"'
broken job-work-queue.yaml '/^        fsGroup: 10001$/d' \
	'unreadable to user 10001; set securityContext.fsGroup'
broken rabbitmq.yaml 's/^  serviceName: rabbitmq-nodes$/  servicename: rabbitmq-nodes/' \
	'unknown field "spec.servicename"'
broken rabbitmq.yaml 's/^      containers:$/      container:/' \
	'must have required property'

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
exit 0
