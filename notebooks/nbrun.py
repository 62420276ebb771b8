#!/usr/bin/env python3
"""Execute qpeft's notebooks headlessly with the GoNB kernel and compare their outputs with
the committed ones.

    nbrun.py [--update] [--timeout SECONDS] NOTEBOOK.ipynb ...

Every notebook is executed from a copy with its outputs cleared, in its own directory (so
that GONB_DIR is notebooks/). A cell error fails the run, and so does a shell cell whose
command failed (GoNB reports those as "exit status N" text, not as errors). Then each code
cell's outputs are compared with the committed ones after normalising what legitimately
varies: durations (12.3ms, 85µs, 1.2s), runs of spaces around them, and the name of GoNB's
scratch directory (written as $GONB_TMP_DIR, also in the committed outputs). Images are compared
byte for byte (the plots are deterministic). With --update the executed notebooks are
written back instead (commit them after checking the diff).

The GoNB kernel's log goes to $NB_LOG (default: notebooks/.venv/kernel.log).
"""
import argparse
import copy
import difflib
import os
import re
import sys
import time

import nbclient
import nbformat

DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:ns|µs|μs|us|ms|s|m\d+(?:\.\d+)?s|h\d+m\d+(?:\.\d+)?s)(?![\w/])")
SPACES = re.compile(r"[ \t]+")
SHELL_FAILURE = re.compile(r"^exit status \d+\s*$", re.M)
# GoNB's scratch directory, /tmp/gonb_1a2b3c4d, differs in every kernel.
SCRATCH = re.compile(r"/\S*/gonb_[0-9a-f]{8}\b")


def normalise_text(s):
    s = SCRATCH.sub("$GONB_TMP_DIR", s)
    s = DURATION.sub("<duration>", s)
    return "\n".join(SPACES.sub(" ", line).rstrip() for line in s.split("\n"))


def cell_outputs(cell):
    """The outputs of a code cell as comparable (kind, text) pairs; streams are merged."""
    out = []
    for o in cell.get("outputs", []):
        t = o.get("output_type")
        if t == "stream":
            text = normalise_text(o.get("text", ""))
            if out and out[-1][0] == "stream:" + o.get("name", ""):
                out[-1] = (out[-1][0], out[-1][1] + text)
            else:
                out.append(("stream:" + o.get("name", ""), text))
        elif t in ("display_data", "execute_result"):
            data = o.get("data", {})
            for mime in sorted(data):
                v = data[mime]
                if isinstance(v, list):
                    v = "".join(v)
                if mime.startswith("image/"):
                    out.append((mime, v.replace("\n", "")))
                else:
                    out.append((mime, normalise_text(v)))
        elif t == "error":
            out.append(("error", o.get("ename", "") + ": " + o.get("evalue", "")))
    return out


def describe(kind, value):
    if kind.startswith("image/"):
        return [f"<{kind}, {len(value)} base64 characters>"]
    return [f"[{kind}]"] + value.split("\n")


def execute(path, timeout, log):
    nb = nbformat.read(path, as_version=4)
    run = copy.deepcopy(nb)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = nbclient.NotebookClient(
        run,
        timeout=timeout,
        kernel_name="gonb",
        record_timing=False,
        coalesce_streams=True,
        extra_arguments=["--raw_error"],
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    client.execute(stderr=log)
    return nb, run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--update", action="store_true", help="write the executed outputs back")
    ap.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    log_path = os.environ.get("NB_LOG", os.path.join(here, ".venv", "kernel.log"))
    failed = []
    with open(log_path, "a") as log:
        for path in args.notebooks:
            start = time.time()
            name = os.path.basename(path)
            try:
                committed, fresh = execute(path, args.timeout, log)
            except nbclient.exceptions.CellExecutionError as e:
                print(f"FAIL {name}: a cell raised an error\n{e}", flush=True)
                failed.append(name)
                continue
            problems = []
            code_committed = [c for c in committed.cells if c.cell_type == "code"]
            code_fresh = [c for c in fresh.cells if c.cell_type == "code"]
            for i, cell in enumerate(code_fresh):
                for kind, text in cell_outputs(cell):
                    if kind.startswith("stream") and SHELL_FAILURE.search(text):
                        problems.append(f"code cell {i + 1}: a shell command or the cell's program failed:\n{text}")
            if args.update:
                if not problems:
                    for cell in code_fresh:  # the scratch directory's name is random
                        for o in cell.get("outputs", []):
                            if o.get("output_type") == "stream":
                                o["text"] = SCRATCH.sub("$GONB_TMP_DIR", o["text"])
                    nbformat.write(fresh, path)
            else:
                for i, (a, b) in enumerate(zip(code_committed, code_fresh)):
                    oa, ob = cell_outputs(a), cell_outputs(b)
                    if oa == ob:
                        continue
                    la = [line for k, v in oa for line in describe(k, v)]
                    lb = [line for k, v in ob for line in describe(k, v)]
                    diff = "\n".join(difflib.unified_diff(la, lb, "committed", "fresh", lineterm="", n=2))
                    if not diff:
                        diff = "(the images differ)"
                    problems.append(f"code cell {i + 1} ({a.source.splitlines()[0] if a.source else ''!s}):\n{diff}")
            took = time.time() - start
            if problems:
                print(f"FAIL {name} ({took:.0f} s)", flush=True)
                for p in problems:
                    print("  " + p.replace("\n", "\n  "), flush=True)
                failed.append(name)
            else:
                verb = "executed and updated" if args.update else "executed; outputs match the committed ones"
                print(f"ok   {name} ({took:.0f} s): {len(code_fresh)} code cells {verb}", flush=True)
    n = len(args.notebooks)
    print(f"notebooks: {n - len(failed)} passed, {len(failed)} failed")
    if failed:
        print("to refresh the committed outputs after an intended change: notebooks/run.sh --update", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
