#!/usr/bin/env bash
# Builds the local image that runs a Pontoon KV node, without pulling anything from a registry.
#
# The image is a root filesystem made on this machine: a jlink'ed Java runtime from the local JDK,
# the shared libraries it and the project's native libraries (RocksDB, Netty) link against, and the
# project's classpath; `docker import` turns it into an image. An image whose content hash label
# matches is reused as is, so a second run with unchanged inputs takes a second or two.
#
# Usage: build-image.sh [--tag NAME] [--main CLASS] [--classpath CP] [--quiet]
#   --tag NAME      image name (default pontoon/kv-node:local)
#   --main CLASS    main class the entry point runs (default: the KV node, see DEFAULT_MAIN);
#                   "none" makes the entry point plain `java -cp CP`, so the class is the first argument
#   --classpath CP  the classpath to put in the image, ':'-separated jars and class directories
#                   (what a test JVM passes); default: examples/target/examples-*.jar and
#                   examples/target/lib/*, as left by `mvn package`
#   --quiet         print only the image name pinned to this content (NAME-<hash>) on success
# Entry point: java <jvm options> -cp <classpath> CLASS, with the container's arguments after it.
# The container's working directory is /data (mount a volume there for the node's state).
# Exit status: 0 with the image built or reused, non-zero with one line on stderr saying why.
set -euo pipefail

DEFAULT_MAIN="dev.pontoon.examples.cluster.PontoonKv"
# Generous on purpose: what the KV node, Netty, RocksDB's JNI loader, Jackson and slf4j may touch
# (jdk.random: RandomGenerator.of("L64X128MixRandom"), used for jitter by the Netty transport).
JAVA_MODULES="java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.zipfs,jdk.random,jdk.net,jdk.charsets"
JVM_OPTIONS='"-XX:+UseSerialGC", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp"'

tag="pontoon/kv-node:local"
main="$DEFAULT_MAIN"
classpath=""
quiet=false
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --main) main="$2"; shift 2 ;;
    --classpath) classpath="$2"; shift 2 ;;
    --quiet) quiet=true; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-image: $*" >&2; exit 1; }
info() { $quiet || echo "build-image: $*" >&2; }

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$script_dir/../.." && pwd)"

command -v docker >/dev/null 2>&1 || fail "no docker client (run scripts/docker/start-docker.sh)"
timeout 20 docker info >/dev/null 2>&1 || fail "the Docker engine does not answer (run scripts/docker/start-docker.sh)"

if [ -z "$classpath" ]; then
  target="$repo_dir/examples/target"
  jar=$(ls "$target"/examples-*.jar 2>/dev/null | grep -v -e sources -e javadoc -e tests | head -1 || true)
  [ -n "$jar" ] && [ -d "$target/lib" ] \
    || fail "examples are not packaged: run 'mvn -DskipTests package' first, or pass --classpath"
  classpath="$jar$(printf ':%s' "$target"/lib/*.jar)"
fi

java_bin="$(readlink -f "$(command -v java)")" || fail "no java on PATH"
java_home="$(dirname "$(dirname "$java_bin")")"
[ -x "$java_home/bin/jlink" ] || fail "no jlink next to $java_bin (a full JDK is needed)"
[ -d "$java_home/jmods" ] || fail "no jmods in $java_home (Debian: apt-get install openjdk-17-jdk-headless)"

# Classpath entries in order; a missing entry is dropped (Maven lists output dirs that may not exist).
entries=()
IFS=':' read -r -a raw_entries <<<"$classpath"
for entry in "${raw_entries[@]}"; do
  [ -n "$entry" ] && [ -e "$entry" ] && entries+=("$(readlink -f "$entry")")
