# Sourced by the bench scripts: the git-theta that `dotnet tool install GitTheta.Tool` installs on this machine, built
# from this tree. On linux-x64 that is the native (AOT) executable of the GitTheta.Tool.linux-x64 package; elsewhere
# the framework-dependent build of GitTheta.Tool.any.

theta_tool_native() { [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; }

# theta_tool_dir ROOT: the folder that holds the git-theta executable.
theta_tool_dir() {
  if theta_tool_native; then echo "$1/src/GitTheta.Tool/bin/Release/net10.0/linux-x64/publish"
  else echo "$1/src/GitTheta.Tool/bin/Release/net10.0"; fi
}

# theta_tool_build ROOT: builds it (the native compile takes a minute or two the first time).
theta_tool_build() {
  if theta_tool_native; then dotnet publish -c Release -f net10.0 -r linux-x64 -nologo -v q "$1/src/GitTheta.Tool"
  else dotnet build -c Release -f net10.0 -nologo -v q "$1/src/GitTheta.Tool"; fi
}

# theta_tool_how: how theta_tool_build made it, for the results.
theta_tool_how() {
  if theta_tool_native; then echo "dotnet publish -c Release -f net10.0 -r linux-x64 src/GitTheta.Tool: native AOT, as GitTheta.Tool.linux-x64"
  else echo "dotnet build -c Release -f net10.0 src/GitTheta.Tool"; fi
}
