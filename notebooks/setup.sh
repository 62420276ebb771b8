#!/usr/bin/env bash
# Installs what the notebooks need, all inside notebooks/.venv (or $NB_VENV):
#   - a Python virtual environment with Jupyter's notebook client (requirements.txt, pinned);
#   - GoNB v0.11.1, the Go kernel for Jupyter, built from the Go module proxy;
#   - goimports (golang.org/x/tools v0.52.0), which GoNB runs on every cell;
#   - the GoNB kernel spec, registered in the venv (share/jupyter/kernels/gonb).
#
#   notebooks/setup.sh           # what notebooks/run.sh (and CI) needs
#   notebooks/setup.sh --lab     # also JupyterLab and gopls (autocompletion), to work interactively
#
# Then, for --lab:  notebooks/.venv/bin/jupyter lab notebooks/
# Everything is idempotent: a second run reuses what is there and only checks versions.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${NB_VENV:-$here/.venv}"
python="${PYTHON:-python3}"
gonb_version=v0.11.1
tools_version=v0.52.0 # golang.org/x/tools, for goimports
gopls_version=v0.23.0
jupyterlab_version=4.6.6
lab=0
for a in "$@"; do
  case "$a" in
    --lab) lab=1 ;;
    *) echo "setup.sh: unknown argument $a (use --lab)" >&2; exit 2 ;;
  esac
done
command -v go >/dev/null || { echo "setup.sh: the go command is not on PATH" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  echo "notebooks: creating virtual environment $venv"
  "$python" -m venv "$venv"
fi
echo "notebooks: installing the pinned notebook client"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
if [ "$lab" = 1 ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "jupyterlab==$jupyterlab_version"
fi

bin="$venv/bin"
# GoNB: `go install github.com/janpfeifer/gonb@v0.11.1` needs the module proxy's version list
# (for its deprecation check), which the proxy here refuses; downloading the exact version
# and building it from the module cache is equivalent.
if [ "$("$bin/gonb" -V 2>/dev/null || true)" != "$gonb_version" ]; then
  echo "notebooks: building GoNB $gonb_version"
  src="$(go mod download -json "github.com/janpfeifer/gonb@$gonb_version" | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  (cd "$src" && GOFLAGS=-mod=readonly go build -o "$bin/gonb" .)
fi
have_tool() { # have_tool BINARY MODULE VERSION: is BINARY built from MODULE at VERSION?
  [ -x "$bin/$1" ] && go version -m "$bin/$1" 2>/dev/null | grep -qE "^\s+mod\s+$2\s+$3\b"
}
if ! have_tool goimports golang.org/x/tools "$tools_version"; then
  echo "notebooks: installing goimports ($tools_version)"
  GOBIN="$bin" go install "golang.org/x/tools/cmd/goimports@$tools_version"
fi
deps=--force_deps # gopls only serves autocompletion; executing cells needs goimports alone
if [ "$lab" = 1 ]; then
  if ! have_tool gopls golang.org/x/tools/gopls "$gopls_version"; then
    echo "notebooks: installing gopls ($gopls_version)"
    GOBIN="$bin" go install "golang.org/x/tools/gopls@$gopls_version"
  fi
  deps=
fi
# Register the kernel inside the venv: jupyter_client finds <venv>/share/jupyter/kernels.
JUPYTER_DATA_DIR="$venv/share/jupyter" PATH="$bin:$PATH" "$bin/gonb" --install $deps >/dev/null 2>&1 \
  || { echo "setup.sh: gonb --install failed" >&2; JUPYTER_DATA_DIR="$venv/share/jupyter" PATH="$bin:$PATH" "$bin/gonb" --install $deps; exit 1; }
echo "notebooks: GoNB $gonb_version registered in $venv/share/jupyter/kernels/gonb"
