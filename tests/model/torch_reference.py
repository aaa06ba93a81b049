"""Independent PyTorch reference for the encoder parity test.

Builds a RoBERTa-style encoder from torch.nn modules, loads the weights from our safetensors file (parsed
here with json + struct + numpy: Debian has no safetensors package) with load_state_dict(strict=True), and
prints the MLM loss and final hidden states as JSON.

Usage: python3 torch_reference.py WEIGHTS.safetensors INPUT.json
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    dtypes = {"F32": np.float32, "I32": np.int32, "U8": np.uint8}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[b:end], dtype=np.dtype(dtypes[e["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(c, c), nn.Linear(c, c), nn.Linear(c, c)


class AttentionOutput(nn.Module):
    def __init__(self, c, eps):
        super().__init__()
        self.dense, self.LayerNorm = nn.Linear(c, c), nn.LayerNorm(c, eps=eps)


class Attention(nn.Module):
    def __init__(self, c, eps):
        super().__init__()
        self.self, self.output = SelfAttention(c), AttentionOutput(c, eps)


class Dense(nn.Module):
    def __init__(self, i, o, eps=None):
        super().__init__()
        self.dense = nn.Linear(i, o)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(o, eps=eps)


class Layer(nn.Module):
    def __init__(self, c, f, eps):
        super().__init__()
        self.attention = Attention(c, eps)
        self.intermediate = Dense(c, f)
        self.output = Dense(f, c, eps)


class Embeddings(nn.Module):
    def __init__(self, v, p, c, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(v, c)
        self.position_embeddings = nn.Embedding(p, c)
        self.LayerNorm = nn.LayerNorm(c, eps=eps)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList(
            Layer(cfg["hiddenSize"], cfg["intermediateSize"], cfg["layerNormEps"]) for _ in range(cfg["numLayers"])
        )
        if cfg["layerNorm"] == "pre":
            self.LayerNorm = nn.LayerNorm(cfg["hiddenSize"], eps=cfg["layerNormEps"])


class Roberta(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg["vocabSize"], cfg["maxPositions"], cfg["hiddenSize"], cfg["layerNormEps"])
        self.encoder = Encoder(cfg)


class LmHead(nn.Module):
    def __init__(self, c, v, eps):
        super().__init__()
        self.dense = nn.Linear(c, c)
        self.layer_norm = nn.LayerNorm(c, eps=eps)
        self.bias = nn.Parameter(torch.zeros(v))


class RobertaForMaskedLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.roberta = Roberta(cfg)
        self.lm_head = LmHead(cfg["hiddenSize"], cfg["vocabSize"], cfg["layerNormEps"])

    def attend(self, layer, x, key_padding):
        b, t, c = x.shape
        h = self.cfg["numHeads"]
        s = layer.attention.self

        def heads(y):
            return y.view(b, t, h, c // h).transpose(1, 2)

        q, k, v = heads(s.query(x)), heads(s.key(x)), heads(s.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(c // h)
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c)
        return layer.attention.output.dense(ctx)

    def forward(self, ids, mask):
        pre = self.cfg["layerNorm"] == "pre"
        e = self.roberta.embeddings
        t = ids.shape[1]
        x = e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(torch.arange(t))[None])
        key_padding = mask == 0
        for layer in self.roberta.encoder.layer:
            ln1, ln2 = layer.attention.output.LayerNorm, layer.output.LayerNorm
            if pre:
                x = x + self.attend(layer, ln1(x), key_padding)
                x = x + layer.output.dense(F.gelu(layer.intermediate.dense(ln2(x))))
            else:
                x = ln1(x + self.attend(layer, x, key_padding))
                x = ln2(x + layer.output.dense(F.gelu(layer.intermediate.dense(x))))
        if pre:
            x = self.roberta.encoder.LayerNorm(x)
        return x

    def mlm_loss(self, hidden, positions, labels):
        h = hidden.reshape(-1, hidden.shape[-1])[positions]
        y = self.lm_head.layer_norm(F.gelu(self.lm_head.dense(h)))
        logits = y @ self.roberta.embeddings.word_embeddings.weight.T + self.lm_head.bias
        return F.cross_entropy(logits, labels)


def main():
    weights, inputs = sys.argv[1], sys.argv[2]
    with open(inputs) as f:
        inp = json.load(f)
    cfg = inp["config"]
    model = RobertaForMaskedLM(cfg)
    model.load_state_dict(read_safetensors(weights), strict=True)
    model.eval()
    b, t = inp["batchSize"], inp["seqLen"]
    ids = torch.tensor(inp["inputIds"], dtype=torch.long).view(b, t)
    mask = torch.tensor(inp["attentionMask"], dtype=torch.long).view(b, t)
    with torch.no_grad():
        hidden = model(ids, mask)
        loss = model.mlm_loss(
            hidden,
            torch.tensor(inp["maskedPositions"], dtype=torch.long),
            torch.tensor(inp["maskedLabels"], dtype=torch.long),
        )
    print(json.dumps({"loss": loss.item(), "hidden": hidden.reshape(-1).tolist(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
