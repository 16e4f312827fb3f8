// Chat templates as the models ship them in tokenizer_config.json (`chat_template`), copied verbatim: the string
// literals below are the published JSON strings, so escapes mean the same here as there.
import type { Preset } from './types';

export const chatml: Preset = {
  name: 'chatml',
  description: 'ChatML: <|im_start|>role … <|im_end|> (OpenHermes, Qwen-style)',
  origin: 'teknium/OpenHermes-2.5-Mistral-7B',
  bosToken: '<s>',
  eosToken: '<|im_end|>',
  templates: {
    chat: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
  },
};

export const llama3: Preset = {
  name: 'llama-3',
  description: 'Llama 3 Instruct: <|start_header_id|>role<|end_header_id|> … <|eot_id|>',
  origin: 'meta-llama/Meta-Llama-3-8B-Instruct',
  bosToken: '<|begin_of_text|>',
  eosToken: '<|eot_id|>',
  templates: {
    chat: "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
  },
};

export const mistral: Preset = {
  name: 'mistral',
  description: 'Mistral Instruct v0.1/v0.2: [INST] … [/INST] answer</s>; no system role',
  origin: 'mistralai/Mistral-7B-Instruct-v0.2',
  bosToken: '<s>',
  eosToken: '</s>',
  templates: {
    chat: "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
  },
};

export const gemma: Preset = {
  name: 'gemma',
  description: 'Gemma instruction-tuned: <start_of_turn>user|model … <end_of_turn>; no system role',
  origin: 'google/gemma-7b-it',
  bosToken: '<bos>',
  eosToken: '<eos>',
  templates: {
    chat: "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}",
  },
};

export const phi3: Preset = {
  name: 'phi-3',
  description: 'Phi-3 / Phi-3.5 mini: <|user|> … <|end|>, EOS after the conversation',
  origin: 'microsoft/Phi-3-mini-4k-instruct',
  bosToken: '<s>',
  eosToken: '<|endoftext|>',
  templates: {
    chat: "{% for message in messages %}{% if message['role'] == 'system' and message['content'] %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
  },
};

export const zephyr: Preset = {
  name: 'zephyr',
  description: 'Zephyr: <|user|>\\n … </s> turns',
  origin: 'HuggingFaceH4/zephyr-7b-beta',
  bosToken: '<s>',
  eosToken: '</s>',
  templates: {
    chat: "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
  },
};
