// The render seam: a record becomes the exact text the model sees plus the character spans the loss is taken on.
// The trainer, the template editor's preview and `instruct-studio render` all use the same rendering.

export interface Rendering {
  /** The full text the model sees, special tokens written as text (e.g. `<|eos|>`, `<|im_end|>`). */
  text: string;
  /** Character ranges [start, end) of `text` that are trained on (responses / assistant turns, EOS included). Sorted, disjoint. */
  trainSpans: Array<[number, number]>;
}

export interface RecordRenderer {
  /** Throws a RenderError naming the field when the record cannot be rendered. */
  render(record: Record<string, unknown>): Rendering;
  /** Only the prompt part, ready for generation (chat: add_generation_prompt). */
  renderPrompt(record: Record<string, unknown>): string;
  /** Texts that close a response (EOS, end-of-turn markers): a generated answer ends at the first of them. */
  readonly endMarkers?: readonly string[];
}
