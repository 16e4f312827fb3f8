// Self-Instruct style synthesis: the few-shot prompt, reading proposals back, and the filters.
export * from './types';
export { SYNTH_HEADER, seedTask, formatTask, buildSynthPrompt, parseProposal } from './prompt';
export { SynthFilter, taskRecord, degenerateText, rougeLTokens, type Verdict } from './filter';
export { pickExamples, fitExamples } from './examples';
