"""Hand-built tokenizer.json files and an independent reference encoder for them (no `tokenizers` package here).

Run: /usr/bin/python3 scripts/hf-fixtures/tokenizers_ref.py
Writes test/fixtures/hf/sp-tokenizer/ (a Llama-2-style SentencePiece BPE with byte fallback) and
test/fixtures/hf/tokenizer-ids.json: the ids this reference gives for test strings, for that tokenizer and for the
GPT-2-style byte-level BPE that gpt2.py puts in gpt2-tiny/ (same construction, same merges).

The encoders follow the Rust `tokenizers` crate's semantics: added (special) tokens are split out first, each
remaining segment is normalized and pre-tokenized on its own, then BPE merges the lowest-ranked pair first.
"""
import json
import sys
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).parent))
from common import write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "hf"

CORPUS = (
    "the quick brown fox jumps over the lazy dog. the dog sleeps in the sun. hello world, the world is wide. "
    "they said that the answer is in the question. it is what it is. reverse the word and sort the numbers."
)

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

TEST_STRINGS = [
    "Hello world",
    "the quick brown fox jumps over the lazy dog.",
    "  two  spaces and\ttab\nnewline",
    "héllo wörld ✓ 🙂",
    "it's what they'll do",
    "12345 numbers 67",
]


def bytes_to_unicode():
    """GPT-2's reversible byte → printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def learn_merges(words, count):
    """Plain BPE training: repeatedly merge the most frequent adjacent pair (ties: first seen)."""
    seqs = [list(w) for w in words]
    merges = []
    for _ in range(count):
        freq = {}
        for s in seqs:
            for a, b in zip(s, s[1:]):
                freq[(a, b)] = freq.get((a, b), 0) + 1
        if not freq:
            break
        best = max(freq.items(), key=lambda kv: kv[1])[0]
        merges.append(best)
        for s in seqs:
            i = 0
            while i < len(s) - 1:
                if (s[i], s[i + 1]) == best:
                    s[i:i + 2] = [s[i] + s[i + 1]]
                i += 1
    return merges


def bpe(symbols, ranks):
    """Merges the lowest-ranked adjacent pair everywhere it occurs (left to right), until no pair is ranked."""
    parts = list(symbols)
    while len(parts) > 1:
        best = min(((ranks.get((a, b), float("inf")), (a, b)) for a, b in zip(parts, parts[1:])), key=lambda x: x[0])
        if best[0] == float("inf"):
            break
        a, b = best[1]
        out, i = [], 0
        while i < len(parts):
            if i < len(parts) - 1 and parts[i] == a and parts[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(parts[i])
                i += 1
        parts = out
    return parts


def split_special(text, specials):
    if not specials:
        return [(text, False)]
    pat = "(" + "|".join(regex.escape(s) for s in specials) + ")"
    return [(piece, piece in specials) for piece in regex.split(pat, text) if piece]


def byte_level_bpe_tokenizer(merge_count=43):
    b2u = bytes_to_unicode()
    words = ["".join(b2u[b] for b in w.encode()) for w in regex.findall(GPT2_PATTERN, CORPUS)]
    merges = learn_merges(words, merge_count)
    vocab = {}
    for b in sorted(b2u, key=lambda b: (b2u[b] not in [chr(c) for c in range(33, 127)] and ord(b2u[b]) > 255, ord(b2u[b]))):
        vocab.setdefault(b2u[b], len(vocab))
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    eos = "<|endoftext|>"
    eos_id = len(vocab)
    ranks = {m: i for i, m in enumerate(merges)}

    def encode(text):
        ids = []
        for piece, special in split_special(text, [eos]):
            if special:
                ids.append(eos_id)
                continue
            for word in regex.findall(GPT2_PATTERN, piece):
                ids += [vocab[t] for t in bpe("".join(b2u[b] for b in word.encode()), ranks)]
        return ids

    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": eos_id, "content": eos, "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    tokenizer_config = {
        "add_prefix_space": False, "bos_token": eos, "eos_token": eos, "unk_token": eos,
        "model_max_length": 32, "tokenizer_class": "GPT2Tokenizer", "clean_up_tokenization_spaces": False,
    }
    return {"tokenizer_json": tokenizer_json, "tokenizer_config": tokenizer_config, "vocab_size": eos_id + 1, "eos_id": eos_id, "encode": encode}


def sentencepiece_bpe_tokenizer(merge_count=40):
    """Llama-2 style: Prepend("▁") + Replace(" " → "▁") normalizer, no pre-tokenizer, BPE with byte fallback."""
    sp = "\u2581"
    specials = ["<unk>", "<s>", "</s>"]
    vocab = {s: i for i, s in enumerate(specials)}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    words = [sp + w for w in CORPUS.split(" ")]
    for ch in sorted(set("".join(words))):
        vocab.setdefault(ch, len(vocab))
    merges = learn_merges(words, merge_count)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    ranks = {m: i for i, m in enumerate(merges)}

    def encode(text):
        ids = []
        for piece, special in split_special(text, specials):
            if special:
                ids.append(vocab[piece])
                continue
            normalized = sp + piece.replace(" ", sp)
            symbols = []
            for ch in normalized:
                if ch in vocab:
                    symbols.append(ch)
                else:
                    symbols += [f"<0x{b:02X}>" for b in ch.encode()]
            ids += [vocab[t] for t in bpe(symbols, ranks)]
        return ids

    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True} for i, s in enumerate(specials)],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": sp}, {"type": "Replace", "pattern": {"String": " "}, "content": sp}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": sp}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    tokenizer_config = {
        "add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": None,
        "legacy": True, "model_max_length": 2048, "tokenizer_class": "LlamaTokenizer", "clean_up_tokenization_spaces": False,
        "chat_template": "{% for message in messages %}{{ bos_token + '[' + message['role'] + '] ' + message['content'] + eos_token }}{% endfor %}",
    }
    return {"tokenizer_json": tokenizer_json, "tokenizer_config": tokenizer_config, "vocab_size": len(vocab), "encode": encode}


def main():
    gpt2 = byte_level_bpe_tokenizer()
    spt = sentencepiece_bpe_tokenizer()
    write_json(ROOT / "sp-tokenizer" / "tokenizer.json", spt["tokenizer_json"])
    write_json(ROOT / "sp-tokenizer" / "tokenizer_config.json", spt["tokenizer_config"])
    cases = {
        "gpt2-tiny": [{"text": t, "ids": gpt2["encode"](t)} for t in TEST_STRINGS + ["done.<|endoftext|>next"]],
        "sp-tokenizer": [{"text": t, "ids": spt["encode"](t)} for t in TEST_STRINGS[:2] + TEST_STRINGS[3:] + ["<s>hello</s>"]],
    }
    write_json(ROOT / "tokenizer-ids.json", cases)
    for k, v in cases.items():
        for c in v:
            print(k, repr(c["text"]), c["ids"])


if __name__ == "__main__":
    main()
