#!/usr/bin/env bash
# Installs what git-theta's quick start and its tests need beyond the .NET 10 SDK and git, when it is missing:
#   git-lfs          the transport for parameter objects (every end-to-end test runs it)
#   python3-torch    Debian's PyTorch: the format tests load checkpoints with real torch (/usr/bin/python3)
#   script           util-linux's pseudo-terminal, for the merge menu and progress tests
#   cc, go           a C compiler for the TorchSharp shim (eng/torchsharp-native.sh) and Go for git-lfs's test server
#                    (the partial-fetch tests' HTTP remote)
#   clang, zlib      on linux-x64, native AOT's compiler and linker: GitTheta.Tool.linux-x64 is a native executable, and
#                    `dotnet pack`, the tests and bench/ build it (docs/installing.md)
# Used by quickstart.sh and .ci/run. As root with apt-get it installs; otherwise it names what to install and fails.
set -euo pipefail

missing=()
git lfs version >/dev/null 2>&1 || missing+=(git-lfs)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing: ${missing[*]}; install them (on Debian/Ubuntu: sudo apt-get install -y ${missing[*]}; git-lfs also from https://git-lfs.com) and run this again" >&2
  exit 1
fi
