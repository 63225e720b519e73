#!/usr/bin/env bash
# bench/updates.sh: what git-theta's update types store, next to dense and to plain git-lfs, and how checkout
# time grows with the depth of an update chain. One generated checkpoint, fresh repositories, one run.
#
#   bash bench/updates.sh                    # 1 GiB F32 checkpoint (bench/GitTheta.Bench.Generator)
#   bash bench/updates.sh --quick            # --size-mib 64 --depths "1 2 5 10": a smoke test
#   bash bench/updates.sh --update-readme    # also replace the block between the updates markers in bench/README.md
#
# Options:
#   --size-mib N        checkpoint size (default 1024)             --seed N    generator seed (default 1)
#   --fraction X        share of every group's elements the sparse change moves (default 0.01)
#   --rank K            rank of the LoRA factors on every attention matrix (default 16)
#   --depths "A B …"    chain depths whose checkout is timed (default "1 2 5 10 20 30 40 50"); the chain is
#                       built up to the largest, one sparse update per commit
#   --chain-fraction X  share of the attention matrices' elements each chain step moves (default 0.0001)
#   --no-build          use the existing Release builds
#   --keep              keep the temporary directory
#   --update-readme     write the results block into bench/README.md (between <!-- updates:start/end -->)
#
# Everything happens under /tmp with an isolated global git config (GIT_CONFIG_GLOBAL). Results:
# bench/results/updates.md (git-ignored), logs in bench/results/updates-logs/<time>/.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
RESULTS=$BENCH/results
ORIG_ARGS=("$@")

SIZE_MIB=1024
SEED=1
FRACTION=0.01
RANK=16
DEPTHS="1 2 5 10 20 30 40 50"
CHAIN_FRACTION=0.0001
NO_BUILD=0
KEEP=0
UPDATE_README=0
QUICK=0

die() { echo "updates.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mib) SIZE_MIB=${2:?}; shift 2 ;;
    --quick) SIZE_MIB=64; DEPTHS="1 2 5 10"; QUICK=1; shift ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --fraction) FRACTION=${2:?}; shift 2 ;;
    --rank) RANK=${2:?}; shift 2 ;;
    --depths) DEPTHS=${2:?}; shift 2 ;;
    --chain-fraction) CHAIN_FRACTION=${2:?}; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    --keep) KEEP=1; shift ;;
    --update-readme) UPDATE_README=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

MAX_DEPTH=0
for d in $DEPTHS; do (( d > MAX_DEPTH )) && MAX_DEPTH=$d; done
(( MAX_DEPTH >= 1 )) || die "--depths needs at least one depth of 1 or more"

command -v git-lfs >/dev/null || die "git-lfs is not installed"

. "$ROOT/bench/theta-tool.sh"
if [[ $NO_BUILD -eq 0 ]]; then
  echo "building (Release)…" >&2
  theta_tool_build "$ROOT" >/dev/null
  dotnet build -c Release -v q -nologo "$BENCH/GitTheta.Bench.Generator" >/dev/null
  dotnet build -c Release -v q -nologo "$BENCH/GitTheta.Bench.Updates" >/dev/null
fi

THETA_DIR=$(theta_tool_dir "$ROOT")
GEN=$BENCH/GitTheta.Bench.Generator/bin/Release/net10.0/gittheta-bench-gen
UPD=$BENCH/GitTheta.Bench.Updates/bin/Release/net10.0/gittheta-bench-updates
[[ -x $THETA_DIR/git-theta && -x $GEN && -x $UPD ]] || die "missing builds; run without --no-build"

