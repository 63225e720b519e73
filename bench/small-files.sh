#!/usr/bin/env bash
# Many small checkpoints: one `git add` of N small safetensors files (adapters, shards, experiment folders), then
# restoring all of them with `git checkout` and cloning the commit from a bare repository over file://, through plain
# git-lfs and through git-theta, in fresh repositories, side by side in one run. Reports medians and the median of the runs' paired ratios; never used as a unit test.
#
#   bash bench/small-files.sh                 # 200 files of 64x64 + 64 F32 (16.6 KB each), median of 3 runs
#   bash bench/small-files.sh --quick         # 50 files, 1 run
#   bash bench/small-files.sh --count N --repeat R --rows 64 --cols 64 --keep
#   bash bench/small-files.sh --no-build      # use the existing src/GitTheta.Tool build output, do not build
#   bash bench/run.sh --small-files [--quick] [--repeat N] [--update-readme]   # the same, from the one entry point
#
# Targets (performance issue): add <= 1.0x and checkout <= 1.0x git-lfs; the table's "met" column says which are. The
# clone has no target; it is measured because it is how most users first meet a repository of adapters.
# git-theta is $GIT_THETA if set, else git-theta on PATH, else src/GitTheta.Tool built with -c Release as users install
# it here (bench/theta-tool.sh: the native executable on linux-x64).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
COUNT=200 REPEAT=3 ROWS=64 COLS=64 KEEP=0 NO_BUILD=0
ORIG_ARGS=("$@")
COMMAND=""   # what the results name as the command that produced them (run.sh --small-files passes its own)
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --rows) ROWS=${2:?}; shift 2 ;;
    --cols) COLS=${2:?}; shift 2 ;;
    --quick) COUNT=50; REPEAT=1; shift ;;
    --keep) KEEP=1; shift ;;
    --no-build) NO_BUILD=1; shift ;;
    --command) COMMAND=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "small-files.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$COUNT" "$REPEAT" "$ROWS" "$COLS"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "small-files.sh: --count, --repeat, --rows and --cols take positive integers, not '$n'" >&2; exit 2; }
done
[ -n "$COMMAND" ] || COMMAND="bash bench/small-files.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
command -v git-lfs >/dev/null || { echo "small-files.sh: git-lfs is not installed (apt-get install -y git-lfs)" >&2; exit 1; }

if [ -n "${GIT_THETA:-}" ]; then theta_dir="$(dirname "$GIT_THETA")"
elif command -v git-theta >/dev/null; then theta_dir="$(dirname "$(command -v git-theta)")"
else
  . "$here/theta-tool.sh"
  [ "$NO_BUILD" = 1 ] || theta_tool_build "$root" >/dev/null
  theta_dir="$(theta_tool_dir "$root")"
  [ -x "$theta_dir/git-theta" ] || { echo "small-files.sh: no git-theta at $theta_dir (build it, or set GIT_THETA)" >&2; exit 1; }
fi
theta_version=$("$theta_dir/git-theta" --version 2>/dev/null | head -n1 || true)

work="$(mktemp -d /tmp/gittheta-small-files.XXXXXX)"
[ "$KEEP" = 1 ] || trap 'rm -rf "$work"' EXIT
python3 - "$work/input" "$COUNT" "$ROWS" "$COLS" <<'PY'
import json, os, random, struct, sys
out, count, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out)
rng = random.Random(1)
for i in range(count):
    header, blobs, offset = {}, [], 0
    for name, shape in (("weight", [rows, cols]), ("bias", [rows])):
        n = 1
        for s in shape:
            n *= s
        data = struct.pack("<%df" % n, *(rng.gauss(0, 0.02) for _ in range(n)))
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(out, "adapter_%04d.safetensors" % i), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
PY
bytes=$(du -sb "$work/input" | cut -f1)

