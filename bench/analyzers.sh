#!/usr/bin/env bash
# Measures what GitTheta.Analyzers add to the build of a 200-file project (issue: analyzers < 5%).
# Builds the same generated project with and without the analyzer, alternating, --repeat times each
# (default 5), full rebuilds (--no-incremental), and reports the medians and the compiler's own report
# of the analyzer's execution time (-p:ReportAnalyzer=true).
set -euo pipefail
repeat=5
files=200
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/gittheta-analyzer-bench.XXXXXX)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
dotnet build "$root/src/GitTheta.Analyzers" -c Release -nologo -v quiet >/dev/null
analyzer="$root/src/GitTheta.Analyzers/bin/Release/netstandard2.0/GitTheta.Analyzers.dll"
[ -f "$analyzer" ] || { echo "analyzer not built at $analyzer" >&2; exit 1; }

proj="$work/App"
mkdir -p "$proj/models" "$proj/src"
cat > "$proj/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>enable</Nullable>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <GitThetaModelExtensions>.safetensors .pt .pth .bin .ckpt .onnx .gguf .h5 .msgpack</GitThetaModelExtensions>
  </PropertyGroup>
  <ItemGroup Condition="'\$(WithGitTheta)' == 'true'">
    <Analyzer Include="$analyzer" />
    <ThetaModel Include="models/encoder.safetensors" />
    <CompilerVisibleProperty Include="GitThetaModelExtensions" />
    <CompilerVisibleProperty Include="MSBuildProjectDirectory" />
    <CompilerVisibleItemMetadata Include="AdditionalFiles" MetadataName="GitThetaKind" />
    <CompilerVisibleItemMetadata Include="AdditionalFiles" MetadataName="GitThetaModelPath" />
    <CompilerVisibleItemMetadata Include="AdditionalFiles" MetadataName="GitThetaModelName" />
  </ItemGroup>
  <Target Name="GitThetaAddAnalyzerInputs" Condition="'\$(WithGitTheta)' == 'true'"
          BeforeTargets="GenerateMSBuildEditorConfigFileShouldRun;GenerateMSBuildEditorConfigFileCore;CoreCompile">
    <ItemGroup>
      <_GitThetaCandidate Include="**/*.safetensors;**/*.pt;**/*.onnx" Exclude="bin/**;obj/**;@(ThetaModel)" />
      <AdditionalFiles Include="@(ThetaModel)" GitThetaKind="ThetaModel" GitThetaModelPath="%(Identity)" />
      <AdditionalFiles Include="@(_GitThetaCandidate)" GitThetaKind="ModelCandidate" />
    </ItemGroup>
  </Target>
</Project>
XML
touch "$proj/models/encoder.safetensors" "$proj/models/extra.pt"
# Realistic code: string-heavy classes, a few of which name model files.
for i in $(seq 1 "$files"); do
  cat > "$proj/src/Class$i.cs" <<CS
namespace App;
public static class Class$i
{
    private const string Prefix = "models/";
    public static string Name => "Class$i";
    public static string Describe(int x) => \$"item {x} of {Name}: " + string.Join(",", new[] { "a", "b", "c" });
    public static string Path$i => $( [ $((i % 20)) -eq 0 ] && echo 'Prefix + "encoder.safetensors"' || echo '"data/file'$i'.json"' );
    public static int Sum(int[] values) { var total = 0; foreach (var v in values) { total += v * $i; } return total; }
    public static string Text(int n) => n switch { 0 => "zero", 1 => "one", _ => "many: " + n.ToString() };
}
CS
done
cd "$proj"
dotnet build -nologo -v quiet -p:WithGitTheta=true >/dev/null   # restore and warm up
dotnet build -nologo -v quiet -p:WithGitTheta=false >/dev/null

time_build() {
  local start end
  start=$(date +%s.%N)
  dotnet build --no-incremental --no-restore -nologo -v quiet -p:WithGitTheta="$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
with=(); without=()
for r in $(seq 1 "$repeat"); do
  without+=("$(time_build false)")
  with+=("$(time_build true)")
done
m_without=$(printf '%s\n' "${without[@]}" | median)
m_with=$(printf '%s\n' "${with[@]}" | median)
overhead=$(echo "scale=2; ($m_with - $m_without) * 100 / $m_without" | bc)
dotnet build --no-incremental --no-restore -nologo -v d -p:WithGitTheta=true -p:ReportAnalyzer=true > "$work/report.log" 2>&1 || true
# csc's report: "Total analyzer execution time: X seconds." and one line per analyzer with its seconds.
total_all=$(grep -m1 -Eo "Total analyzer execution time: [0-9.]+" "$work/report.log" | grep -Eo "[0-9.]+$" || echo "?")
ours=$(grep -E "^ +[0-9.<]+ +[0-9<]+ +GitTheta\.Analyzers\." "$work/report.log" | awk '{s+=($1 ~ /^</ ? 0 : $1)} END {printf "%.3f", s}')
compile=$(grep -m1 -Eo "CoreCompile[^0-9]*[0-9]+ ms" "$work/report.log" | grep -Eo "[0-9]+ ms" || echo "?")
printf '| project | build without GitTheta.Analyzers (median of %s) | with | wall-clock difference | GitTheta.Analyzers execution time (csc ReportAnalyzer) | all analyzers |\n' "$repeat"
echo "|---|---|---|---|---|---|"
printf '| %s C# files, 1 ThetaModel, 1 undeclared model | %.2f s | %.2f s | %s%% | %s s | %s s |\n' "$files" "$m_without" "$m_with" "$overhead" "$ours" "$total_all"
echo "raw without: ${without[*]}"
echo "raw with: ${with[*]}"
