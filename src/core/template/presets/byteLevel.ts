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

// An instruction record is rendered as the conversation it stands for (the instruction, a blank line and the input
// as the user turn; the output as the assistant turn), exactly as the chat form renders those messages: one format
// to learn, and a model tuned on instructions answers through the chat template its export carries. The markers are
// single tokens: "### Instruction:/### Input:/### Response:" cost 46 byte tokens a record, about half of a short
// record's tokens, and the fine-tuning time with them.
const instruction = `{{- bos_token }}
{%- if system %}{{ '<|system|>' + system + '<|end|>' }}{% endif %}
{{- '<|user|>' + instruction }}
{%- if input %}{{ '\\n\\n' + input }}{% endif %}
{{- '<|end|><|assistant|>' }}
{%- generation %}{{ output + '<|end|>' }}{% endgeneration %}
`;

const completion = `{{- bos_token + prompt + completion + eos_token }}
`;

export const byteLevel: Preset = {
  name: 'byte-level',
  description: 'The built-in format for the byte-level tokenizer: <|user|>…<|end|> turns; instruction records as the same turns',
  templates: { chat, instruction, completion },
  bosToken: '<|bos|>',
  eosToken: '<|eos|>',
};
