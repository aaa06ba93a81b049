"""The reference for `bench/decode_bench.ts --torch`: incremental greedy and beam decoding in PyTorch.

The model has the shape of lib/model's seq2seq (BART layout, post-LN, exact GELU, 4x feed-forward, tied output
projection plus a logits bias, learned positions), randomly initialised: only the time matters. Decoding
keeps a key/value cache as lib/model/decode.ts does: the encoder runs once, the cross-attention keys and
values are projected once, each step feeds one token per row through the decoder and appends its self-
attention keys and values; beam search reorders the cache rows by the surviving hypotheses. EOS is never
chosen, so every row runs to --length tokens (as in the TypeScript bench).

Usage: python3 bench/torch_decode.py --layers 3 --width 256 --heads 4 --vocab 8000 --src 30 --length 40 \
           --batch 16 --beam 4 --beam-batch 2 --threads 2
Prints one JSON line: {"greedySeconds", "beamSeconds", "torch", "threads"} (each the faster of 2 timed runs
after a warm-up).
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class Attention(torch.nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (torch.nn.Linear(c, c) for _ in range(4))

    def split(self, x):  # (B, T, C) -> (B, H, T, D)
        b, t, c = x.shape
        return x.view(b, t, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, x, keys, values, bias=None):
        q = self.split(self.q(x))
        s = q @ keys.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if bias is not None:
            s = s + bias
        ctx = (s.softmax(-1) @ values).transpose(1, 2).reshape(x.shape)
        return self.o(ctx)


class Block(torch.nn.Module):
    def __init__(self, c, heads, cross):
        super().__init__()
        self.self_attn = Attention(c, heads)
        self.ln1 = torch.nn.LayerNorm(c)
        self.cross = Attention(c, heads) if cross else None
        self.ln2 = torch.nn.LayerNorm(c) if cross else None
        self.fc1, self.fc2 = torch.nn.Linear(c, 4 * c), torch.nn.Linear(4 * c, c)
        self.ln3 = torch.nn.LayerNorm(c)

    def forward(self, x, cache=None, memory=None):
        a = self.self_attn
        k, v = a.split(a.k(x)), a.split(a.v(x))
        if cache is not None:  # decoder: append this step's keys and values
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        x = self.ln1(x + a(x, k, v))
        if self.cross is not None:
            x = self.ln2(x + self.cross(x, memory["k"], memory["v"]))
        return self.ln3(x + self.fc2(F.gelu(self.fc1(x))))


class Seq2Seq(torch.nn.Module):
    def __init__(self, layers, c, heads, vocab, positions):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, c)
        self.enc_pos, self.dec_pos = torch.nn.Embedding(positions, c), torch.nn.Embedding(positions, c)
        self.enc_ln, self.dec_ln = torch.nn.LayerNorm(c), torch.nn.LayerNorm(c)
        self.encoder = torch.nn.ModuleList(Block(c, heads, False) for _ in range(layers))
        self.decoder = torch.nn.ModuleList(Block(c, heads, True) for _ in range(layers))
        self.logits_bias = torch.nn.Parameter(torch.zeros(vocab))

    def encode(self, src):
        x = self.enc_ln(self.embed(src) + self.enc_pos(torch.arange(src.shape[1])))
        for block in self.encoder:
            x = block(x)
        # Cross-attention keys and values of every decoder layer, projected once.
        return [{"k": b.cross.split(b.cross.k(x)), "v": b.cross.split(b.cross.v(x))} for b in self.decoder]

    def step(self, tokens, position, caches, memories):  # tokens (R,) -> log-probabilities (R, V)
        x = self.dec_ln(self.embed(tokens)[:, None] + self.dec_pos.weight[position])
        for block, cache, memory in zip(self.decoder, caches, memories):
            x = block(x, cache, memory)
        return F.log_softmax(x[:, 0] @ self.embed.weight.T + self.logits_bias, -1)


def greedy(model, src, length, bos, eos):
    memories = model.encode(src)
    caches = [{} for _ in model.decoder]
    tokens = torch.full((src.shape[0],), bos)
    out = []
    for t in range(length):
        logp = model.step(tokens, t, caches, memories)
        logp[:, eos] = -math.inf
        tokens = logp.argmax(-1)
        out.append(tokens)
    return torch.stack(out, 1)


def beam(model, src, length, k, bos, eos):
    b = src.shape[0]
    memories = [{n: m.repeat_interleave(k, 0) for n, m in mem.items()} for mem in model.encode(src)]
    caches = [{} for _ in model.decoder]
    tokens = torch.full((b * k,), bos)
    scores = torch.zeros(b, k)
    scores[:, 1:] = -math.inf  # all beams start as the same hypothesis
    history = torch.zeros(b * k, 0, dtype=torch.long)
    for t in range(length):
        logp = model.step(tokens, t, caches, memories)
        logp[:, eos] = -math.inf
        v = logp.shape[1]
        total = (scores.view(b * k, 1) + logp).view(b, k * v)
        scores, best = total.topk(k, -1)
        rows = (best // v + torch.arange(b)[:, None] * k).view(-1)
        tokens = (best % v).view(-1)
        for cache in caches:
            cache["k"], cache["v"] = cache["k"][rows], cache["v"][rows]
        history = torch.cat([history[rows], tokens[:, None]], 1)
    return history.view(b, k, -1)[:, 0]


def timed(f):
    f()
    best = math.inf
    for _ in range(2):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    p = argparse.ArgumentParser()
    for name, default in [("layers", 3), ("width", 256), ("heads", 4), ("vocab", 8000), ("src", 30),
                          ("length", 40), ("batch", 16), ("beam", 4), ("beam-batch", 2), ("threads", 2)]:
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Seq2Seq(a.layers, a.width, a.heads, a.vocab, max(64, a.length)).eval()
    src = 5 + (torch.arange(a.batch * a.src) * 7919) % 7000
    src = src.view(a.batch, a.src)
    with torch.inference_mode():
        g = timed(lambda: greedy(model, src, a.length, 0, 2))
        bm = timed(lambda: beam(model, src[: a.beam_batch], a.length, a.beam, 0, 2))
    print(json.dumps({"greedySeconds": g, "beamSeconds": bm, "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
