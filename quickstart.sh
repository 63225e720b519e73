#!/usr/bin/env bash
# Quick start: packs git-theta from this source tree, installs it as a dotnet tool in a temp folder,
# and runs the main job on the sample checkpoints in samples/quickstart: commit a model, commit a
# fine-tune of two layers (two new objects stored, not the whole model again), diff it, push it to a
# bare remote, clone it back and check that every byte came back.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
# git-lfs, and what the tests need (Debian's python3-torch, script), so that `dotnet test` passes next.
bash "$root/eng/prerequisites.sh"
work="$(mktemp -d /tmp/git-theta-quickstart.XXXXXX)"
echo "== packing GitTheta.Tool into $work/feed"
dotnet pack "$root/src/GitTheta.Tool" -c Release -o "$work/feed" -v quiet -nologo >/dev/null
dotnet tool install GitTheta.Tool --tool-path "$work/tools" --add-source "$work/feed" >/dev/null
export PATH="$work/tools:$PATH"
export HOME="$work/home" && mkdir -p "$HOME"
git config --global user.name "Quick Start" && git config --global user.email quickstart@example.invalid
git config --global init.defaultBranch main
sample="$root/samples/quickstart"

echo "== a repository with git-theta"
git init -q "$work/repo" && cd "$work/repo"
git theta install --scope global   # HOME is a temp folder here, so "global" stays inside it
git theta track model.safetensors
cp "$sample/v1.safetensors" model.safetensors
git add .gitattributes model.safetensors && git commit -q -m "base model"
# git-theta's object store (docs/storage.md#the-local-store); git-lfs's own store gets its copies when a push needs them.
objects() { find .git/lfs/theta/objects -type f | wc -l; }
echo "first commit: $(objects) objects stored (one per parameter group over 4 KiB; biases and the file layout travel inside the metadata)"

echo "== fine-tune two layers and commit"
cp "$sample/v2.safetensors" model.safetensors
before=$(objects)
git add model.safetensors && git commit -q -m "fine-tune layer 2 query and value"
new=$(( $(objects) - before ))
echo "second commit: $new new objects (plain git-lfs would store the whole file again)"
[ "$new" -eq 2 ] || { echo "quickstart: expected 2 new objects for the 2 fine-tuned layers, got $new" >&2; exit 1; }
git --no-pager diff HEAD~1 HEAD -- model.safetensors

echo "== push to a bare remote and clone it back"
git init -q --bare "$work/remote.git"
git remote add origin "$work/remote.git"
git push -q origin main
git clone -q "$work/remote.git" "$work/clone"
cmp "$work/clone/model.safetensors" "$sample/v2.safetensors"
(cd "$work/clone" && git checkout -q HEAD~1 && cmp model.safetensors "$sample/v1.safetensors")
echo "clone: both versions rebuilt byte for byte"
echo "== done; everything is in $work"
