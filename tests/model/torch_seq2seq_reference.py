"""Independent PyTorch reference for the encoder-decoder parity test.

Builds a BART-style encoder-decoder from torch.nn modules whose names match HF BART, loads our safetensors
file with load_state_dict(strict=True), and prints the teacher-forced loss (plain and label-smoothed) as
JSON.

Usage: python3 torch_seq2seq_reference.py WEIGHTS.safetensors INPUT.json
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_reference import read_safetensors


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(c, c) for _ in range(4))

    def forward(self, x, mem, heads, mask):
        """mask: bool, broadcastable to (B, H, Tq, Tk); True where attending is forbidden."""
        b, tq, c = x.shape
        tk = mem.shape[1]
        hs = c // heads
        q = self.q_proj(x).view(b, tq, heads, hs).transpose(1, 2)
        k = self.k_proj(mem).view(b, tk, heads, hs).transpose(1, 2)
        v = self.v_proj(mem).view(b, tk, heads, hs).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2) / math.sqrt(hs)).masked_fill(mask, float("-inf"))
        return self.out_proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, tq, c))


class Layer(nn.Module):
    def __init__(self, c, f, eps, decoder):
        super().__init__()
        self.self_attn, self.self_attn_layer_norm = Attention(c), nn.LayerNorm(c, eps=eps)
        if decoder:
            self.encoder_attn, self.encoder_attn_layer_norm = Attention(c), nn.LayerNorm(c, eps=eps)
        self.fc1, self.fc2, self.final_layer_norm = nn.Linear(c, f), nn.Linear(f, c), nn.LayerNorm(c, eps=eps)

    def forward(self, x, self_mask, heads, pre, mem=None, mem_mask=None):
        def sub(x, norm, f):
            return x + f(norm(x)) if pre else norm(x + f(x))

        x = sub(x, self.self_attn_layer_norm, lambda y: self.self_attn(y, y, heads, self_mask))
        if mem is not None:
            x = sub(x, self.encoder_attn_layer_norm, lambda y: self.encoder_attn(y, mem, heads, mem_mask))
        return sub(x, self.final_layer_norm, lambda y: self.fc2(F.gelu(self.fc1(y))))


class Stack(nn.Module):
    def __init__(self, cfg, layers, decoder):
        super().__init__()
        c, eps = cfg["hiddenSize"], cfg["layerNormEps"]
        if not cfg["shareEmbeddings"]:
            self.embed_tokens = nn.Embedding(cfg["vocabSize"], c)
        self.embed_positions = nn.Embedding(cfg["maxPositions"], c)
        self.layernorm_embedding = nn.LayerNorm(c, eps=eps)
        self.layers = nn.ModuleList(Layer(c, cfg["intermediateSize"], eps, decoder) for _ in range(layers))
        if cfg["layerNorm"] == "pre":
            self.layer_norm = nn.LayerNorm(c, eps=eps)


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        if cfg["shareEmbeddings"]:
            self.shared = nn.Embedding(cfg["vocabSize"], cfg["hiddenSize"])
        self.encoder = Stack(cfg, cfg["encoderLayers"], False)
        self.decoder = Stack(cfg, cfg["decoderLayers"], True)


class Seq2Seq(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Model(cfg)
        self.final_logits_bias = nn.Parameter(torch.zeros(1, cfg["vocabSize"]))

    def table(self, stack):
        return self.model.shared if self.cfg["shareEmbeddings"] else stack.embed_tokens

    def run(self, stack, ids, self_mask, mem=None, mem_mask=None):
        pre, heads = self.cfg["layerNorm"] == "pre", self.cfg["numHeads"]
        t = ids.shape[1]
        x = stack.layernorm_embedding(self.table(stack)(ids) + stack.embed_positions(torch.arange(t))[None])
        for layer in stack.layers:
            x = layer(x, self_mask, heads, pre, mem, mem_mask)
        return stack.layer_norm(x) if pre else x

    def forward(self, src, src_mask, dec):
        pad = (src_mask == 0)[:, None, None, :]
        mem = self.run(self.model.encoder, src, pad)
        t = dec.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)[None, None]
        h = self.run(self.model.decoder, dec, causal, mem, pad)
        return h @ self.table(self.model.decoder).weight.T + self.final_logits_bias


def main():
    with open(sys.argv[2]) as f:
        inp = json.load(f)
    cfg = inp["config"]
    model = Seq2Seq(cfg)
    model.load_state_dict(read_safetensors(sys.argv[1]), strict=True)
    model.eval()
    b, s, t = inp["batchSize"], inp["srcLen"], inp["tgtLen"]

    def tensor(name, n):
        return torch.tensor(inp[name], dtype=torch.long).view(b, n)

    with torch.no_grad():
        logits = model(tensor("srcIds", s), tensor("srcMask", s), tensor("decoderInputIds", t))
        v = logits.shape[-1]
        target, weight = tensor("targetIds", t).reshape(-1), tensor("targetMask", t).reshape(-1).float()
        out = {}
        for key, eps in (("loss", 0.0), ("smoothed", 0.1)):
            rows = F.cross_entropy(logits.reshape(-1, v), target, reduction="none", label_smoothing=eps)
            out[key] = ((rows * weight).sum() / weight.sum()).item()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
