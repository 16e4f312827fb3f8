#!/usr/bin/python3
"""Expected renderings of the template presets, made with the engine apply_chat_template uses.

How the fixtures in test/fixtures/templates/ are made:
  * the preset sources are read from the TypeScript itself (`npx tsx` prints PRESETS as JSON), so a fixture
    always records the exact source it was rendered from, and the unit test checks the preset still equals it;
  * each source is compiled the way transformers' `_compile_jinja_template` does: Jinja2's
    ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols extension,
    `raise_exception` and `strftime_now` globals, and its `tojson` filter (json.dumps, ensure_ascii=False);
  * `{% generation %}` is transformers' AssistantTracker: the output is consumed block by block (`generate`)
    and each generation block records [start, end) of the text so far, as `return_assistant_tokens_mask` does;
  * rendering passes `messages`, `add_generation_prompt`, `bos_token`, `eos_token` (chat templates) or the
    record's fields (instruction/completion templates), like apply_chat_template's template kwargs;
  * offsets are converted to UTF-16 code units, the unit JavaScript strings count in.

Run from the repository root with Debian's interpreter and python3-jinja2 (apt-get install -y python3-jinja2):
    /usr/bin/python3 scripts/gen-template-fixtures.py
"""
import json
import os
import subprocess
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

OUT = os.path.join('test', 'fixtures', 'templates')


class AssistantTracker(Extension):
    """transformers' {% generation %} tag: records where each block's output lands."""

    tags = {'generation'}

    def __init__(self, environment):
        super().__init__(environment)
        self.blocks = None
        self.indices = None

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(['name:endgeneration'], drop_needle=True)
        return nodes.CallBlock(self.call_method('_generation_support'), [], [], body).set_lineno(lineno)

    def _generation_support(self, caller):
        rv = caller()
        if self.blocks is not None:
            start = len(''.join(self.blocks))
            self.indices.append((start, start + len(rv)))
        return rv


def compile_template(source):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters['tojson'] = tojson
    env.globals['raise_exception'] = raise_exception
    env.globals['strftime_now'] = strftime_now
    return env, env.from_string(source)


def utf16(text, offset):
    return len(text[:offset].encode('utf-16-le')) // 2


def render(source, variables):
    """{text, generationSpans} or {error} for a raise_exception / engine failure."""
    env, template = compile_template(source)
    tracker = next(e for e in env.extensions.values() if isinstance(e, AssistantTracker))
    tracker.blocks, tracker.indices = [], []
    try:
        for block in template.generate(**variables):
            tracker.blocks.append(block)
    except TemplateError as e:
        return {'error': str(e)}
    text = ''.join(tracker.blocks)
    out = {'text': text}
    if '{%- generation' in source or '{% generation' in source:
        out['generationSpans'] = [[utf16(text, a), utf16(text, b)] for a, b in tracker.indices]
    return out


SYSTEM = {'role': 'system', 'content': 'You are a concise assistant.'}
U1 = {'role': 'user', 'content': 'What is the capital of France?'}
A1 = {'role': 'assistant', 'content': 'Paris.'}
U2 = {'role': 'user', 'content': 'And of Italy?'}
A2 = {'role': 'assistant', 'content': 'Rome, since 1871.'}

CONVERSATIONS = [
    ('system-multi-turn', [SYSTEM, U1, A1, U2, A2], False),
    ('system-generation-prompt', [SYSTEM, U1, A1, U2], True),
    ('multi-turn', [U1, A1, U2, A2], False),
    ('multi-turn-with-generation-prompt-flag', [U1, A1, U2, A2], True),
    ('generation-prompt', [U1, A1, U2], True),
    ('single-turn', [U1, A1], False),
    # whitespace around the content shows which templates trim it; non-ASCII and an astral character check offsets
    ('whitespace-and-unicode', [{'role': 'user', 'content': '  Ça va ?\n'},
                                {'role': 'assistant', 'content': '\n Très bien 🎉 \n'}], False),
    ('roles-not-alternating', [U1, U2, A1], False),
]

TOOL_CONVERSATION = ('tool-call', [
    U1,
    {'role': 'assistant', 'tool_calls': [{'type': 'function', 'function': {'name': 'lookup', 'arguments': {'city': 'Paris'}}}]},
    {'role': 'tool', 'content': 'Paris is the capital.'},
    {'role': 'assistant', 'content': 'Paris.'},
], False)

INSTRUCTION_RECORDS = [
    ('with-input', {'instruction': 'Add the numbers.', 'input': '2 3', 'output': '5', 'system': ''}),
    ('without-input', {'instruction': 'Name a primary colour.', 'input': '', 'output': 'Red.', 'system': ''}),
    ('with-system', {'instruction': 'Translate to French.', 'input': 'cat', 'output': 'chat', 'system': 'You translate.'}),
    ('unicode', {'instruction': 'Répète : 🎉', 'input': '', 'output': ' 🎉 ', 'system': ''}),
]

COMPLETION_RECORDS = [
    ('plain', {'prompt': 'The sky is', 'completion': ' blue.'}),
    ('unicode', {'prompt': 'Ça', 'completion': ' 🎉'}),
]

