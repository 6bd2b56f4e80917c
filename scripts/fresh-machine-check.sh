#!/usr/bin/env bash
# The fresh-machine check: the README's quickstart on a machine that has nothing but Node.js and
# npm, so that nothing this machine has collected (a chromium, a PostgreSQL, a warm cache) can
# hide a missing step. It builds a Debian minbase root filesystem with mmdebstrap (cached between
# runs), and in a private mount namespace (unshare -m) unpacks it into a memory file system,
# copies in this machine's Node.js and npm and its npm, apt and certificate-authority settings as
# they are, and, through chroot as root from /root (mode 0700), runs
# scripts/fresh-machine-steps.sh: a git clone of this checkout's HEAD, the README's first command
# until it serves, Ctrl-C, and the README's test command on the browser test file (every test
# with --full).
#
# Usage: scripts/fresh-machine-check.sh [--full]   (as root, on Linux, with mmdebstrap installed)
#
# Prints how long each step took and, last, one line "fresh-machine check: passed|FAILED ...";
# exits 0 only when every step passed. Everything it starts and makes goes when it ends, also when
# it fails or is interrupted: the processes of its namespace, and with the namespace its mounts
# and the fresh machine's files; then its small temporary folder.
# Environment: FRESH_MACHINE_CACHE, the folder of the cached root filesystem
# [/var/cache/portcullis-ci]; FRESH_MACHINE_TIMEOUT, seconds allowed inside the namespace [1200];
# TMPDIR, where the temporary folder goes [/tmp].
set -euo pipefail

SUITE=bookworm
VARIANT=minbase
# Besides Debian's minimal base, what a fresh machine is fair to have: git to clone, curl, the
# CA certificates. Never chromium nor PostgreSQL: bringing those is the commands' own job.
INCLUDE=ca-certificates,curl,git
# Bump when the way the root filesystem is built changes, so the cache is rebuilt.
ROOTFS_FORMAT=1
CACHE_DIR=${FRESH_MACHINE_CACHE:-/var/cache/portcullis-ci}
TIME_LIMIT=${FRESH_MACHINE_TIMEOUT:-1200}
# The fresh machine's files live in memory (about 2.5 GB once chromium and the workspace are in):
# the check needs this much available, and may use all that is.
MEMORY_MB=3072
# Inside the fresh machine, this run's temporary folder (bind-mounted): the steps script, the
# clone's source, the steps' durations and logs.
CHECK_DIR=/tmp/portcullis-check
# Variables passed into the fresh machine as they are: the certificate authorities (whose files
# are copied in too) and the proxies.
CA_VARIABLES=(NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE GIT_SSL_CAINFO)
PROXY_VARIABLES=(http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
started=${EPOCHREALTIME/./}
tmp=
head=

say() { printf 'fresh-machine: %s\n' "$*"; }
fail() {
  say "$*" >&2
  exit 1
}
# Seconds since $1 (EPOCHREALTIME without its dot), to a tenth.
since() {
  local tenths=$(((${EPOCHREALTIME/./} - $1) / 100000))
  printf '%d.%d s' $((tenths / 10)) $((tenths % 10))
}
# Runs "$@" as the step named $1, then prints how long it took and keeps it in $tmp/timings;
# a step that exits instead is kept as failed by step_failed, from the exit trap.
step() {
  step_name=$1 step_begin=${EPOCHREALTIME/./}
  shift
  "$@"
  printf '%s %s\n' "$step_name" "$(since "$step_begin")" >>"$tmp/timings"
  say "$step_name: $(since "$step_begin")"
  step_name=
}
step_failed() {
  if [ -n "${step_name:-}" ]; then
    printf '%s FAILED after %s\n' "$step_name" "$(since "$step_begin")" >>"$tmp/timings"
  fi
}

# The machine's apt sources: mmdebstrap's mirrors, and the fresh machine's sources.
apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -f "$file" ]; then printf '%s\n' "$file"; fi
  done
}

