#!/usr/bin/env bash
# Makes a base image for the Containerfile from Debian's packages, for machines that cannot pull
# the official node:24-bookworm-slim (no registry of images, as on CI here): a Debian bookworm
# minbase root filesystem from mmdebstrap (cached as a tarball, ~100 s the first time), imported
# with podman, plus the Node.js 24 binary of the workspace's `node` package at /usr/local/bin and
# this machine's npm at /usr/local/lib/node_modules/npm, laid out as the official image has them.
#
# Usage: scripts/local-node-base.sh   (as root, after `pnpm install`; needs mmdebstrap, podman)
# Prints the image's name on its last line; builds nothing when that image already exists.
# Environment: IMAGE_BASE_CACHE, the folder of the cached tarball [/var/cache/portcullis-ci].
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${IMAGE_BASE_CACHE:-/var/cache/portcullis-ci}
node_bin=$(readlink -f node_modules/.bin/node 2>/dev/null || true)
[ -x "$node_bin" ] || { echo "local-node-base: run pnpm install first (no node_modules/.bin/node)" >&2; exit 1; }
node_version=$("$node_bin" --version)
# This machine's npm, found from its command (not `npm root --global`, which under `pnpm run`
# answers for the workspace's Node.js).
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
npm_version=$(node -p "require('$npm_dir/package.json').version")
image="localhost/portcullis-base:bookworm-node${node_version#v}-npm${npm_version}"

for tool in mmdebstrap podman; do
  command -v "$tool" >/dev/null || { echo "local-node-base: $tool is missing: apt-get install -y $tool" >&2; exit 1; }
done
if podman image exists "$image"; then
  echo "$image"
  exit 0
fi

mkdir -p "$cache"
rootfs="$cache/image-base-bookworm-minbase.tar"
# mmdebstrap chooses its output's format by the name's extension: the partial file must end in
# .tar too, or it becomes a directory (an earlier version of this script left one behind).
partial="$cache/image-base-bookworm-minbase.partial.tar"
[ -d "$rootfs" ] && rm -rf "$rootfs"
if [ ! -s "$rootfs" ]; then
  echo "local-node-base: building a Debian bookworm minbase root filesystem (about 100 s, once)" >&2
  rm -rf "$partial"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$partial"
  mv "$partial" "$rootfs"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debian="localhost/portcullis-debian:bookworm-minbase"
podman image exists "$debian" || podman import --quiet "$rootfs" "$debian" >/dev/null

mkdir -p "$work/bin" "$work/lib"
cp "$node_bin" "$work/bin/node"
cp -r "$npm_dir" "$work/lib/npm"
cat >"$work/Containerfile" <<EOF
FROM $debian
COPY bin/node /usr/local/bin/node
COPY lib/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
CMD ["node"]
EOF
podman build --quiet --isolation chroot -t "$image" "$work" >/dev/null
echo "$image"
