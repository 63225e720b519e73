#!/usr/bin/env bash
# Usage: bash bench/msbuild.sh   (N=5 for more repeats; B=<work dir>, default /tmp/gittheta-sdk-bench)
# Materializing the 1 GiB bench checkpoint in a dotnet build (GitTheta.Sdk) vs `git lfs checkout` of the same file.
# Both from a warm local store (no network), same file, alternating, N repeats.
set -euo pipefail
B=${B:-/tmp/gittheta-sdk-bench}; WT=${WT:-$(cd "$(dirname "$0")/.." && pwd)}; N=${N:-3}
export HOME=$B/home GIT_CONFIG_GLOBAL=$B/home/.gitconfig GIT_CONFIG_NOSYSTEM=1 NUGET_PACKAGES=$B/nuget DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 MSBUILDTERMINALLOGGER=off
export PATH=$WT/src/GitTheta.Tool/bin/Release/net8.0:$PATH
now() { date +%s.%N; }
# Inputs: the bench generator's 1 GiB checkpoint, git-theta (Release) and GitTheta.Sdk packed as 1.0.0-bench.
[ -f $B/v1.safetensors ] || dotnet run -c Release --project $WT/bench/GitTheta.Bench.Generator -- generate --out $B/v1.safetensors --size-mib 1024 >/dev/null
[ -x $WT/src/GitTheta.Tool/bin/Release/net8.0/git-theta ] || dotnet build -c Release $WT/src/GitTheta.Tool >/dev/null
[ -f $B/feed/GitTheta.Sdk.1.0.0-bench.nupkg ] || dotnet pack $WT/src/GitTheta.Sdk -c Release -p:Version=1.0.0-bench -o $B/feed >/dev/null
rm -rf $B/home $B/lfs $B/theta $B/nuget && mkdir -p $HOME
printf '[user]\n\tname = bench\n\temail = bench@bench\n[init]\n\tdefaultBranch = main\n' > $GIT_CONFIG_GLOBAL

git init -q $B/lfs && cd $B/lfs && git lfs install --local >/dev/null && git lfs track model.safetensors >/dev/null
cp $B/v1.safetensors model.safetensors && git add . && git commit -qm v1

git init -q $B/theta && cd $B/theta && git theta install >/dev/null && git theta track model.safetensors >/dev/null
cp $B/v1.safetensors model.safetensors && mkdir app
cat > app/app.csproj <<'P'
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="GitTheta.Sdk" Version="1.0.0-bench" />
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><ThetaModel Include="../model.safetensors" Revision="HEAD" Link="model.safetensors" /></ItemGroup>
</Project>
P
echo 'Console.WriteLine(app.ThetaModels.Model.Bytes);' > app/Program.cs
printf '<configuration><packageSources><clear/><add key="f" value="%s"/><add key="n" value="https://api.nuget.org/v3/index.json"/></packageSources></configuration>' $B/feed > app/nuget.config
printf 'bin/\nobj/\n' > .gitignore
git add . && git commit -qm v1
cd app && dotnet build -nr:false -v:q >/dev/null   # restore, compile, first materialization: untimed
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 $N); do
  cd $B/lfs && rm model.safetensors && sync
  t0=$(now); git lfs checkout model.safetensors; t1=$(now)
  cmp model.safetensors $B/v1.safetensors
  lfs=$(echo "$t1 - $t0" | bc)

  cd $B/theta/app && rm -rf obj/gittheta bin/Debug/net10.0/model.safetensors && sync
  t0=$(now); dotnet build --no-restore -nr:false -v:n > $B/build-$i.log; t1=$(now)
  cmp bin/Debug/net10.0/model.safetensors $B/v1.safetensors
  build=$(echo "$t1 - $t0" | bc)
  task=$(grep -o 'materialized [^(]*([0-9,]* bytes) into [^ ]* in [0-9.]* s' $B/build-$i.log | grep -o 'in [0-9.]* s$' | grep -o '[0-9.]*')
  t0=$(now); dotnet build --no-restore -nr:false -v:q >/dev/null; t1=$(now)
  noop=$(echo "$t1 - $t0" | bc)
  printf 'run %d: git lfs checkout %.2f s | dotnet build with materialization %.2f s (materialize task %s s) | no-op dotnet build %.2f s | load %s\n' $i $lfs $build $task $noop "$(cut -d' ' -f1 /proc/loadavg)"
done