# Sets $rootfs to the cached root filesystem (a tar), built by mmdebstrap when missing. Its name
# holds a digest of what goes into it, so a changed include list builds a new one (and the old
# one goes).
cached_rootfs() {
  local key sources
  key=$(printf '%s %s %s %s' "$SUITE" "$VARIANT" "$INCLUDE" "$ROOTFS_FORMAT" | sha256sum | cut -c1-16)
  rootfs=$CACHE_DIR/rootfs-$SUITE-$VARIANT-$key.tar
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/lock"
  flock 9
  if [ -f "$rootfs" ]; then
    say "root filesystem: $rootfs, built $(date -r "$rootfs" '+%Y-%m-%d %H:%M')"
  else
    command -v mmdebstrap >/dev/null || fail "mmdebstrap is missing: apt-get install -y mmdebstrap"
    mapfile -t sources < <(apt_sources)
    [ "${#sources[@]}" -gt 0 ] || fail "this machine has no apt sources to build from"
    say "building the $SUITE $VARIANT root filesystem (with $INCLUDE) into $CACHE_DIR"
    # How this machine's apt reaches its archive (proxies, date checks, ...), for mmdebstrap's.
    apt-config dump Acquire >"$tmp/acquire.conf"
    rm -f "$CACHE_DIR/building.tar"
    mmdebstrap --quiet --format=tar --variant="$VARIANT" --include="$INCLUDE" \
      --aptopt="$tmp/acquire.conf" "$SUITE" "$CACHE_DIR/building.tar" "${sources[@]}" >&2 ||
      fail "mmdebstrap failed"
    find "$CACHE_DIR" -maxdepth 1 -name 'rootfs-*.tar' -delete
    mv "$CACHE_DIR/building.tar" "$rootfs"
  fi
  exec 9>&-
}

# Copies the file or folder $1 from this machine to the same path in the fresh machine
# (following symbolic links; ownership and mode kept); a missing one is skipped. What is in the
# way is replaced, never written through: a symbolic link there may point at this machine's file.
copy_file() {
  [ -e "$1" ] || return 0
  mkdir -p "$root$(dirname "$1")"
  if [ -d "$1" ]; then
    mkdir -p "$root$1"
    cp -rL --remove-destination --preserve=mode,ownership,timestamps "$1/." "$root$1/"
  else
    cp -L --remove-destination --preserve=mode,ownership,timestamps "$1" "$root$1"
  fi
}

