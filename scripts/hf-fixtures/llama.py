"""Tiny random Llama-family checkpoints in Hugging Face folder layout, with reference logits, loss and gradients.

Run once with Debian's torch (no transformers here):  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/hf-fixtures/llama.py
Writes test/fixtures/hf/llama-*/{config.json, model.safetensors, reference.safetensors}.

The model below is written by hand to follow transformers' modeling_llama / modeling_qwen2 step by step:
RMSNorm (variance in float32, weight * normalized), rotate_half RoPE with cos/sin computed in float32 as
LlamaRotaryEmbedding does (inv_freq from the rope_init functions, llama3 and linear scaling included),
repeat_kv for grouped-query attention, softmax attention with an additive mask, SwiGLU MLP, final norm, lm_head
(tied to embed_tokens where the config says so). Everything after cos/sin runs in float64, so the reference is
tighter than any float32 implementation and the tests' tolerance measures the engine alone.

reference.safetensors holds one batch (row 1 packs two sequences: positions restart, no attention across):
tokens, targets, weights, segments, position_ids [B, T]; logits [B, T, V]; loss_sum (Σ w·nll, summed, not
averaged: the engine's convention); and grad.<name> = d loss_sum / d <name> for every parameter.
"""
import math
from pathlib import Path

import torch

from common import write_json, write_safetensors

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "hf"


def inv_freq_of(cfg):
    """transformers' rope_init_fn for default, linear and llama3 rope types, in float32 as HF computes them."""
    dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    base = cfg["rope_theta"]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    scaling = cfg.get("rope_scaling")
    if not scaling:
        return inv_freq
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        return inv_freq / scaling["factor"]
    assert kind == "llama3", kind
    factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def rotary_cos_sin(cfg, position_ids):
    """LlamaRotaryEmbedding.forward: freqs = inv_freq @ positions in float32, emb = cat(freqs, freqs)."""
    inv_freq = inv_freq_of(cfg)
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().double(), emb.sin().double()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin):
    cos = cos.unsqueeze(1)
    sin = sin.unsqueeze(1)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def linear(x, p, name):
    y = x @ p[name + ".weight"].T
    return y + p[name + ".bias"] if name + ".bias" in p else y


