// The built-in format for the byte-level tokenizer: its special tokens are the turn markers, so a small model
// learns the structure from a handful of ids. Assistant turns are generation blocks so tool calls are trained too.
import type { Preset } from './types';

const chat = `{{- bos_token }}
{%- for message in messages %}
    {%- if message.role == 'system' or message.role == 'user' %}
        {{- '<|' + message.role + '|>' + message.content + '<|end|>' }}
    {%- elif message.role == 'tool' %}
        {{- '<|user|>Tool result:\\n' + message.content + '<|end|>' }}
    {%- elif message.role == 'assistant' %}
        {{- '<|assistant|>' }}
        {%- generation %}
            {%- if message.content %}{{- message.content }}{%- endif %}
            {%- if message.tool_calls %}{{- '<tool_call>' + (message.tool_calls | tojson) + '</tool_call>' }}{%- endif %}
            {{- '<|end|>' }}
        {%- endgeneration %}
    {%- else %}
        {{- raise_exception("Unknown role '" + message.role + "': expected system, user, assistant or tool") }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|assistant|>' }}{%- endif %}
`;

const instruction = `{{- bos_token }}
{%- if system %}{{ system + '\\n\\n' }}{% endif %}
{{- '### Instruction:\\n' + instruction + '\\n\\n' }}
{%- if input %}{{ '### Input:\\n' + input + '\\n\\n' }}{% endif %}
{{- '### Response:\\n' + output + eos_token }}
`;

const completion = `{{- bos_token + prompt + completion + eos_token }}
`;

export const byteLevel: Preset = {
  name: 'byte-level',
  description: 'The built-in format for the byte-level tokenizer: <|user|>…<|end|> turns, alpaca-style instructions',
  templates: { chat, instruction, completion },
  bosToken: '<|bos|>',
  eosToken: '<|eos|>',
};
