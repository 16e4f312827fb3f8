"""Tiny random GPT-2 folders and reference logits for the loader's numerics tests.

Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/hf-fixtures/gpt2.py
Writes test/fixtures/hf/gpt2-tiny{,-fp16,-bf16,-sharded}/ and test/fixtures/hf/gpt2-tiny-reference.safetensors.

No `transformers` here: the forward below is written by hand to follow transformers' modeling_gpt2.py
(GPT2LMHeadModel, eager attention) step by step: Conv1D weights are [in, out] and applied as x @ W + b, gelu_new is
the tanh approximation, LayerNorm uses layer_norm_epsilon, attention scores are divided by sqrt(head_dim) and masked
with the dtype's minimum, the output projection is tied to wte.
"""
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import write_json, write_safetensors  # noqa: E402
from tokenizers_ref import byte_level_bpe_tokenizer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "hf"

N_EMBD, N_LAYER, N_HEAD, N_POSITIONS, EPS = 16, 2, 4, 32, 1e-5


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def forward(p, ids):
    """Logits [T, V] for one sequence, as GPT2LMHeadModel computes them in fp32."""
    T = len(ids)
    hd = N_EMBD // N_HEAD
    h = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(T)]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(N_LAYER):
        q = lambda n: p[f"h.{i}.{n}"]  # noqa: E731
        a = torch.nn.functional.layer_norm(h, (N_EMBD,), q("ln_1.weight"), q("ln_1.bias"), EPS)
        qkv = a @ q("attn.c_attn.weight") + q("attn.c_attn.bias")
        qq, kk, vv = qkv.split(N_EMBD, dim=-1)
        heads = lambda t: t.view(T, N_HEAD, hd).transpose(0, 1)  # noqa: E731
        qq, kk, vv = heads(qq), heads(kk), heads(vv)
        w = qq @ kk.transpose(-1, -2) / math.sqrt(hd)
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min))
        w = torch.softmax(w, dim=-1)
        y = (w @ vv).transpose(0, 1).reshape(T, N_EMBD)
        h = h + (y @ q("attn.c_proj.weight") + q("attn.c_proj.bias"))
        m = torch.nn.functional.layer_norm(h, (N_EMBD,), q("ln_2.weight"), q("ln_2.bias"), EPS)
        f = gelu_new(m @ q("mlp.c_fc.weight") + q("mlp.c_fc.bias"))
        h = h + (f @ q("mlp.c_proj.weight") + q("mlp.c_proj.bias"))
    h = torch.nn.functional.layer_norm(h, (N_EMBD,), p["ln_f.weight"], p["ln_f.bias"], EPS)
    return h @ p["wte.weight"].T


def random_params(vocab, gen):
    # Larger than GPT-2's 0.02 init so the logits differ enough for the comparison to mean something.
    n = lambda *s, std=0.2: torch.randn(*s, generator=gen) * std  # noqa: E731
    D, F = N_EMBD, 4 * N_EMBD
    p = {"wte.weight": n(vocab, D, std=0.5), "wpe.weight": n(N_POSITIONS, D, std=0.3)}
    for i in range(N_LAYER):
        pre = f"h.{i}."
        p[pre + "ln_1.weight"] = 1 + n(D, std=0.1)
        p[pre + "ln_1.bias"] = n(D, std=0.1)
        p[pre + "attn.c_attn.weight"] = n(D, 3 * D, std=0.4)
        p[pre + "attn.c_attn.bias"] = n(3 * D, std=0.1)
        p[pre + "attn.c_proj.weight"] = n(D, D)
        p[pre + "attn.c_proj.bias"] = n(D, std=0.1)
        p[pre + "ln_2.weight"] = 1 + n(D, std=0.1)
        p[pre + "ln_2.bias"] = n(D, std=0.1)
        p[pre + "mlp.c_fc.weight"] = n(D, F, std=0.3)
        p[pre + "mlp.c_fc.bias"] = n(F, std=0.1)
        p[pre + "mlp.c_proj.weight"] = n(F, D)
        p[pre + "mlp.c_proj.bias"] = n(D, std=0.1)
    p["ln_f.weight"] = 1 + n(D, std=0.1)
    p["ln_f.bias"] = n(D, std=0.1)
    return p


