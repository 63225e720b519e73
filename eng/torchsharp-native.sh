#!/usr/bin/env bash
# Makes TorchSharp 0.107's native bridge loadable on Debian 12 without touching a system file.
#
# libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13's libstdc++); Debian 12 ships GLIBCXX up to 3.4.30. This script
#   1. downloads Debian 13 (trixie)'s libstdc++6 .deb with apt, using a private apt state directory under the cache
#      (its own sources list, lists and archives; /etc/apt and /var/lib/apt are only read, never written);
#   2. extracts it under the cache;
#   3. if that libstdc++ needs a newer glibc than this machine has (trixie's needs GLIBC_2.38, Debian 12 has 2.36),
#      patches a COPY of it so that those version needs are weak (VER_FLG_WEAK in .gnu.version_r), and builds a small
#      shim library supplying the C23 symbols (__isoc23_strtoul, ...) that glibc 2.38 added;
#   4. prints the environment to use: LD_LIBRARY_PATH (the cache's libstdc++ first) and LD_PRELOAD (the shim).
# Idempotent: a second run reuses what the first one made. Usage:
#   eval "$(bash eng/torchsharp-native.sh)"       # exports LD_LIBRARY_PATH / LD_PRELOAD for this shell
# The cache is $GIT_THETA_TORCHSHARP_NATIVE_CACHE, else ~/.cache/gittheta-torchsharp-native.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${GIT_THETA_TORCHSHARP_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gittheta-torchsharp-native}"
lib="$cache/lib"
# Bumped whenever what the script makes changes, so that an older cache is made again.
ready="$lib/.ready-v2"
mkdir -p "$cache"

# grep without -q reads all of strings' output: an early exit would kill strings with SIGPIPE, which pipefail reports.
needs_newer_libstdcxx() {
  ! strings /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null | grep -x 'GLIBCXX_3.4.32' > /dev/null
}

if [ -f "$ready" ]; then
  :
elif ! needs_newer_libstdcxx; then
  mkdir -p "$lib" && touch "$ready"
else
  apt_dir="$cache/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/etc/apt.conf.d" "$apt_dir/debs"
  cat > "$apt_dir/etc/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SOURCES
  apt_opts=(
    -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
    -o "Dir::Etc::SourceParts=-"
    -o "Dir::Etc::Preferences=-"
    -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
    -o "Dir::State=$apt_dir"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::State::status=$apt_dir/status"
    -o "Dir::Cache=$apt_dir"
    -o "Dir::Cache::Archives=$apt_dir/archives"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=$(id -un)"
  )
  touch "$apt_dir/status"
  apt-get "${apt_opts[@]}" -qq update >&2
  (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download libstdc++6 >&2)
  deb="$(ls "$apt_dir"/debs/libstdc++6_*.deb | head -n 1)"
  extracted="$cache/extracted"
  rm -rf "$extracted" && mkdir -p "$extracted"
  dpkg-deb -x "$deb" "$extracted"
  so="$(ls "$extracted"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.* | head -n 1)"
  rm -rf "$lib" && mkdir -p "$lib"
  cp "$so" "$lib/libstdc++.so.6"
  python3 "$here/torchsharp-native/weaken-version-needs.py" "$lib/libstdc++.so.6" GLIBC_2.38 GLIBC_2.39 GLIBC_2.40 GLIBC_2.41 >&2
  cc -shared -fPIC -O2 -o "$lib/libgittheta-glibc-shim.so" "$here/torchsharp-native/glibc-shim.c"
  touch "$ready"
fi

if [ -f "$lib/libstdc++.so.6" ]; then
  echo "export LD_LIBRARY_PATH=\"$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
  echo "export LD_PRELOAD=\"$lib/libgittheta-glibc-shim.so\${LD_PRELOAD:+ \$LD_PRELOAD}\""
fi