done
[ ${#entries[@]} -gt 0 ] || fail "the classpath has no existing entry"

hash_entry() {
  if [ -d "$1" ]; then
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -c1-64)
  else
    sha256sum <"$1" | cut -c1-64
  fi
}

content_hash=$(
  {
    sha256sum <"${BASH_SOURCE[0]}"
    cat "$java_home/release" 2>/dev/null
    echo "$JAVA_MODULES|$JVM_OPTIONS|$main"
    for entry in "${entries[@]}"; do echo "$(basename "$entry") $(hash_entry "$entry")"; done
  } | sha256sum | cut -c1-16
)

# Besides NAME, the image is tagged NAME-<content hash>: a test run uses that exact content even when
# another run on the same machine rebuilds NAME from other sources meanwhile.
pinned="$tag-$content_hash"
if docker image inspect "$pinned" >/dev/null 2>&1; then
  docker tag "$pinned" "$tag"
  info "$tag is up to date ($pinned)"
  $quiet && echo "$pinned"
  exit 0
fi

cache_dir="${TMPDIR:-/tmp}/pontoon-image-cache"
mkdir -p "$cache_dir"
work="$(mktemp -d "$cache_dir/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{opt,app/lib,app/cp,data,etc,tmp}
chmod 1777 "$rootfs/tmp"

# The jlink'ed runtime depends only on the JDK and the module list: keep it across builds.
jre_key=$( { cat "$java_home/release" 2>/dev/null; echo "$java_home $JAVA_MODULES"; } | sha256sum | cut -c1-16)
jre="$cache_dir/jre-$jre_key"
if [ ! -x "$jre/bin/java" ]; then
  info "jlink runtime ($JAVA_MODULES)"
  rm -rf "$jre.tmp"
  "$java_home/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-header-files --no-man-pages \
    --output "$jre.tmp" >"$work/jlink.log" 2>&1 || fail "jlink failed: $(tail -1 "$work/jlink.log")"
  mv "$jre.tmp" "$jre"
fi
cp -a "$jre" "$rootfs/opt/java"

# Copy the classpath, keeping its order: jars to /app/lib, class directories to /app/cp.
image_cp=""
index=0
for entry in "${entries[@]}"; do
  index=$((index + 1))
  name=$(printf '%03d-%s' "$index" "$(basename "$entry")")
  if [ -d "$entry" ]; then
    cp -a "$entry" "$rootfs/app/cp/$name"
    image_cp="$image_cp:/app/cp/$name"
  else
    cp "$entry" "$rootfs/app/lib/$name"
    image_cp="$image_cp:/app/lib/$name"
  fi
done
image_cp="${image_cp#:}"

# Shared libraries: what the runtime links against, plus what the glibc x86-64 native libraries
# inside the classpath's jars (RocksDB, Netty epoll) link against. Both get extracted to /tmp at run time.
natives="$work/natives"
mkdir -p "$natives"
if command -v unzip >/dev/null 2>&1; then
  for entry in "${entries[@]}"; do
    [ -f "$entry" ] || continue
    unzip -Z1 "$entry" 2>/dev/null | grep -E '\.so$' | grep -E 'linux64|x86_64|x86-64|amd64' | grep -v musl \
      | while read -r so; do unzip -o -q -j "$entry" "$so" -d "$natives/$(basename "$entry")" 2>/dev/null || true; done \
      || true
  done
fi
libs="$work/libs.txt"
find "$rootfs/opt/java" "$natives" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 -r ldd 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' >"$libs" || true
# glibc's and the C++ runtime's core libraries, whichever ldd reported.
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libz.so.1 libstdc++.so.6 libgcc_s.so.1; do
  # awk reads all of ldconfig's output: quitting early would fail the pipe (pipefail).
  path=$(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l && /x86-64/ && !found { print $NF; found = 1 }' || true)
  [ -n "$path" ] && echo "$path" >>"$libs"
done
LC_ALL=C sort -u "$libs" | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] || fail "the dynamic loader was not found by ldd"
grep -q 'libstdc++' "$libs" || fail "libstdc++ (needed by RocksDB) was not found"

printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

if [ "$main" = none ]; then
  entrypoint="[\"/opt/java/bin/java\", $JVM_OPTIONS, \"-cp\", \"$image_cp\"]"
else
  entrypoint="[\"/opt/java/bin/java\", $JVM_OPTIONS, \"-cp\", \"$image_cp\", \"$main\"]"
fi

info "importing $tag (content $content_hash, $(du -sh "$rootfs" | cut -f1))"
tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . \
  | docker import \
      --change "ENTRYPOINT $entrypoint" \
      --change 'ENV JAVA_HOME=/opt/java PATH=/opt/java/bin' \
      --change 'WORKDIR /data' \
      --change "LABEL pontoon.content-hash=$content_hash" \
      --message "pontoon kv node, content $content_hash" \
      - "$pinned" >"$work/import.log" 2>&1 \
  || fail "docker import failed: $(tail -1 "$work/import.log")"
docker tag "$pinned" "$tag"
# Older builds of this image would fill the disk: remove those no container uses (Docker refuses
# to remove an image a container was created from, so a run in progress keeps its own).
repository="${tag%:*}"
docker images --filter "label=pontoon.content-hash" --format '{{.Repository}}:{{.Tag}}' "$repository" \
  | while read -r ref; do
      [ "$ref" = "$pinned" ] || [ "$ref" = "$tag" ] || docker image rm "$ref" >/dev/null 2>&1 || true
    done
docker images --quiet --filter dangling=true --filter "label=pontoon.content-hash" \
  | while read -r id; do docker image rm "$id" >/dev/null 2>&1 || true; done
info "built $tag ($pinned)"
$quiet && echo "$pinned"
exit 0