copy_in() {
  local node npm_root tool file var
  # Node.js and npm where this machine has them: the node binary, npm's folder, npm and npx.
  node=$(command -v node)
  npm_root=$(npm root -g)
  copy_file "$node"
  mkdir -p "$root$npm_root"
  cp -a "$npm_root/npm" "$root$npm_root/"
  for tool in npm npx; do
    file=$(command -v "$tool")
    mkdir -p "$root$(dirname "$file")"
    cp -P --remove-destination "$file" "$root$file"
  done
  # npm's settings: /etc/npmrc, npm's global npmrc, and the user's, which becomes root's.
  copy_file /etc/npmrc
  copy_file "$(npm config get globalconfig)"
  file=$(npm config get userconfig)
  if [ -f "$file" ]; then cp --remove-destination --preserve=mode "$file" "$root/root/.npmrc"; fi
  # apt's: the sources replace the ones mmdebstrap wrote; the rest is added as it is.
  rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
  for file in $(apt_sources) /etc/apt/apt.conf /etc/apt/apt.conf.d/* /etc/apt/auth.conf.d/* \
    /etc/apt/preferences.d/* /etc/apt/trusted.gpg.d/*; do
    copy_file "$file"
  done
  # The certificate authorities: the files the variables name, and the local ones, which
  # update-ca-certificates keeps should an install inside regenerate the bundle.
  for var in "${CA_VARIABLES[@]}"; do
    if [ -n "${!var:-}" ]; then copy_file "${!var}"; fi
  done
  for file in /usr/local/share/ca-certificates/*; do copy_file "$file"; done
  # Names and addresses, as this machine resolves them.
  copy_file /etc/resolv.conf
  copy_file /etc/hosts
  chmod 0700 "$root/root"
  chroot "$root" "$node" --version >/dev/null || fail "the copied node does not run in the fresh machine"
}

# Root's environment on a fresh machine, with the folders of node and npm on PATH, and the
# machine's certificate and proxy variables; one NAME=value a line.
fresh_environment() {
  local path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin tool dir var
  for tool in node npm; do
    dir=$(dirname "$(command -v "$tool")")
    case ":$path:" in *":$dir:"*) ;; *) path=$dir:$path ;; esac
  done
  printf '%s\n' HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 "PATH=$path"
  for var in "${CA_VARIABLES[@]}" "${PROXY_VARIABLES[@]}"; do
    if [ -n "${!var:-}" ]; then printf '%s=%s\n' "$var" "${!var}"; fi
  done
}

# Runs inside `unshare --mount`, whose mounts vanish with it: the fresh machine in a memory file
# system, so its files go too, whatever happens to this script. Mounts what the steps (and
# chromium) need, runs them through chroot, then ends what they left running.
in_namespace() {
  local dir status=0 environment
  trap step_failed EXIT
  readlink /proc/self/ns/mnt >"$tmp/mntns"
  mount -t tmpfs -o "mode=0755,size=${available}m" fresh-machine "$root"
  step "unpack" tar -xf "$rootfs" -C "$root"
  step "copy in Node.js, npm and the settings" copy_in
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
  mount --bind /dev/pts "$root/dev/pts"
  mount -t sysfs -o ro sysfs "$root/sys"
  mkdir -p "$root$CHECK_DIR"
  mount --bind "$tmp" "$root$CHECK_DIR"
  mapfile -t environment < <(fresh_environment)
  chroot "$root" /usr/bin/env -i "${environment[@]}" /bin/bash "$CHECK_DIR/steps.sh" \
    "$CHECK_DIR/portcullis.bundle" ${full:+"$full"} || status=$?
  say "the fresh machine's files: $(du -sm --one-file-system "$root" | cut -f1) MB"
  for dir in /proc/[0-9]*; do
    if [ "$(readlink "$dir/root" 2>/dev/null)" = "$root" ]; then kill -KILL "${dir#/proc/}" 2>/dev/null || true; fi
  done
  return "$status"
}

# Ends every process of the check's mount namespace (recorded in $tmp/mntns when it starts), each
# by its pid, until none is left.
kill_leftovers() {
  local ns dir left
  [ -f "$tmp/mntns" ] || return 0
  ns=$(<"$tmp/mntns")
  for _ in $(seq 1 50); do
    left=0
    for dir in /proc/[0-9]*; do
      if [ "$(readlink "$dir/ns/mnt" 2>/dev/null)" = "$ns" ]; then
        kill -KILL "${dir#/proc/}" 2>/dev/null && left=$((left + 1))
      fi
    done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  say "processes of the fresh machine still run after SIGKILL" >&2
  return 1
}

# On every exit: end the namespace's processes (its mounts and the fresh machine's files go with
# it), remove the temporary folder, print the durations and the verdict.
cleanup() {
  local status=$? begin=${EPOCHREALTIME/./} timings=()
  trap - EXIT INT TERM
  if [ -n "$tmp" ]; then
    step_failed
    kill_leftovers || status=1
    if [ -f "$tmp/timings" ]; then mapfile -t timings <"$tmp/timings"; fi
    # Should a mount show here all the same, the folder stays: never delete through a mount.
    if awk -v dir="$tmp" 'index($5, dir) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
      say "left $tmp in place: something is still mounted under it" >&2
      status=1
    else
      rm -rf --one-file-system "$tmp"
    fi
    timings+=("clean up $(since "$begin")")
    say "clean up: $(since "$begin")"
    echo
    say "steps: $(printf '%s; ' "${timings[@]}" | sed 's/; $//')"
  fi
  if [ "$status" = 0 ]; then
    echo "fresh-machine check: passed in $(since "$started") (commit $head)"
  else
    echo "fresh-machine check: FAILED after $(since "$started") (commit ${head:-?}; exit $status)"
  fi
  exit "$status"
}

full=
case "${1:-}" in
  '') ;;
  --full) full=--full ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown option $1 (usage: scripts/fresh-machine-check.sh [--full])" ;;
esac
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" = 0 ] || fail "run it as root: it builds a root filesystem, mounts and chroots"
available=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$available" -ge "$MEMORY_MB" ] ||
  fail "the fresh machine lives in memory and needs $MEMORY_MB MB; this machine has $available MB available"
for tool in unshare chroot mount tar git flock timeout node npm; do
  command -v "$tool" >/dev/null || fail "$tool is missing on this machine"
done
repo=$(git -C "$here" rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse --short HEAD)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-fresh.XXXXXX")
root=$tmp/root
mkdir "$root"
: >"$tmp/timings"
say "commit $head of $repo; the test command runs $([ -n "$full" ] && echo 'every test' || echo 'the browser test file')"

step "root filesystem" cached_rootfs
cp "$here/fresh-machine-steps.sh" "$tmp/steps.sh"
# The clone's source: this checkout's HEAD (and its branch, when it is on one), as a bundle.
refs=(HEAD)
if branch=$(git -C "$repo" symbolic-ref -q HEAD); then refs+=("$branch"); fi
git -C "$repo" bundle create -q "$tmp/portcullis.bundle" "${refs[@]}"

# In the background, so that an interrupt reaches the trap at once (bash runs traps only between
# foreground commands, and timeout puts its command in a process group of its own); with job
# control on, so that the steps do not inherit an ignored SIGINT as background commands would.
status=0
set -m
timeout --kill-after=10 "$TIME_LIMIT" unshare --mount --propagation private -- bash -c \
  "set -euo pipefail; $(declare -p tmp root rootfs full CHECK_DIR CA_VARIABLES PROXY_VARIABLES MEMORY_MB available); $(declare -f say fail since step step_failed apt_sources copy_file copy_in fresh_environment in_namespace); in_namespace" &
set +m
wait $! || status=$?
[ "$status" = 124 ] && fail "gave up after FRESH_MACHINE_TIMEOUT=$TIME_LIMIT s"
exit "$status"