def config(vocab, eos_id, dtype):
    # The keys transformers' GPT2Config.to_json_string writes (the ones that matter, and a few it always writes).
    return {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "vocab_size": vocab, "n_positions": N_POSITIONS, "n_embd": N_EMBD, "n_layer": N_LAYER, "n_head": N_HEAD,
        "n_inner": None, "layer_norm_epsilon": EPS, "initializer_range": 0.02, "bos_token_id": eos_id, "eos_token_id": eos_id,
        "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "scale_attn_weights": True, "use_cache": True,
        "tie_word_embeddings": True, "torch_dtype": dtype, "transformers_version": "4.44.0",
    }


def write_folder(name, params, tok, dtype, *, shards=1, prefix="transformer.", buffers=False):
    d = ROOT / name
    cast = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
    tensors = {prefix + k: v.to(cast) for k, v in params.items()}
    if buffers:
        # The original openai-community/gpt2 upload carries the causal-mask buffers as tensors: loaders skip them.
        for i in range(N_LAYER):
            tensors[f"{prefix}h.{i}.attn.bias"] = torch.tril(torch.ones(N_POSITIONS, N_POSITIONS)).view(1, 1, N_POSITIONS, N_POSITIONS)
            tensors[f"{prefix}h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    write_json(d / "config.json", config(tok["vocab_size"], tok["eos_id"], dtype))
    write_json(d / "tokenizer.json", tok["tokenizer_json"])
    write_json(d / "tokenizer_config.json", tok["tokenizer_config"])
    write_json(d / "generation_config.json", {"bos_token_id": tok["eos_id"], "eos_token_id": tok["eos_id"], "transformers_version": "4.44.0"})
    if shards == 1:
        write_safetensors(d / "model.safetensors", tensors, {"format": "pt"})
        return
    names = sorted(tensors)
    groups = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map = {}
    total = 0
    for s, group in enumerate(groups):
        file = f"model-{s + 1:05d}-of-{len(groups):05d}.safetensors"
        write_safetensors(d / file, {k: tensors[k] for k in group}, {"format": "pt"})
        for k in group:
            weight_map[k] = file
            total += tensors[k].numel() * tensors[k].element_size()
    write_json(d / "model.safetensors.index.json", {"metadata": {"total_size": total}, "weight_map": weight_map})


def main():
    torch.manual_seed(0)
    tok = byte_level_bpe_tokenizer()
    gen = torch.Generator().manual_seed(1234)
    params = random_params(tok["vocab_size"], gen)
    write_folder("gpt2-tiny", params, tok, "float32")
    write_folder("gpt2-tiny-fp16", params, tok, "float16")
    write_folder("gpt2-tiny-bf16", params, tok, "bfloat16")
    write_folder("gpt2-tiny-sharded", params, tok, "float32", shards=2, prefix="", buffers=True)

    # Reference logits: every position of a prompt the reference tokenizer encodes, from the fp32 weights; and the last
    # three positions from the weights rounded to fp16 / bf16 (what those folders hold), so each variant has its own
    # exact reference.
    ids = tok["encode"]("Hello world, the quick brown fox.<|endoftext|> It said")
    assert len(ids) <= N_POSITIONS
    out = {"ids": torch.tensor(ids, dtype=torch.int32)}
    with torch.no_grad():
        out["logits"] = forward(params, ids)
        for dt, cast in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
            out[f"logits_{dt}"] = forward({k: v.to(cast).float() for k, v in params.items()}, ids)[-3:]
        # Greedy continuation of 8 tokens, recomputing the whole sequence each time (no cache): what generation must give.
        seq = list(ids[:6])
        for _ in range(8):
            seq.append(int(forward(params, seq)[-1].argmax()))
        out["greedy"] = torch.tensor(seq[6:], dtype=torch.int32)
    write_safetensors(ROOT / "gpt2-tiny-reference.safetensors", out, {"prompt_length": 6})
    print("ids", ids)
    print("greedy", out["greedy"].tolist())


if __name__ == "__main__":
    main()
