# Sourced by the launchers in this folder: sets PONTOON_CP to the examples jar and its
# runtime dependencies, as laid out by `mvn -DskipTests install` (or `package`).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/../target"
jar=$(ls "$target"/examples-*.jar 2>/dev/null | grep -v -e sources -e javadoc -e tests | head -1)
if [ -z "$jar" ] || [ ! -d "$target/lib" ]; then
  echo "examples are not built yet: run 'mvn -DskipTests install' at the top of the repository first" >&2
  exit 2
fi
PONTOON_CP="$jar:$target/lib/*"