now() { date +%s.%N; }
one_run() { # tool run -> "add checkout"
  local tool=$1 repo="$work/$1-$2"
  mkdir -p "$repo"
  (
    cd "$repo"
    export GIT_CONFIG_GLOBAL="$repo.gitconfig" PATH="$theta_dir:$PATH"
    git config --global user.email bench@example.com; git config --global user.name bench
    git init -q .
    if [ "$tool" = git-lfs ]; then git lfs install --local >/dev/null; git lfs track "*.safetensors" >/dev/null
    else git theta install >/dev/null 2>&1; git theta track "*.safetensors" >/dev/null; fi
    git add .gitattributes; git commit -qm attributes
    cp -r "$work/input" models; sync
    t0=$(now); git add models; t1=$(now)
    git commit -qm models
    rm -rf models; sync
    t2=$(now); git checkout -- models; t3=$(now)
    diff -r -q models "$work/input" >/dev/null || { echo "small-files.sh: $tool: checkout is not byte-identical" >&2; exit 1; }
    # Clone: the commit pushed (untimed) to a bare repository, cloned over file:// with the tool installed as a user would.
    git init -q --bare "$repo.remote.git"
    git push -q "file://$repo.remote.git" HEAD:refs/heads/main >/dev/null 2>&1 || { echo "small-files.sh: $tool: push failed" >&2; exit 1; }
    if [ "$tool" = git-lfs ]; then git lfs install >/dev/null; else git theta install --scope global >/dev/null 2>&1; fi
    sync
    t4=$(now); git clone -q -b main "file://$repo.remote.git" "$repo.clone"; t5=$(now)
    diff -r -q "$repo.clone/models" "$work/input" >/dev/null || { echo "small-files.sh: $tool: clone is not byte-identical" >&2; exit 1; }
    echo "$(echo "$t1 - $t0" | bc) $(echo "$t3 - $t2" | bc) $(echo "$t5 - $t4" | bc)"
  )
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

declare -A adds checkouts clones
for r in $(seq 1 "$REPEAT"); do
  # Alternate which tool goes first, so neither always meets a warmer page cache.
  if [ $((r % 2)) = 1 ]; then order="git-lfs git-theta"; else order="git-theta git-lfs"; fi
  for tool in $order; do
    result=$(one_run "$tool" "$r") || { echo "small-files.sh: $tool: run $r failed (see above)" >&2; exit 1; }
    read -r a c k <<<"$result"
    [[ -n $a && -n $c && -n $k ]] || { echo "small-files.sh: $tool: run $r gave no timings" >&2; exit 1; }
    adds[$tool]+="$a"$'\n'; checkouts[$tool]+="$c"$'\n'; clones[$tool]+="$k"$'\n'
  done
done

lfs_add=$(printf '%s' "${adds[git-lfs]}" | median); theta_add=$(printf '%s' "${adds[git-theta]}" | median)
lfs_co=$(printf '%s' "${checkouts[git-lfs]}" | median); theta_co=$(printf '%s' "${checkouts[git-theta]}" | median)
lfs_clone=$(printf '%s' "${clones[git-lfs]}" | median); theta_clone=$(printf '%s' "${clones[git-theta]}" | median)
# The ratio is the median of the per-run ratios: each run times both tools back to back, in one state of the disk, and
# this VM's disk drifts between runs (git-lfs's own add: 0.15 s in one run, 0.51 s two runs earlier), so ratios of
# medians taken from different runs can say the opposite of every pair. Both are printed.
paired() { paste -d' ' <(printf '%s' "$1" | awk 'NF') <(printf '%s' "$2" | awk 'NF') | awk '{print $1 / $2}' | median; }
add_ratio=$(paired "${adds[git-theta]}" "${adds[git-lfs]}"); co_ratio=$(paired "${checkouts[git-theta]}" "${checkouts[git-lfs]}")
clone_ratio=$(paired "${clones[git-theta]}" "${clones[git-lfs]}")
ratio() { awk -v r="$1" 'BEGIN {printf "%.2f×", r}'; }
ratio_of_medians() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a / b}'; }
met() { awk -v r="$1" -v l="$2" 'BEGIN {print (r <= l) ? "PASS" : "**FAIL**"}'; }
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)
echo "Produced by \`$COMMAND\` on $(date -u +'%Y-%m-%d %H:%M UTC'), repository commit $commit."
echo
echo "Input: $COUNT safetensors files of \`weight\` [$ROWS, $COLS] + \`bias\` [$ROWS] F32 ($bytes bytes in all), one \`git add\` of the folder, then \`rm -rf\` and one \`git checkout -- <folder>\`, then a \`git clone\` of the commit from a bare repository over file:// (each checked with \`diff -r\`); $REPEAT run(s), each timing both tools back to back (alternating which goes first); seconds are medians per tool, the ratio is the median of the runs' ratios."
echo
echo "Machine: $(nproc) cores, ${cpu_model:-unknown CPU}, load average at start $LOAD_BEFORE; $(git --version), $(git lfs version | cut -d' ' -f1), git-theta: ${theta_version:-unknown} (from $theta_dir)."
echo
echo "| step | git-lfs | git-theta | ratio (theta/lfs, median of the runs' ratios) | ratio of the medians | target | met |"
echo "|---|---|---|---|---|---|---|"
printf '| `git add` of %s files | %.2f s | %.2f s | %s | %s | ≤ 1.0× git-lfs | %s |\n' "$COUNT" "$lfs_add" "$theta_add" "$(ratio "$add_ratio")" "$(ratio_of_medians "$theta_add" "$lfs_add")" "$(met "$add_ratio" 1.0)"
printf '| `git checkout` of %s files | %.2f s | %.2f s | %s | %s | ≤ 1.0× git-lfs | %s |\n' "$COUNT" "$lfs_co" "$theta_co" "$(ratio "$co_ratio")" "$(ratio_of_medians "$theta_co" "$lfs_co")" "$(met "$co_ratio" 1.0)"
printf '| `git clone` of them (file:// remote) | %.2f s | %.2f s | %s | %s | (measured) | |\n' "$lfs_clone" "$theta_clone" "$(ratio "$clone_ratio")" "$(ratio_of_medians "$theta_clone" "$lfs_clone")"
echo
raw() { printf '%s' "$1" | awk 'NF { printf "%s%.3f", (n++ ? " " : ""), $1 }'; }
echo "Raw ($REPEAT run(s) each): add git-lfs $(raw "${adds[git-lfs]}") s, git-theta $(raw "${adds[git-theta]}") s;" \
     "checkout git-lfs $(raw "${checkouts[git-lfs]}") s, git-theta $(raw "${checkouts[git-theta]}") s;" \
     "clone git-lfs $(raw "${clones[git-lfs]}") s, git-theta $(raw "${clones[git-theta]}") s."
