#!/usr/bin/env python3
"""PyTorch reference of the engine's tiny GPT and training step (src/trainer/engine), for the benchmark.

Same architecture and parameter names as the TypeScript engine (HF GPT-2 layout: Conv1D weights are
[in, out]; lm_head tied to wte), weighted cross-entropy, torch.optim.AdamW with weight decay on the
matrices except wpe, clip_grad_norm_.

  speed:   torch_reference.py --vocab 1024 --d-model 256 --layers 4 --heads 4 --context 128 --batch 8 --steps 20
  parity:  torch_reference.py --init DIR    (DIR written by bench/train.bench.ts: config, weights, batches)

Prints one JSON object: tokens_per_second, losses, grad_norms, torch, threads.
Run with OMP_WAIT_POLICY=PASSIVE: with OpenBLAS on 2 cores, spinning OpenMP threads starve it.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, f, eps):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(d, eps=eps)
        self.attn = torch.nn.Module()
        self.attn.c_attn = Conv1D(d, 3 * d)
        self.attn.c_proj = Conv1D(d, d)
        self.ln_2 = torch.nn.LayerNorm(d, eps=eps)
        self.mlp = torch.nn.Module()
        self.mlp.c_fc = Conv1D(d, f)
        self.mlp.c_proj = Conv1D(f, d)


class Conv1D(torch.nn.Module):
    """HF GPT-2's Conv1D: y = x @ W + b with W as [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(n_in, n_out))
        self.bias = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).reshape(*x.shape[:-1], -1)


class GPT(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c["dModel"]
        self.wte = torch.nn.Embedding(c["vocabSize"], d)
        self.wpe = torch.nn.Embedding(c["contextLength"], d)
        self.h = torch.nn.ModuleList(Block(d, c["dFF"], c["layerNormEps"]) for _ in range(c["nLayers"]))
        self.ln_f = torch.nn.LayerNorm(d, eps=c["layerNormEps"])
        for n, p in self.named_parameters():
            torch.nn.init.normal_(p, std=0.02) if p.dim() == 2 else None
            if n.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, std=0.02 / math.sqrt(2 * c["nLayers"]))

    def forward(self, tokens, mask, positions):
        B, T = tokens.shape
        H = self.c["nHeads"]
        hd = self.c["dModel"] // H
        x = self.wte(tokens) + self.wpe(positions)
        for blk in self.h:
            a = blk.attn.c_attn(blk.ln_1(x))
            q, k, v = a.view(B, T, 3, H, hd).permute(2, 0, 3, 1, 4)
            att = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask
            y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H * hd)
            x = x + blk.attn.c_proj(y)
            x = x + blk.mlp.c_proj(F.gelu(blk.mlp.c_fc(blk.ln_2(x)), approximate="tanh"))
        return self.ln_f(x) @ self.wte.weight.t()


def make_inputs(tokens, segments, T):
    """Positions restart at each segment; attention only within a segment and causal, like the engine."""
    B = tokens.shape[0]
    if segments is None:
        positions = torch.arange(T).expand(B, T)
        allowed = torch.tril(torch.ones(T, T, dtype=torch.bool)).expand(B, T, T)
    else:
        same = segments[:, :, None] == segments[:, None, :]
        allowed = same & torch.tril(torch.ones(T, T, dtype=torch.bool))
        starts = torch.ones_like(segments, dtype=torch.bool)
        starts[:, 1:] = segments[:, 1:] != segments[:, :-1]
        idx = torch.arange(T).expand(B, T)
        last_start = torch.cummax(torch.where(starts, idx, torch.zeros_like(idx)), dim=1).values
        positions = idx - last_start
    mask = torch.zeros(B, 1, T, T)
    mask.masked_fill_(~allowed[:, None], -1e9)
    return mask, positions


def optimizer_for(model, s):
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "wpe.weight"]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "wpe.weight")]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": s["weightDecay"]}, {"params": rest, "weight_decay": 0.0}],
        lr=s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"],
    )


def train_step(model, opt, micro, settings):
    opt.zero_grad(set_to_none=True)
    total_w = sum(float(m["weights"].sum()) for m in micro)
    loss_sum = 0.0
    for m in micro:
        logits = model(m["tokens"], m["mask"], m["positions"])
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), m["targets"].reshape(-1).clamp(min=0), reduction="none")
        l = (nll * m["weights"].reshape(-1)).sum()
        (l / total_w).backward()
        loss_sum += float(l)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), settings["clipNorm"]) if settings["clipNorm"] > 0 else torch.tensor(0.0)
    opt.step()
    return loss_sum / total_w, float(norm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", help="folder with config.json, params.bin, batches.bin (parity mode)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    if a.init:
        with open(os.path.join(a.init, "config.json")) as f:
            spec = json.load(f)
        c = spec["config"]
        model = GPT(c)
        flat = torch.frombuffer(bytearray(open(os.path.join(a.init, "params.bin"), "rb").read()), dtype=torch.float32)
        params = dict(model.named_parameters())
        with torch.no_grad():
            for p in spec["layout"]:
                params[p["name"]].copy_(flat[p["offset"]:p["offset"] + p["size"]].view(p["shape"]))
        raw = open(os.path.join(a.init, "batches.bin"), "rb").read()
        steps = []
        off = 0
        for step in spec["steps"]:
            micro = []
            for b in step:
                n = b["batchSize"] * b["seqLen"]
                def take(dtype):
                    nonlocal off
                    t = torch.frombuffer(bytearray(raw[off:off + 4 * n]), dtype=dtype).view(b["batchSize"], b["seqLen"])
                    off += 4 * n
                    return t
                tokens, targets, weights = take(torch.int32).long(), take(torch.int32).long(), take(torch.float32)
                segments = take(torch.int32) if b.get("segments") else None
                mask, positions = make_inputs(tokens, segments, b["seqLen"])
                micro.append({"tokens": tokens, "targets": targets, "weights": weights, "mask": mask, "positions": positions})
            steps.append(micro)
        opt = optimizer_for(model, spec["optimizer"])
        losses, norms = [], []
        for micro in steps:
            l, n = train_step(model, opt, micro, spec["optimizer"])
            losses.append(l)
            norms.append(n)
        print(json.dumps({"losses": losses, "grad_norms": norms, "torch": torch.__version__, "threads": a.threads}))
        return

    c = {"vocabSize": a.vocab, "contextLength": a.context, "dModel": a.d_model, "nLayers": a.layers,
         "nHeads": a.heads, "dFF": 4 * a.d_model, "layerNormEps": 1e-5}
    model = GPT(c)
    settings = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1, "clipNorm": 1.0}
    opt = optimizer_for(model, settings)
    g = torch.Generator().manual_seed(1)
    B, T = a.batch, a.context
    mask, positions = make_inputs(torch.zeros(B, T, dtype=torch.long), None, T)
    def batch():
        tokens = torch.randint(0, a.vocab, (B, T), generator=g)
        return [{"tokens": tokens, "targets": torch.roll(tokens, -1, 1), "weights": torch.ones(B, T), "mask": mask, "positions": positions}]
    for _ in range(a.warmup):
        train_step(model, opt, batch(), settings)
    losses = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        losses.append(train_step(model, opt, batch(), settings)[0])
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"tokens_per_second": B * T * a.steps / dt, "tokens_per_cpu_second": B * T * a.steps / cpu, "losses": losses, "torch": torch.__version__,
                      "threads": a.threads, "params": sum(p.numel() for p in model.parameters()),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    sys.exit(main())
