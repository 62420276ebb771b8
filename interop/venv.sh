# Sourced (not run) by the scripts that run Python checks — interop/run.sh,
# interop/bert/run.sh, python/run.sh — for the virtual environment they share the handling of.

# venv_arg DEFAULT ARGS...: sets venv to the script's optional first argument VENV (the first
# of ARGS, when it is not an option) and returns 0, so that the script shifts it away;
# otherwise sets venv to DEFAULT and returns 1.
venv_arg() {
  venv="$1"
  if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then
    venv="$2"
    return 0
  fi
  return 1
}

# venv_install NAME PYTHON REQUIREMENTS: creates the virtual environment $venv with PYTHON
# when it has none yet, then installs the pinned REQUIREMENTS into it, saying so as NAME.
venv_install() {
  if [ ! -x "$venv/bin/python" ]; then
    echo "$1: creating virtual environment $venv"
    "$2" -m venv "$venv"
  fi
  echo "$1: installing pinned requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$3"
}
