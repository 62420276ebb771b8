"""DDP on CPU with gloo: two processes with the same global batch give the same adapter as one
process (python/scripts/train_causal_lm.py under torchrun)."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from conftest import CI, ROOT

SCRIPT = os.path.join(ROOT, "python", "scripts", "train_causal_lm.py")


def _torchrun():
    exe = os.path.join(os.path.dirname(sys.executable), "torchrun")
    if not os.path.exists(exe):
        if CI:
            pytest.fail("torchrun is missing from the venv (CI=true)")
        pytest.skip("torchrun not installed")
    return exe


@pytest.mark.parametrize("model", ["tiny-gpt2", "tiny-llama"])
def test_two_processes_equal_one(model, qpeft_bin, tmp_path):
    torchrun = _torchrun()
    env = dict(os.environ, OMP_NUM_THREADS="1", QPEFT_BIN=qpeft_bin)
    common = [SCRIPT, "--model", model, "--dtype", "float64", "--steps", "4", "--batch", "4", "--seq", "16",
              "--rank", "2", "--layers", "1", "--lr", "0.05"]
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"w{n}"
        log = tmp_path / f"w{n}.json"
        p = subprocess.run([torchrun, "--standalone", f"--nproc_per_node={n}", *common, "--out", str(out),
                            "--loss-log", str(log)], env=env, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-600:]
        outs[n] = (load_file(str(out / "adapter_model.safetensors")), json.loads(log.read_text()))
    (w1, l1), (w2, l2) = outs[1], outs[2]
    assert l1["world"] == 1 and l2["world"] == 2
    assert sorted(w1) == sorted(w2) and len(w1) > 0
    worst = max((w1[k] - w2[k]).abs().max().item() for k in w1)
    moved = max(w1[k].abs().max().item() for k in w1 if k.endswith(".lambda"))
    assert moved > 1e-3, "training changed λ"
    # The model is float64, but transformers' causal-LM loss upcasts the logits "to float"
    # (float32), so per-process and global means round differently at ~1e-7 relative; the adapter
    # (Adam steps) agrees far closer than that.
    assert worst <= 1e-8, f"1 vs 2 processes: max |Δ| = {worst:.3g}"
    assert max(abs(a - b) / abs(b) for a, b in zip(l1["losses"], l2["losses"])) <= 1e-6
    print(f"{model}: 1 vs 2 processes, max |Δ| over the adapter = {worst:.2g}")
