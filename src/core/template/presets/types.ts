import type { TemplateKind } from '../compile';

/** Jinja sources by what they render; a renderer picks the one that fits each record. */
export type TemplateSet = Partial<Record<TemplateKind, string>>;

export interface Preset {
  name: string;
  description: string;
  templates: TemplateSet;
  /** The model's own special tokens, used when no tokenizer supplies them. */
  bosToken: string;
  eosToken: string;
  /** Where the template comes from (model repository), for the documentation and the editor. */
  origin?: string;
}