def forward(cfg, p, tokens, position_ids, segments):
    B, T = tokens.shape
    H = cfg["num_attention_heads"]
    Hkv = cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or cfg["hidden_size"] // H
    eps = cfg["rms_norm_eps"]
    # Additive mask: causal, and no attention across packed segments.
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None] & (segments[:, :, None] == segments[:, None, :])
    mask = torch.zeros(B, 1, T, T, dtype=torch.float64).masked_fill(~allowed[:, None], torch.finfo(torch.float64).min)
    cos, sin = rotary_cos_sin(cfg, position_ids)
    h = p["model.embed_tokens.weight"][tokens]
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        x = rms_norm(h, p[pre + "input_layernorm.weight"], eps)
        q = linear(x, p, pre + "self_attn.q_proj").view(B, T, H, hd).transpose(1, 2)
        k = linear(x, p, pre + "self_attn.k_proj").view(B, T, Hkv, hd).transpose(1, 2)
        v = linear(x, p, pre + "self_attn.v_proj").view(B, T, Hkv, hd).transpose(1, 2)
        q, k = apply_rotary_pos_emb(q, k, cos, sin)
        k = repeat_kv(k, H // Hkv)
        v = repeat_kv(v, H // Hkv)
        scores = q @ k.transpose(2, 3) / math.sqrt(hd) + mask
        att = torch.softmax(scores, dim=-1) @ v
        att = att.transpose(1, 2).reshape(B, T, H * hd)
        h = h + linear(att, p, pre + "self_attn.o_proj")
        x = rms_norm(h, p[pre + "post_attention_layernorm.weight"], eps)
        gate = linear(x, p, pre + "mlp.gate_proj")
        up = linear(x, p, pre + "mlp.up_proj")
        h = h + linear(torch.nn.functional.silu(gate) * up, p, pre + "mlp.down_proj")
    h = rms_norm(h, p["model.norm.weight"], eps)
    head = p["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else p["lm_head.weight"]
    return h @ head.T


def random_params(cfg, attention_bias, gen):
    V, D, F = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"]
    H, Hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or D // H
    # Larger than HF's 0.02 init, so attention is far from uniform and every path carries a visible gradient.
    def mat(rows, cols):
        return torch.randn(rows, cols, generator=gen) * (1.2 / math.sqrt(cols))

    def norm(n):
        return 1 + 0.2 * torch.randn(n, generator=gen)

    def bias(n):
        return 0.3 * torch.randn(n, generator=gen)

    p = {"model.embed_tokens.weight": torch.randn(V, D, generator=gen)}
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        p[pre + "input_layernorm.weight"] = norm(D)
        p[pre + "self_attn.q_proj.weight"] = mat(H * hd, D)
        p[pre + "self_attn.k_proj.weight"] = mat(Hkv * hd, D)
        p[pre + "self_attn.v_proj.weight"] = mat(Hkv * hd, D)
        if attention_bias:
            p[pre + "self_attn.q_proj.bias"] = bias(H * hd)
            p[pre + "self_attn.k_proj.bias"] = bias(Hkv * hd)
            p[pre + "self_attn.v_proj.bias"] = bias(Hkv * hd)
        p[pre + "self_attn.o_proj.weight"] = mat(D, H * hd)
        p[pre + "post_attention_layernorm.weight"] = norm(D)
        p[pre + "mlp.gate_proj.weight"] = mat(F, D)
        p[pre + "mlp.up_proj.weight"] = mat(F, D)
        p[pre + "mlp.down_proj.weight"] = mat(D, F)
    p["model.norm.weight"] = norm(D)
    if not cfg["tie_word_embeddings"]:
        p["lm_head.weight"] = mat(V, D)
    return {k: v.float() for k, v in p.items()}


def build(name, cfg, attention_bias, seed):
    gen = torch.Generator().manual_seed(seed)
    params = random_params(cfg, attention_bias, gen)
    B, T, V = 2, 12, cfg["vocab_size"]
    tokens = torch.randint(0, V, (B, T), generator=gen)
    targets = torch.randint(0, V, (B, T), generator=gen)
    weights = (torch.rand(B, T, generator=gen) < 0.75).double()
    segments = torch.tensor([[0] * T, [3] * 5 + [4] * (T - 5)])
    position_ids = torch.tensor([list(range(T)), list(range(5)) + list(range(T - 5))])

    p64 = {k: v.double().requires_grad_(True) for k, v in params.items()}
    logits = forward(cfg, p64, tokens, position_ids, segments)
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), reduction="none")
    loss_sum = (nll * weights.reshape(-1)).sum()
    loss_sum.backward()

    out = ROOT / name
    write_json(out / "config.json", cfg)
    write_safetensors(out / "model.safetensors", params, {"format": "pt"})
    ref = {
        "tokens": tokens.int(), "targets": targets.int(), "weights": weights.float(),
        "segments": segments.int(), "position_ids": position_ids.int(),
        "logits": logits.detach().float(), "loss_sum": loss_sum.detach().float().reshape(1),
    }
    for k, v in p64.items():
        ref["grad." + k] = v.grad.float()
    write_safetensors(out / "reference.safetensors", ref)
    print(f"{name}: loss_sum {loss_sum.item():.6f}, {sum(v.numel() for v in params.values())} parameters")


COMMON = {
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "initializer_range": 0.02,
    "torch_dtype": "float32",
    "transformers_version": "4.46.3",
    "use_cache": True,
}

# Llama 3.x style: grouped-query attention (4 heads over 2 kv heads), llama3 RoPE scaling with a frequency in the
# smoothed band (wavelength 62.8 between 128/4 and 128/1), untied lm_head, head_dim written out.
LLAMA3 = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    **COMMON,
    "head_dim": 8,
    "hidden_size": 32,
    "intermediate_size": 48,
    "max_position_embeddings": 1024,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "num_key_value_heads": 2,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                     "original_max_position_embeddings": 128, "rope_type": "llama3"},
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "vocab_size": 96,
}

# Qwen2.5 style: q/k/v biases, tied embeddings, one kv head for four query heads.
QWEN2 = {
    "architectures": ["Qwen2ForCausalLM"],
    **COMMON,
    "hidden_size": 32,
    "intermediate_size": 64,
    "max_position_embeddings": 128,
    "max_window_layers": 2,
    "model_type": "qwen2",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "num_key_value_heads": 1,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 1000000.0,
    "sliding_window": 128,
    "tie_word_embeddings": True,
    "use_sliding_window": False,
    "vocab_size": 96,
}

# An older Llama file: plain multi-head attention, linear RoPE scaling under the old "type" key, no head_dim.
LINEAR_MHA = {
    "architectures": ["LlamaForCausalLM"],
    **COMMON,
    "hidden_size": 24,
    "intermediate_size": 40,
    "max_position_embeddings": 256,
    "model_type": "llama",
    "num_attention_heads": 3,
    "num_hidden_layers": 2,
    "num_key_value_heads": 3,
    "rms_norm_eps": 1e-06,
    "rope_scaling": {"factor": 2.0, "type": "linear"},
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "vocab_size": 64,
}

if __name__ == "__main__":
    build("llama-llama3-gqa", LLAMA3, attention_bias=False, seed=1)
    build("llama-qwen2-tied-bias", QWEN2, attention_bias=True, seed=2)
    build("llama-linear-mha", LINEAR_MHA, attention_bias=False, seed=3)
