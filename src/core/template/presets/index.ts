// The built-in templates by name.
import { RenderError } from '../errors';
import { byteLevel } from './byteLevel';
import { chatml, gemma, llama3, mistral, phi3, zephyr } from './chatModels';
import { alpaca, plain } from './instruction';
import type { Preset } from './types';

export const PRESETS = {
  'byte-level': byteLevel,
  alpaca,
  chatml,
  'llama-3': llama3,
  mistral,
  gemma,
  'phi-3': phi3,
  zephyr,
  plain,
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

export function getPreset(name: string): Preset {
  if (!isPresetName(name)) throw new RenderError(`unknown template preset "${name}": expected one of ${PRESET_NAMES.join(', ')}`);
  return PRESETS[name];
}
