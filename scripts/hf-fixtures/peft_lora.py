"""A PEFT LoRA adapter for a tiny GPT-2 and the logits PEFT computes with it, as fixtures for
test/unit/engine/peftFixture.test.ts. Written by hand in torch (no peft/transformers here), following PEFT's
LoRA layer for GPT-2's Conv1D (fan_in_fan_out): the adapter is NOT merged, the forward adds
lora_B(lora_A(x)) * lora_alpha / r to each targeted layer's output, with lora_A.weight [r, in_features] and
lora_B.weight [out_features, r], and target_modules matched as PEFT does (the name, or a dotted suffix of the path).
The base is written in Instruct Studio's built-in format (config.json model_type instruct-studio-gpt, engine names).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/hf-fixtures/peft_lora.py test/fixtures/peft/gpt2-lora
"""
import math
import sys
from pathlib import Path

import torch

from common import write_json, write_safetensors

V, T, D, L, H = 263, 16, 16, 2, 2  # the byte-level tokenizer's vocabulary
R, ALPHA = 4, 8
TARGETS = ["c_attn", "c_proj"]  # c_proj matches attn.c_proj and mlp.c_proj, as in PEFT


def main(out):
    out = Path(out)
    g = torch.Generator().manual_seed(1234)
    rnd = lambda *shape, std=0.2: torch.randn(*shape, generator=g) * std
    base = {"wte.weight": rnd(V, D, std=0.5), "wpe.weight": rnd(T, D, std=0.1), "ln_f.weight": 1 + rnd(D, std=0.1), "ln_f.bias": rnd(D, std=0.1)}
    for i in range(L):
        p = f"h.{i}."
        base.update({
            p + "ln_1.weight": 1 + rnd(D, std=0.1), p + "ln_1.bias": rnd(D, std=0.1),
            p + "attn.c_attn.weight": rnd(D, 3 * D), p + "attn.c_attn.bias": rnd(3 * D, std=0.05),
            p + "attn.c_proj.weight": rnd(D, D), p + "attn.c_proj.bias": rnd(D, std=0.05),
            p + "ln_2.weight": 1 + rnd(D, std=0.1), p + "ln_2.bias": rnd(D, std=0.1),
            p + "mlp.c_fc.weight": rnd(D, 4 * D), p + "mlp.c_fc.bias": rnd(4 * D, std=0.05),
            p + "mlp.c_proj.weight": rnd(4 * D, D), p + "mlp.c_proj.bias": rnd(D, std=0.05),
        })
    # PEFT keys: base_model.model.<module path in GPT2LMHeadModel>.lora_{A,B}.weight
    modules = [f"transformer.h.{i}.{m}" for i in range(L) for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")]
    targeted = [m for m in modules if any(m == t or m.endswith("." + t) for t in TARGETS)]
    adapters = {}
    for m in targeted:
        w = base[m[len("transformer."):] + ".weight"]  # Conv1D: [in, out]
        fan_in, fan_out = w.shape
        adapters[f"base_model.model.{m}.lora_A.weight"] = rnd(R, fan_in, std=0.3)
        adapters[f"base_model.model.{m}.lora_B.weight"] = rnd(fan_out, R, std=0.3)

    def conv1d(x, name):
        y = x @ base[name + ".weight"] + base[name + ".bias"]
        key = f"base_model.model.transformer.{name}"
        if key + ".lora_A.weight" in adapters:  # PEFT: result + lora_B(lora_A(dropout(x))) * scaling, unmerged
            a, b = adapters[key + ".lora_A.weight"], adapters[key + ".lora_B.weight"]
            y = y + (x @ a.T) @ b.T * (ALPHA / R)
        return y

    def ln(x, p):
        return torch.nn.functional.layer_norm(x, (D,), base[p + ".weight"], base[p + ".bias"], 1e-5)

    def gelu_new(x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))

    def forward(ids):
        n = len(ids)
        h = base["wte.weight"][ids] + base["wpe.weight"][:n]
        mask = torch.full((n, n), float("-inf")).triu(1)
        for i in range(L):
            p = f"h.{i}."
            q, k, v = conv1d(ln(h, p + "ln_1"), p + "attn.c_attn").split(D, dim=-1)
            heads = lambda t: t.view(n, H, D // H).transpose(0, 1)
            att = torch.softmax(heads(q) @ heads(k).transpose(-1, -2) / math.sqrt(D // H) + mask, dim=-1)
            y = (att @ heads(v)).transpose(0, 1).reshape(n, D)
            h = h + conv1d(y, p + "attn.c_proj")
            h = h + conv1d(gelu_new(conv1d(ln(h, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
        return ln(h, "ln_f") @ base["wte.weight"].T

    sequences = [[257, 72, 101, 108, 108, 111], [257, 260, 65, 66, 67, 261, 49, 50, 51, 52, 258]]
    write_safetensors(out / "adapter_model.safetensors", adapters, {"format": "pt"})
    write_json(out / "adapter_config.json", {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "base", "revision": None,
        "inference_mode": True, "r": R, "lora_alpha": ALPHA, "lora_dropout": 0.0, "target_modules": TARGETS,
        "fan_in_fan_out": True, "bias": "none", "modules_to_save": None, "init_lora_weights": True,
        "layers_to_transform": None, "layers_pattern": None,
    })
    write_safetensors(out / "base" / "model.safetensors", base, {"format": "pt"})
    write_json(out / "base" / "config.json", {
        "model_type": "instruct-studio-gpt", "vocab_size": V, "n_positions": T, "n_embd": D, "n_layer": L, "n_head": H,
        "n_inner": 4 * D, "layer_norm_epsilon": 1e-5, "tie_word_embeddings": True,
    })
    write_json(out / "base" / "tokenizer.json", {
        "type": "byte-level", "special_tokens": ["<|pad|>", "<|bos|>", "<|eos|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"],
        "eos_token": "<|eos|>", "pad_id": 256,
    })
    with torch.no_grad():
        write_json(out / "reference.json", {
            "sequences": sequences,
            "last_logits_with_adapter": [forward(s)[-1].tolist() for s in sequences],
            "targeted_modules": targeted,
        })


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main(sys.argv[1])
