// Templates for models without a chat format: alpaca-style instruction prompts and plain text.
import type { Preset } from './types';

// The Alpaca prompts with the response on its own line, as alpaca-lora's templates/alpaca.json writes them;
// a `system` field, when a record has one, replaces the fixed preamble.
const alpacaInstruction = `{{- bos_token }}
{%- if system %}
    {{- system + '\\n\\n' }}
{%- elif input %}
    {{- 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\\n\\n' }}
{%- else %}
    {{- 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\\n\\n' }}
{%- endif %}
{{- '### Instruction:\\n' + instruction + '\\n\\n' }}
{%- if input %}
    {{- '### Input:\\n' + input + '\\n\\n' }}
{%- endif %}
{{- '### Response:\\n' + output + eos_token }}
`;

export const alpaca: Preset = {
  name: 'alpaca',
  description: 'Alpaca: "### Instruction: / ### Input: / ### Response:" with the Stanford preamble',
  origin: 'tloen/alpaca-lora templates/alpaca.json',
  bosToken: '<s>',
  eosToken: '</s>',
  templates: { instruction: alpacaInstruction },
};

// No markup at all: blocks separated by blank lines, a conversation as "Role: text" paragraphs.
const plainInstruction = `{{- bos_token + instruction }}
{%- if input %}{{ '\\n\\n' + input }}{% endif %}
{{- '\\n\\n' + output + eos_token }}
`;

const plainCompletion = `{{- bos_token + prompt + completion + eos_token }}
`;

const plainChat = `{{- bos_token }}
{%- for message in messages %}
    {%- if not loop.first %}{{ '\\n\\n' }}{% endif %}
    {%- if message['role'] == 'assistant' %}
        {{- 'Assistant: ' + message['content'] + eos_token }}
    {%- else %}
        {{- message['role'] | capitalize + ': ' + message['content'] }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{ '\\n\\nAssistant: ' }}{% endif %}
`;

export const plain: Preset = {
  name: 'plain',
  description: 'Plain text: prompt, blank line, response, EOS; prompt/completion concatenated',
  bosToken: '<s>',
  eosToken: '</s>',
  templates: { chat: plainChat, instruction: plainInstruction, completion: plainCompletion },
};
