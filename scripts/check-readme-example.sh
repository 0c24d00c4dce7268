#!/usr/bin/env bash
# Builds a separate, throw-away Maven project that depends only on Pontoon's published
# coordinates (from the local repository, as `mvn install` left them), copies the README's
# example into it unchanged, and runs it. Called by the build at the `install` phase of the
# last module, so the README example cannot rot. Exits non-zero when the example fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:?usage: check-readme-example.sh VERSION}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

src="$work/src/main/java"
mkdir -p "$src"
# The example sits between these two markers in README.md, inside a ```java block.
awk '/<!-- readme-example:start -->/{on=1; next} /<!-- readme-example:end -->/{on=0} on' "$root/README.md" \
  | sed -e '/^```/d' > "$src/ReadmeExample.java"
if [ ! -s "$src/ReadmeExample.java" ]; then
  echo "check-readme-example: no example found between the readme-example markers in README.md" >&2
  exit 1
fi

# Plugin versions as pinned in the parent POM (Maven's built-in defaults are too old for Java 17).
pinned() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -1; }
compiler_version=$(pinned compiler-plugin.version)
dependency_version=$(pinned dependency-plugin.version)

cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>readme-example</artifactId><version>1</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>
    <dependency><groupId>dev.pontoon</groupId><artifactId>raft-engine</artifactId><version>${version}</version></dependency>
  </dependencies>
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>${compiler_version}</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>${dependency_version}</version></plugin>
  </plugins></build>
</project>
POM

cd "$work"
mvn -B -q -ntp compile dependency:build-classpath -Dmdep.outputFile=cp.txt
echo "check-readme-example: running the README example against dev.pontoon:raft-engine:${version}"
out=$(timeout 120 java -cp "target/classes:$(cat cp.txt)" ReadmeExample)
echo "$out"
# The README says what the example prints; hold it to that.
if ! grep -qx "total after submit: 5, read: 5" <<<"$out"; then
  echo "check-readme-example: the example did not print 'total after submit: 5, read: 5'" >&2
  exit 1
fi
echo "check-readme-example: OK"
