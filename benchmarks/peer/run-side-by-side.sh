#!/usr/bin/env bash
# Runs Pontoon and its peers back to back on the peer benchmark's job (3 voting members in one
# JVM, loopback TCP, durable log with an fsync per write batch, 128-byte writes, C writes
# outstanding, 5 s warm-up + 15 s measured) and prints one JSON line per run plus a table.
#
#   benchmarks/peer/run-side-by-side.sh PEER_BENCH_DIR [SYSTEMS] [CLIENTS]
#
#   PEER_BENCH_DIR  the peer benchmark (its run.sh, harness/, jraft/, ...); it is copied, never changed
#   SYSTEMS         default "pontoon-embedded jraft-embedded": any system of the peer bench (e.g.
#                   ratis-embedded, jraft, ratis, microraft) or of pontoon/: pontoon-embedded
#                   (Netty, RocksDB, fsync per batch) or pontoon-memory (in-memory transport and
#                   log, no disk, no network: the counterpart of microraft)
#   CLIENTS         default "1 16 128"
#
# The copy gets this folder's pontoon/ module (and <module>pontoon</module> in its parent pom);
# the modules of the chosen systems are built once (a system's module is its name up to the
# first '-'), then every (C, system) runs in a fresh JVM through the peer bench's own run.sh.
# Runs are interleaved per C (all systems at C=1, then at C=16, ...) so that a drift of the
# machine hits every system alike; with PASSES > 1 every other pass runs the systems in reverse
# order. Each JSON line gets "pass", "loadavg_1m" (the 1-minute load average just before the
# run), "date" (UTC, when the run started), "machine" (cores, CPU model, memory, kernel),
# "jvm_opts" (JVM_OPTS, or the peer bench's default when unset), which benchmarks/peer/chart.py
# puts in the chart's caption, and "steal_pct" (the share of the machine's CPU time the hypervisor
# took for other guests during the run, from /proc/stat; on a quiet host near 0). Pontoon comes from the local Maven
# repository: run `mvn -q install -DskipTests` in Pontoon's root first.
#
# The ops/s ratios at the end pair systems of the same kind only: the in-memory ones
# (pontoon-memory, microraft) with each other, the durable ones with each other.
#
# Profiling: JVM_OPTS="-Xms4g -Xmx4g -Xlog:jfr+startup=off -XX:StartFlightRecording=delay=8s,duration=12s,
# settings=profile,filename=FILE" (without -Xlog:jfr+startup=off the JVM prints JFR's start message on
# stdout, where run.sh expects the result line).
#
# Environment: PASSES (1), OUT (file to append the JSON lines to; default: none), KEEP_COPY=1 to
# keep the built copy (its path is printed), and the peer bench's own WARMUP_S, MEASURE_S, JAVA,
# JVM_OPTS, KEEP_LOGS. Exit status: non-zero if the build or any run failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
peer_src=${1:?usage: run-side-by-side.sh PEER_BENCH_DIR [SYSTEMS] [CLIENTS]}
systems=${2:-"pontoon-embedded jraft-embedded"}
clients=${3:-"1 16 128"}
passes=${PASSES:-1}
[[ -x "$peer_src/run.sh" ]] || { echo "no run.sh in $peer_src" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pontoon-peer.XXXXXX")
cleanup() { if [[ "${KEEP_COPY:-0}" == 1 ]]; then echo "kept copy: $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bench="$work/peer-bench"
mkdir -p "$bench"
# Copy the peer bench without earlier build output, then add the Pontoon module.
(cd "$peer_src" && tar --exclude='./*/target' --exclude='./results' -cf - .) | (cd "$bench" && tar -xf -)
(cd "$here" && tar --exclude='./pontoon/target' -cf - ./pontoon) | (cd "$bench" && tar -xf -)
if ! grep -q '<module>pontoon</module>' "$bench/pom.xml"; then
  sed -i 's#<module>harness</module>#<module>harness</module>\n    <module>pontoon</module>#' "$bench/pom.xml"
fi
grep -q '<module>pontoon</module>' "$bench/pom.xml" || { echo "could not add the pontoon module to $bench/pom.xml" >&2; exit 1; }

# Build the harness and the chosen systems' modules only (the peers' dependencies are fetched
# only when a peer runs).
modules=harness
for sys in $systems; do
  case ",$modules," in *",${sys%%-*},"*) ;; *) modules="$modules,${sys%%-*}" ;; esac