WORK=$(mktemp -d /tmp/gittheta-updates.XXXXXX)
cleanup() { [[ $KEEP -eq 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
# Not under results/logs: bench/run.sh empties that folder when it starts.
LOGS=$RESULTS/updates-logs/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGS"

export PATH=$THETA_DIR:$PATH
export GIT_CONFIG_GLOBAL=$WORK/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench
git config --global user.email bench@gittheta.invalid
git config --global init.defaultBranch main
git config --global advice.detachedHead false

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# Bytes of the regular files under a directory: what is stored, without the directory entries du would add (every
# new object of the LFS store may create two 4 KiB folders, which would swamp a small update).
size_of() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
mib() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.1f MiB", b / 1048576; else printf "%.1f KiB", b / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
json_number() { grep -o "\"$2\": *[0-9.e+-]*" "$1" | head -1 | sed 's/.*: *//'; }

echo "generating a ${SIZE_MIB} MiB checkpoint and its changes…" >&2
"$GEN" generate --out "$WORK/v1.safetensors" --size-mib "$SIZE_MIB" --dtype F32 --seed "$SEED" > "$LOGS/v1.json"
"$UPD" sparse --in "$WORK/v1.safetensors" --out "$WORK/v2-sparse.safetensors" --fraction "$FRACTION" --delta 1e-3 --seed "$SEED" > "$LOGS/sparse.json"
"$UPD" lora --in "$WORK/v1.safetensors" --data "$WORK/lora.safetensors" --merged "$WORK/v2-lora.safetensors" --rank "$RANK" --seed "$SEED" > "$LOGS/lora.json"
FILE_BYTES=$(stat -c %s "$WORK/v1.safetensors")
GROUPS_TOTAL=$(json_number "$LOGS/v1.json" group_count)
SPARSE_ELEMENTS=$(json_number "$LOGS/sparse.json" elements_changed)
LORA_GROUPS=$(json_number "$LOGS/lora.json" groups_changed)
LORA_GROUP_BYTES=$(json_number "$LOGS/lora.json" changed_groups_bytes)
FACTOR_BYTES=$(json_number "$LOGS/lora.json" factor_bytes)

# One scenario: a fresh repository, v1 committed, then the change staged the given way and committed. Prints
# "<bytes the second commit added to .git> <seconds of its add> <checkout seconds> <checkout check>".
scenario() {
  local name=$1 tool=$2 change=$3 expected=$4; shift 4
  local repo=$WORK/$name
  git init -q "$repo"
  (
    cd "$repo"
    if [[ $tool == lfs ]]; then
      git lfs install --local >/dev/null
      git lfs track "*.safetensors" >/dev/null
    else
      git theta install >/dev/null
      git theta track model.safetensors >/dev/null
    fi
    cp "$WORK/v1.safetensors" model.safetensors
    git add .gitattributes model.safetensors && git commit -qm v1
    cp "$change" model.safetensors
    sync
    local before t0 t1 after c0 c1 check
    before=$(size_of .git)
    t0=$(now)
    if [[ $tool == lfs || $# -eq 0 ]]; then git add model.safetensors; else git theta add model.safetensors "$@"; fi 2> "$LOGS/$name.add.err"
    t1=$(now)
    git commit -qm v2
    after=$(size_of .git)
    rm model.safetensors
    sync
    c0=$(now)
    git checkout -q HEAD -- model.safetensors
    c1=$(now)
    if [[ $expected == - ]]; then check=n/a
    elif cmp -s model.safetensors "$expected"; then check=identical
    else check=DIFFERENT; fi
    git show HEAD:model.safetensors > "$LOGS/$name.metadata.json" 2>/dev/null || true
    echo "$((after - before)) $(seconds "$t0" "$t1") $(seconds "$c0" "$c1") $check"
  )
}

declare -A STORED ADD CHECKOUT CHECK
run() {
  local key=$1; shift
  echo "scenario $key…" >&2
  read -r STORED[$key] ADD[$key] CHECKOUT[$key] CHECK[$key] < <(scenario "$key" "$@")
}

run lfs-sparse lfs "$WORK/v2-sparse.safetensors" "$WORK/v2-sparse.safetensors"
run dense-sparse theta "$WORK/v2-sparse.safetensors" "$WORK/v2-sparse.safetensors" --update-type dense
run sparse theta "$WORK/v2-sparse.safetensors" "$WORK/v2-sparse.safetensors" --update-type sparse
run lfs-lora lfs "$WORK/v2-lora.safetensors" "$WORK/v2-lora.safetensors"
run dense-lora theta "$WORK/v2-lora.safetensors" "$WORK/v2-lora.safetensors" --update-type dense
run lowrank-inferred theta "$WORK/v2-lora.safetensors" - --update-type low-rank
run lowrank-sideloaded theta "$WORK/v1.safetensors" "$WORK/v2-lora.safetensors" --update-type low-rank --update-data "$WORK/lora.safetensors"
INFERRED_LOWRANK=$(grep -c '"type": "low-rank"' "$LOGS/lowrank-inferred.metadata.json" || true)

# The chain: one sparse update per commit on the attention matrices, up to the largest depth, then a timed
# checkout of each requested depth (the working file removed first), its bytes checked against the version committed.
echo "building a chain of depth $MAX_DEPTH…" >&2
CHAIN=$WORK/chain
git init -q "$CHAIN"
(
  cd "$CHAIN"
  git theta install >/dev/null
  git theta track model.safetensors >/dev/null
  git config theta.maxChainDepth $((MAX_DEPTH + 1))
  cp "$WORK/v1.safetensors" model.safetensors
  git add .gitattributes model.safetensors && git commit -qm "depth 0"
  echo "0 $(git rev-parse HEAD) $(sha256sum model.safetensors | cut -d' ' -f1)" > "$WORK/chain.list"
  for ((k = 1; k <= MAX_DEPTH; k++)); do
    "$UPD" sparse --in model.safetensors --out model.safetensors --fraction "$CHAIN_FRACTION" --delta 1e-3 --seed $((SEED * 1000 + k)) \
      --pattern 'attention\.(self\.(query|key|value)|output\.dense)\.weight$' > /dev/null
    git theta add model.safetensors --update-type sparse 2>> "$LOGS/chain.add.err"
    git commit -qm "depth $k"
    if [[ " $DEPTHS " == *" $k "* ]]; then
      echo "$k $(git rev-parse HEAD) $(sha256sum model.safetensors | cut -d' ' -f1)" >> "$WORK/chain.list"
    fi
  done
)
CHAIN_DEPTH_REACHED=$(git -C "$CHAIN" show HEAD:model.safetensors | grep -c '"chain": \[' || true)
while read -r depth commit sha; do
  (
    cd "$CHAIN"
    rm -f model.safetensors
    sync
    c0=$(now)
    git checkout -q "$commit" -- model.safetensors
    c1=$(now)
    if [[ $(sha256sum model.safetensors | cut -d' ' -f1) == "$sha" ]]; then check=identical; else check=DIFFERENT; fi
    echo "$depth $(seconds "$c0" "$c1") $check"
  ) >> "$WORK/chain.times"
done < "$WORK/chain.list"

# ---------------------------------------------------------------------- report
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=""
git -C "$ROOT" diff --quiet -- src || DIRTY=" (src/ with uncommitted changes)"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
THETA_VERSION=$("$THETA_DIR/git-theta" --version 2>/dev/null || echo unknown)
row() { # label key reference-bytes note
  echo "| $1 | $(mib "${STORED[$2]}") | $(ratio "${STORED[$2]}" "$3")× | ${ADD[$2]} s | ${CHECKOUT[$2]} s | ${CHECK[$2]}$4 |"
}
{
  echo "Produced by \`bash bench/updates.sh ${ORIG_ARGS[*]}\` on $(date -u '+%Y-%m-%d %H:%M') UTC, repository commit $COMMIT$DIRTY."
  echo
  echo "Input: $(mib "$FILE_BYTES") F32 safetensors, $GROUPS_TOTAL parameter groups (bench/GitTheta.Bench.Generator, seed $SEED)."
  echo "Machine: $(nproc) cores, load average at start $LOAD; $(git --version), $(git lfs version | cut -d' ' -f1), git-theta $THETA_VERSION."
  echo
  echo "**Bytes stored by the second commit** (the sizes of the files under \`.git\` after minus before: objects, metadata, index), the"
  echo "\`git add\` that staged it, and a checkout of it (\`rm\`, then \`git checkout HEAD -- model.safetensors\`):"
  echo
  echo "Sparse change: $FRACTION of the elements of every group moved by 1e-3 ($SPARSE_ELEMENTS elements)."
  echo
  echo "| stored as | bytes added | × git-lfs | add | checkout | checkout bytes |"
  echo "|---|---|---|---|---|---|"
  row "git-lfs (whole file)" lfs-sparse "${STORED[lfs-sparse]}" ""
  row "git-theta dense" dense-sparse "${STORED[lfs-sparse]}" ""
  row "git-theta sparse" sparse "${STORED[lfs-sparse]}" ""
  echo
  echo "LoRA change: rank-$RANK factors on every attention matrix ($LORA_GROUPS groups, $(mib "$LORA_GROUP_BYTES") of values; the factors are $(mib "$FACTOR_BYTES"))."
  echo
  echo "| stored as | bytes added | × git-lfs | add | checkout | checkout bytes |"
  echo "|---|---|---|---|---|---|"
  row "git-lfs (whole file)" lfs-lora "${STORED[lfs-lora]}" ""
  row "git-theta dense" dense-lora "${STORED[lfs-lora]}" ""
  row "git-theta low-rank, inferred from the merged file" lowrank-inferred "${STORED[lfs-lora]}" " ($INFERRED_LOWRANK of $LORA_GROUPS groups low-rank; values within atol/rtol, not bitwise)"
  row "git-theta low-rank, side-loaded factors (\`--update-data\`)" lowrank-sideloaded "${STORED[lfs-lora]}" " (vs. the merged file)"
  echo
  echo "**Checkout time vs. update chain depth**: one commit per depth, each a sparse update moving $CHAIN_FRACTION of the"
  echo "elements of every attention matrix; depth 0 is the dense first commit. Deepest chain in the last commit's metadata: $CHAIN_DEPTH_REACHED group(s) with a chain."
  echo
  echo "| chain depth | checkout | checkout bytes |"
  echo "|---|---|---|"
  while read -r depth time check; do echo "| $depth | $time s | $check |"; done < "$WORK/chain.times"
} > "$RESULTS/updates.md"
cp "$RESULTS/updates.md" "$LOGS/updates.md"
cat "$RESULTS/updates.md"

if [[ $UPDATE_README -eq 1 ]]; then
  README=$BENCH/README.md
  grep -q '<!-- updates:start -->' "$README" || die "no <!-- updates:start --> marker in $README"
  awk -v block="$RESULTS/updates.md" '
    /<!-- updates:start -->/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
    /<!-- updates:end -->/ { skip = 0 }
    !skip { print }
  ' "$README" > "$README.tmp" && mv "$README.tmp" "$README"
  echo "updated $README" >&2
fi
