"""The reference for `deno task bench`: one MLM training step of the same encoder in PyTorch.

The model mirrors lib/model (RoBERTa names and layout): word + position embeddings, embedding LayerNorm,
post-LN layers with exact (erf) GELU and a 4x feed-forward, heads of 64, an additive key-padding bias,
the MLM head (dense, GELU, LayerNorm, decoder tied to the word embeddings, output bias) over the masked
positions only, mean cross-entropy, and AdamW (betas 0.9/0.98, eps 1e-6, weight decay 0.01 on all but
biases and LayerNorms) - lib/train's defaults.

Usage: python3 bench/torch_step.py --width 128 --layers 2 --batch 32 --length 64 --vocab 2048 \
           --threads 2 --steps 10 --seconds 20 [--dropout 0]
Prints one JSON line: {"tokensPerSecond", "msPerStep" (mean), "msBest" (fastest step), "steps", "torch",
"threads"}.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class Layer(torch.nn.Module):
    def __init__(self, c, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.query = torch.nn.Linear(c, c)
        self.key = torch.nn.Linear(c, c)
        self.value = torch.nn.Linear(c, c)
        self.out = torch.nn.Linear(c, c)
        self.ln1 = torch.nn.LayerNorm(c, eps=1e-5)
        self.inter = torch.nn.Linear(c, ffn)
        self.output = torch.nn.Linear(ffn, c)
        self.ln2 = torch.nn.LayerNorm(c, eps=1e-5)
        self.drop = torch.nn.Dropout(dropout)

    def forward(self, x, bias, b, t):  # x (B*T, C)
        c = x.shape[1]
        h, hs = self.heads, c // self.heads
        split = lambda y: y.view(b, t, h, hs).transpose(1, 2)  # (B, H, T, hs)
        q = split(self.query(x) * (1 / math.sqrt(hs)))
        k = split(self.key(x))
        v = split(self.value(x))
        probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) + bias, dim=-1))  # (B, H, T, T)
        ctx = (probs @ v).transpose(1, 2).reshape(b * t, c)
        x = self.ln1(x + self.drop(self.out(ctx)))
        return self.ln2(x + self.drop(self.output(F.gelu(self.inter(x)))))


class Mlm(torch.nn.Module):
    def __init__(self, v, c, layers, length, dropout):
        super().__init__()
        self.word = torch.nn.Embedding(v, c)
        self.pos = torch.nn.Embedding(length, c)
        self.ln = torch.nn.LayerNorm(c, eps=1e-5)
        self.layers = torch.nn.ModuleList(Layer(c, c // 64 if c >= 64 else 1, 4 * c, dropout) for _ in range(layers))
        self.dense = torch.nn.Linear(c, c)
        self.head_ln = torch.nn.LayerNorm(c, eps=1e-5)
        self.head_bias = torch.nn.Parameter(torch.zeros(v))
        self.drop = torch.nn.Dropout(dropout)
        for p in self.parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, ids, mask, positions, labels):
        b, t = ids.shape
        x = self.drop(self.ln((self.word(ids) + self.pos.weight[:t]).view(b * t, -1)))
        bias = ((1 - mask.float()) * -1e9).view(b, 1, 1, t)
        for layer in self.layers:
            x = layer(x, bias, b, t)
        h = self.head_ln(F.gelu(self.dense(x[positions])))
        logits = h @ self.word.weight.t() + self.head_bias
        return F.cross_entropy(logits, labels)


def main():
    p = argparse.ArgumentParser()
    for name, default in [("width", 128), ("layers", 2), ("batch", 32), ("length", 64), ("vocab", 2048),
                          ("threads", 2), ("steps", 10), ("warmup", 2)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--dropout", type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Mlm(a.vocab, a.width, a.layers, a.length, a.dropout)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "ln" in n)]
    rest = [p for n, p in model.named_parameters() if n.endswith("bias") or "ln" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.98), eps=1e-6)
    ids = torch.randint(0, a.vocab, (a.batch, a.length))
    mask = torch.ones(a.batch, a.length, dtype=torch.uint8)
    # 15% of positions, the same count the Deno side masks.
    count = max(1, round(0.15 * a.batch * a.length))
    positions = torch.randperm(a.batch * a.length)[:count].sort().values
    labels = torch.randint(0, a.vocab, (count,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(ids, mask, positions, labels)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times, t0 = [], time.perf_counter()
    while len(times) < a.steps and (not times or time.perf_counter() - t0 < a.seconds):
        s0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - s0)
    dt = sum(times) / len(times)
    print(json.dumps({"tokensPerSecond": a.batch * a.length / dt, "msPerStep": dt * 1000,
                      "msBest": min(times) * 1000, "steps": len(times),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
