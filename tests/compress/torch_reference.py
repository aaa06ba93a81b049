"""PyTorch reference for tests/compress/torch_parity_test.ts (run with Debian's python3-torch).

Reads a JSON spec (argv[1]) naming raw little-endian float32 weight files, and writes, next to them:
  prune_<case>_<i>.f32   torch.nn.utils.prune masks (global_unstructured or l1_unstructured, L1Unstructured)
  struct_<case>_<i>.f32  torch.nn.utils.prune.ln_structured masks (n=2, dim=case["dim"])
  quant_<case>_<i>.f32   torch.fake_quantize_per_{tensor,channel}_affine of the weight, with qparams from
                         MinMaxObserver / PerChannelMinMaxObserver (quant_min/quant_max for k bits)
  qparams_<case>_<i>.json  {"scale": [...], "zero_point": [...]}
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver

spec = json.load(open(sys.argv[1]))
out = spec["dir"]
weights = [
    torch.from_numpy(np.fromfile(w["file"], dtype="<f4").reshape(w["shape"])) for w in spec["weights"]
]


class Holder(torch.nn.Module):
    def __init__(self, t):
        super().__init__()
        self.w = torch.nn.Parameter(t.clone())


for ci, case in enumerate(spec["prune"]):
    holders = [Holder(w) for w in weights]
    if case["scope"] == "global":
        prune.global_unstructured([(h, "w") for h in holders], pruning_method=prune.L1Unstructured,
                                  amount=case["sparsity"])
    else:
        for h in holders:
            prune.l1_unstructured(h, "w", amount=case["sparsity"])
    for i, h in enumerate(holders):
        h.w_mask.detach().numpy().astype("<f4").tofile(os.path.join(out, f"prune_{ci}_{i}.f32"))

for ci, case in enumerate(spec["structured"]):
    for i, w in enumerate(weights):
        h = Holder(w)
        prune.ln_structured(h, "w", amount=case["fraction"], n=2, dim=case["dim"])
        h.w_mask.detach().numpy().astype("<f4").tofile(os.path.join(out, f"struct_{ci}_{i}.f32"))

for ci, case in enumerate(spec["quant"]):
    bits, sym, per_channel = case["bits"], case["scheme"] == "symmetric", case["granularity"] == "per-channel"
    qmin, qmax = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if sym else (0, 2 ** bits - 1)
    dtype = torch.qint8 if sym else torch.quint8
    for i, w in enumerate(weights):
        if per_channel:
            axis = case.get("channelAxis", 0)
            obs = PerChannelMinMaxObserver(ch_axis=axis, dtype=dtype, quant_min=qmin, quant_max=qmax,
                                           qscheme=torch.per_channel_symmetric if sym else torch.per_channel_affine)
            obs(w)
            scale, zp = obs.calculate_qparams()
            y = torch.fake_quantize_per_channel_affine(w, scale.float(), zp.to(torch.int32), axis, qmin, qmax)
        else:
            obs = MinMaxObserver(dtype=dtype, quant_min=qmin, quant_max=qmax,
                                 qscheme=torch.per_tensor_symmetric if sym else torch.per_tensor_affine)
            obs(w)
            scale, zp = obs.calculate_qparams()
            y = torch.fake_quantize_per_tensor_affine(w, float(scale), int(zp), qmin, qmax)
        y.detach().numpy().astype("<f4").tofile(os.path.join(out, f"quant_{ci}_{i}.f32"))
        json.dump({"scale": [float(s) for s in scale.reshape(-1)], "zero_point": [int(z) for z in zp.reshape(-1)]},
                  open(os.path.join(out, f"qparams_{ci}_{i}.json"), "w"))
