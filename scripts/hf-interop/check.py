# Loads Instruct Studio's exports (made by prepare.mjs) with transformers and peft and compares them with what this
# product generated: the same greedy text, the same chat rendering and token ids, PEFT adapters equal to the merged
# weights. Prints one JSON line per check and writes check.json; exits 1 when a check fails.
import json, os, sys, traceback
import torch
D = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'runs/hf-interop')
out = {}
def check(name, fn):
    try:
        out[name] = fn()
    except Exception as e:
        out[name] = {'error': repr(e), 'trace': traceback.format_exc()[-1500:]}
    print(name, json.dumps(out[name])[:2000], flush=True)

import transformers, peft
from transformers import AutoModelForCausalLM, AutoTokenizer
out['versions'] = {'transformers': transformers.__version__, 'peft': peft.__version__, 'torch': torch.__version__}

def greedy(model, tok, text, n):
    ids = tok(text, return_tensors='pt', add_special_tokens=False)
    g = model.generate(**ids, max_new_tokens=n, do_sample=False, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    return ids['input_ids'][0].tolist(), tok.decode(g[0, ids['input_ids'].shape[1]:], skip_special_tokens=True)

def base():
    ref = json.load(open(os.path.join(D, 'ref_base.json')))
    tok = AutoTokenizer.from_pretrained(os.path.join(D, 'exp-base'))
    m = AutoModelForCausalLM.from_pretrained(os.path.join(D, 'exp-base')).eval()
    ids, text = greedy(m, tok, ref['prompt'], 40)
    return {'class': type(m).__name__, 'ids_are_bytes': ids == list(ref['prompt'].encode()), 'ours': ref['output'], 'transformers': text, 'equal': text == ref['output']}

def template():
    tok = AutoTokenizer.from_pretrained(os.path.join(D, 'exp-merged'))
    ours = json.loads(open(os.path.join(D, 'rec_render.json')).read())
    msgs = [{'role': 'user', 'content': 'Spell this word backwards.\n\nglacier'}, {'role': 'assistant', 'content': 'reicalg'}]
    text = tok.apply_chat_template(msgs, tokenize=False)
    ids = tok(ours['text'], add_special_tokens=False)['input_ids']
    return {'hf_text': text, 'ours_text': ours['text'], 'equal': text == ours['text'], 'ids_equal': ids == [t['id'] for t in ours['tokens']]}

def merged_vs_peft():
    ref = json.load(open(os.path.join(D, 'ref_merged.json')))
    tok = AutoTokenizer.from_pretrained(os.path.join(D, 'exp-merged'))
    merged = AutoModelForCausalLM.from_pretrained(os.path.join(D, 'exp-merged')).eval()
    base = AutoModelForCausalLM.from_pretrained(os.path.join(D, 'exp-adapter', 'base')).eval()
    from peft import PeftModel
    pm = PeftModel.from_pretrained(base, os.path.join(D, 'exp-adapter')).eval()
    x = tok(ref['prompt'], return_tensors='pt', add_special_tokens=False)
    with torch.no_grad():
        a = merged(**x).logits; b = pm(**x).logits
        pm.disable_adapter_layers(); c = pm(**x).logits; pm.enable_adapter_layers()
    _, text = greedy(merged, tok, ref['prompt'], 24)
    return {'max_abs_logit_diff_merged_vs_peft': float((a - b).abs().max()), 'adapters_change_logits_by': float((b - c).abs().max()),
            'ours_merged': ref['output'], 'transformers_merged': text, 'equal': text == ref['output']}

check('base_gpt2', base)
check('chat_template', template)
check('peft_adapter', merged_vs_peft)
json.dump(out, open(os.path.join(D, 'check.json'), 'w'), indent=1)
ok = out['base_gpt2'].get('equal') and out['chat_template'].get('equal') and out['chat_template'].get('ids_equal') \
    and out['peft_adapter'].get('equal') and out['peft_adapter'].get('max_abs_logit_diff_merged_vs_peft', 1) < 1e-4
print('all checks passed' if ok else 'a check FAILED')
sys.exit(0 if ok else 1)