done
for m in ${modules//,/ }; do
  [[ -d "$bench/$m" ]] || { echo "unknown system module '$m' (no folder $m in the peer bench or in pontoon/)" >&2; exit 2; }
done
echo "building the peer bench's modules $modules (Pontoon from the local Maven repository; this checkout: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown))" >&2
(cd "$bench" && mvn -q -B package -DskipTests -pl "$modules" -am) >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; echo "build failed" >&2; exit 1; }

cores=$(nproc 2>/dev/null || echo '?')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
mem_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
virt=$(systemd-detect-virt 2>/dev/null || true)
machine="$cores cores, ${cpu:-unknown CPU}${virt:+ ($virt)}, ${mem_gib:-?} GiB, $(uname -sr)"
# The JVM options every run gets: JVM_OPTS, or the default that the peer bench's run.sh sets.
jvm_opts=${JVM_OPTS:-$(sed -n 's/^JVM_OPTS=\${JVM_OPTS:-"\(.*\)"}$/\1/p' "$bench/run.sh" | head -1)}

# The CPU line of /proc/stat as "steal total" (jiffies; empty off Linux): a run's steal share is
# the time the hypervisor gave this VM's vCPUs to others, which a noisy host shows here first.
cpu_times() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t; exit }' /proc/stat 2>/dev/null || true; }

lines="$work/results.jsonl"
: >"$lines"
status=0
for pass in $(seq 1 "$passes"); do
  order=$systems
  if (( pass % 2 == 0 )); then order=$(echo "$systems" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for c in $clients; do
    for sys in $order; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      echo "pass $pass: $sys C=$c (load $load)" >&2
      before=$(cpu_times)
      out=$(SKIP_BUILD=1 "$bench/run.sh" "$sys" "$c") || status=1
      after=$(cpu_times)
      if line=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["pass"]=int(sys.argv[2]); d["loadavg_1m"]=float(sys.argv[3]); d["date"]=sys.argv[4]; d["machine"]=sys.argv[5]; d["jvm_opts"]=sys.argv[6]
b, a = sys.argv[7].split(), sys.argv[8].split()
if len(b) == 2 and len(a) == 2 and int(a[1]) > int(b[1]):
    d["steal_pct"] = round(100 * (int(a[0]) - int(b[0])) / (int(a[1]) - int(b[1])), 1)
print(json.dumps(d,separators=(",",":")))' \
          "$(echo "$out" | head -1)" "$pass" "$load" "$started" "$machine" "$jvm_opts" "$before" "$after" 2>/dev/null); then
        echo "$line" | tee -a "$lines"
        if [[ -n "${OUT:-}" ]]; then echo "$line" >>"$OUT"; fi
      else
        echo "no result line from $sys C=$c (stdout began: $(echo "$out" | head -c 200))" >&2
        status=1
      fi
    done
  done
done

# A table per pass, and each Pontoon system's ops/s over each peer's of the same kind at the same C and pass.
python3 - "$lines" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def t(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us} µs"
print()
print("| pass | system | C | ops/s | p50 | p99 | p99.9 | CPU µs/op | syncs/op | load (1 min) | steal |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    steal = f"{r['steal_pct']} %" if 'steal_pct' in r else '–'
    print(f"| {r['pass']} | {r['system']} | {r['clients']} | {r['ops_per_s']:,} | {t(r['p50_us'])} | {t(r['p99_us'])} "
          f"| {t(r['p999_us'])} | {r['cpu_us_per_op']} | {r.get('syncs_per_op', '–')} | {r['loadavg_1m']} | {steal} |")
in_memory = {'pontoon-memory', 'microraft'}
ours = [r for r in rows if r['system'].startswith('pontoon')]
for o in ours:
    for p in rows:
        if (not p['system'].startswith('pontoon') and p['pass'] == o['pass'] and p['clients'] == o['clients']
                and (p['system'] in in_memory) == (o['system'] in in_memory)):
            ratio = o['ops_per_s'] / p['ops_per_s'] if p['ops_per_s'] else float('inf')
            print(f"pass {o['pass']} C={o['clients']}: {o['system']} / {p['system']} ops/s = {ratio:.2f}")
EOF
if [[ -n "${OUT:-}" ]]; then echo "chart: python3 $here/chart.py $OUT" >&2; fi
exit $status