# Templates that mark their trained spans, exercising every whitespace control around the tags.
GENERATION_TEMPLATES = {
    'plain-tags': "{% for m in messages %}{% if m['role'] == 'assistant' %}<A>{% generation %}{{ m['content'] }}</A>{% endgeneration %}\n{% else %}<U>{{ m['content'] }}</U>\n{% endif %}{% endfor %}",
    'dash-tags': "{%- for m in messages %}\n    {%- if m['role'] == 'assistant' %}\n        {{- '<A>' }}\n        {%- generation -%}\n            {{ m['content'] + eos_token }}\n        {%- endgeneration -%}\n        {{ '\\n' }}\n    {%- else %}\n        {{- '<U>' + m['content'] + '\\n' }}\n    {%- endif %}\n{%- endfor %}",
    'block-lines': "{% for m in messages %}\n{% if m['role'] == 'assistant' %}\n<A>\n  {% generation %}\n{{ m['content'] }}\n  {% endgeneration %}\n</A>\n{% else %}\n<U>{{ m['content'] }}</U>\n{% endif %}\n{% endfor %}\n",
    'qwen-style': "{%- for message in messages %}\n    {%- if message.role == 'assistant' %}\n        {{- '<|im_start|>assistant\\n' }}\n        {%- generation %}\n            {{- message.content + '<|im_end|>' }}\n        {%- endgeneration %}\n        {{- '\\n' }}\n    {%- else %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n",
}


# A template in the style of Qwen2.5-Instruct's: a tool list in the system turn, tool calls rendered from
# message.tool_calls with tojson, consecutive tool responses grouped, `is defined`, loop look-behind.
TOOL_TEMPLATE = r'''{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object within <tool_call></tool_call> XML tags.<|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
'''

TOOLS = [{'type': 'function', 'function': {'name': 'lookup', 'description': 'Look a city up',
                                           'parameters': {'type': 'object', 'properties': {'city': {'type': 'string'}}}}}]

TOOL_CONVERSATIONS = [
    ('tool-call-and-two-responses', [
        SYSTEM, U1,
        {'role': 'assistant', 'content': 'Let me check.', 'tool_calls': [
            {'type': 'function', 'function': {'name': 'lookup', 'arguments': {'city': 'Paris'}}},
            {'type': 'function', 'function': {'name': 'lookup', 'arguments': {'city': 'Lyon'}}}]},
        {'role': 'tool', 'content': 'Paris: capital'},
        {'role': 'tool', 'content': 'Lyon: not the capital'},
        A1,
    ], False),
    ('tool-generation-prompt', [U1, {'role': 'assistant', 'tool_calls': [
        {'type': 'function', 'function': {'name': 'lookup', 'arguments': {'city': 'Paris'}}}]},
        {'role': 'tool', 'content': 'Paris: capital'}], True),
]


def load_presets():
    script = ("import { PRESETS } from './src/core/template/presets/index';"
              "process.stdout.write(JSON.stringify(PRESETS));")
    out = subprocess.run(['npx', 'tsx', '-e', script], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def chat_cases(source, bos, eos, conversations, tools=None):
    cases = []
    for name, messages, agp in conversations:
        # apply_chat_template always passes tools and documents, None when there are none
        variables = {'messages': messages, 'tools': tools, 'documents': None, 'add_generation_prompt': agp,
                     'bos_token': bos, 'eos_token': eos}
        cases.append({'name': name, 'kind': 'chat', 'variables': variables, **render(source, variables)})
    return cases


def record_cases(kind, source, bos, eos, records):
    cases = []
    for name, record in records:
        variables = {**record, 'bos_token': bos, 'eos_token': eos}
        cases.append({'name': name, 'kind': kind, 'variables': variables, **render(source, variables)})
    return cases


def write(name, payload):
    path = os.path.join(OUT, name + '.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(payload, f, ensure_ascii=False, indent=2)
        f.write('\n')
    print('wrote', path)


def main():
    os.makedirs(OUT, exist_ok=True)
    generator = {'engine': f'Jinja2 {jinja2.__version__} (Debian python3-jinja2)', 'python': sys.version.split()[0],
                 'script': 'scripts/gen-template-fixtures.py'}
    for preset_name, preset in load_presets().items():
        bos, eos = preset['bosToken'], preset['eosToken']
        templates = preset['templates']
        cases = []
        if 'chat' in templates:
            conversations = CONVERSATIONS + ([TOOL_CONVERSATION] if preset_name == 'byte-level' else [])
            cases += chat_cases(templates['chat'], bos, eos, conversations)
        if 'instruction' in templates:
            cases += record_cases('instruction', templates['instruction'], bos, eos, INSTRUCTION_RECORDS)
        if 'completion' in templates:
            cases += record_cases('completion', templates['completion'], bos, eos, COMPLETION_RECORDS)
        write(preset_name, {'generatedBy': generator, 'preset': preset_name, 'templates': templates,
                            'bosToken': bos, 'eosToken': eos, 'cases': cases})
    generation = []
    for name, source in GENERATION_TEMPLATES.items():
        for case in chat_cases(source, '<s>', '</s>', [CONVERSATIONS[0], CONVERSATIONS[1], CONVERSATIONS[6]]):
            generation.append({'template': name, **case})
    write('generation-tags', {'generatedBy': generator, 'templates': GENERATION_TEMPLATES, 'cases': generation})
    tool_cases = chat_cases(TOOL_TEMPLATE, '', '<|im_end|>', TOOL_CONVERSATIONS, tools=TOOLS)
    tool_cases += chat_cases(TOOL_TEMPLATE, '', '<|im_end|>', [CONVERSATIONS[0], CONVERSATIONS[4]])
    write('tool-template', {'generatedBy': generator, 'template': TOOL_TEMPLATE, 'tools': TOOLS, 'cases': tool_cases})


if __name__ == '__main__':
    main()
