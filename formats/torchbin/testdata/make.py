"""Writes the torch.save fixtures of formats/torchbin's tests: one archive per pickle
protocol (2 is torch.save's default; 4 and 5 use STACK_GLOBAL, MEMOIZE and FRAME), each with
every storage type and the view kinds torch.save keeps (transposed strides, an offset into a
larger storage, a stride-0 expansion, a scalar, an empty tensor, a Parameter, two tensors
sharing one storage), and the expected values as JSON: for each tensor its dtype, shape and
row-major little-endian bytes in hex.

    python make.py OUTDIR   (run by TestTorchCrossCheck; the committed files are its output)
"""
import collections
import json
import sys

import torch

out = sys.argv[1]
g = torch.Generator().manual_seed(3)


def rnd(*shape, dtype=torch.float32):
    return (torch.randn(*shape, generator=g) * 3).to(dtype)


base = rnd(5, 4, dtype=torch.float64)
sd = collections.OrderedDict()
sd["f32"] = rnd(2, 3)
sd["f16"] = rnd(3, 2, dtype=torch.float16)
sd["bf16"] = rnd(4, dtype=torch.bfloat16)
sd["f64.t"] = base.t()  # non-default strides over a shared storage
sd["f64.slice"] = base[1:4, 2]  # offset and stride into the same storage
sd["i64"] = torch.arange(-3, 3, dtype=torch.int64).reshape(2, 3)
sd["i32"] = torch.tensor([[-(2**31), 2**31 - 1]], dtype=torch.int32)
sd["i16"] = torch.tensor([-32768, 7, 32767], dtype=torch.int16)
sd["i8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
sd["bool"] = torch.tensor([True, False, True])
sd["expand"] = torch.tensor([1.5, -2.5]).reshape(2, 1).expand(2, 3)  # stride 0
sd["scalar"] = torch.tensor(0.25)
sd["empty"] = torch.zeros(0, 3)
sd["param"] = torch.nn.Parameter(rnd(2, 2))
sd._metadata = collections.OrderedDict({"": {"version": 1}})

want = {}
for k, v in sd.items():
    v = v.detach()
    want[k] = {
        "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
                  torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                  torch.uint8: "U8", torch.bool: "BOOL"}[v.dtype],
        "shape": list(v.shape),
        "hex": v.contiguous().view(-1).view(torch.uint8).numpy().tobytes().hex() if v.numel() else "",
        "float": v.double().reshape(-1).tolist() if v.is_floating_point() else None,
    }
for proto in (2, 4, 5):
    torch.save(sd, f"{out}/p{proto}.bin", pickle_protocol=proto)
with open(f"{out}/want.json", "w") as f:
    json.dump(want, f, indent=1, sort_keys=True)
    f.write("\n")
