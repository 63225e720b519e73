#!/usr/bin/env bash
# bench/floor.sh: how fast can any git filter be on this machine? Times git itself with trivial filters on one file,
# so the git-lfs and git-theta columns of bench/run.sh can be read against the floor that neither tool can go under.
#
#   bash bench/floor.sh FILE [--repeat N]       # e.g. the 1 GiB v1.safetensors a `bench/run.sh --keep` run leaves
#
# Measured, each the median of N runs (default 3), in a fresh repository under /tmp:
#   add floor       `git add` of FILE through a clean filter that reads its input and writes one line (git reading the
#                   file and piping it to a filter: what every clean filter pays before doing anything)
#   add, process    `git add` of FILE through bench/null-filter.py, a long-running filter process (git's protocol, as
#                   git-theta and git-lfs use) that drops what it reads: git's own cost under either tool's clean
#   checkout, process  `git checkout -- FILE` through the same filter process answering every smudge with FILE's
#                   bytes: git's own cost under either tool's smudge
#   add + SHA-256   the same filter also hashing the input with sha256sum (coreutils; git-theta and git-lfs use faster
#                   SHA-256 code, so this is an upper bound of the hashing share)
#   checkout floor  `git checkout -- FILE` through a smudge filter that ignores its input and prints FILE with cat
#                   (git reading a filter's whole output into memory and writing the file: what every smudge filter pays)
set -euo pipefail
file=${1:?usage: bash bench/floor.sh FILE [--repeat N]}
shift
repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=${2:?}; shift 2 ;;
    *) echo "floor.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$file" ] || { echo "floor.sh: $file is not a file" >&2; exit 2; }
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")

work=$(mktemp -d /tmp/gittheta-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=$work/gitconfig
git config --global user.email bench@example.com
git config --global user.name bench

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# $1 name, $2 clean command, $3 smudge command (both empty for a process filter), $4 process command; prints
# "add checkout" medians.
measure() {
  local repo=$work/$1 adds="" checkouts="" t0 t1
  git init -q "$repo"
  (
    cd "$repo"
    echo "model.bin filter=floor" > .gitattributes
    if [ -n "${4:-}" ]; then git config filter.floor.process "$4"; git config filter.floor.required true
    else git config filter.floor.clean "$2"; git config filter.floor.smudge "$3"; fi
    git add .gitattributes && git commit -qm attributes
    cp "$file" model.bin
    for _ in $(seq 1 "$repeat"); do
      touch model.bin; sync
      t0=$(now); git add model.bin; t1=$(now)
      adds+="$(echo "$t1 - $t0" | bc)"$'\n'
    done
    git commit -qm model
    for _ in $(seq 1 "$repeat"); do
      rm -f model.bin; sync
      t0=$(now); git checkout -- model.bin; t1=$(now)
      cmp -s model.bin "$file" || { echo "floor.sh: the checkout is not the file" >&2; exit 1; }
      checkouts+="$(echo "$t1 - $t0" | bc)"$'\n'
    done
    echo "$(printf '%s' "$adds" | median) $(printf '%s' "$checkouts" | median)"
  )
}

read -r add_floor checkout_floor < <(measure plain "sh -c 'cat >/dev/null; echo metadata'" "sh -c 'cat >/dev/null; cat \"$file\"'")
read -r add_process checkout_process < <(measure process "" "" "python3 $(cd "$(dirname "$0")" && pwd)/null-filter.py '$file'")
read -r add_sha _ < <(measure sha256 "sh -c 'sha256sum >/dev/null; echo metadata'" "sh -c 'cat >/dev/null; cat \"$file\"'")
size=$(stat -c %s "$file")
echo "Floor of git itself on $(basename "$file") ($size bytes), median of $repeat; load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(git --version)"
echo
echo "| step | seconds |"
echo "|---|---|"
printf '| add floor (git pipes the file to a filter that discards it) | %.2f |\n' "$add_floor"
printf '| add floor, filter process (git pipes the file to bench/null-filter.py, which drops it) | %.2f |\n' "$add_process"
printf '| add + SHA-256 (the same filter runs sha256sum) | %.2f |\n' "$add_sha"
printf '| checkout floor (git buffers a filter'"'"'s output and writes the file) | %.2f |\n' "$checkout_floor"
printf '| checkout floor, filter process (bench/null-filter.py answers the smudge with the file'"'"'s bytes) | %.2f |\n' "$checkout_process"
