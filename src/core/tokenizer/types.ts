// The tokenizer seam: the built-in byte-level tokenizer now, Hugging Face tokenizer.json later.

export interface Encoding {
  ids: number[];
  /** Character range [start, end) of the input string that each token came from (UTF-16 indices). */
  offsets: Array<[number, number]>;
}

export interface Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly eosToken: string;
  readonly eosId: number;
  readonly padId: number;
  readonly bosToken?: string;
  readonly bosId?: number;
  /** Special tokens by their text, recognised verbatim in `encode` input. */
  readonly specialTokens: ReadonlyMap<string, number>;
  encode(text: string): Encoding;
  decode(ids: readonly number[], options?: { skipSpecial?: boolean }): string;
  /** Same count as `encode(text).ids.length`, without building offsets. */
  countTokens(text: string): number;
}
