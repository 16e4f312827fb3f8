// The template core: Hugging Face–compatible Jinja templates, presets, and the trained-span mask.
export type { Rendering, RecordRenderer } from './types';
export { TemplateError, RenderError, TemplateRefError } from './errors';
export { compileTemplate, type CompiledTemplate, type TemplateKind } from './compile';
export {
  createRenderer,
  defaultRenderer,
  type RendererSpec,
  type TemplateRenderer,
  type DetailedRendering,
  type ResponsePlacement,
} from './renderer';
export { PRESETS, PRESET_NAMES, getPreset, isPresetName, type PresetName } from './presets/index';
export type { Preset, TemplateSet } from './presets/types';
export type { Span } from './spans';
export { analyzeRendering, type AnalyzeOptions, type TemplateWarning, type TemplateWarningCode } from './analysis';
export { tokenView, trainedTokenMask, type TokenView } from './tokens';
export { parseTemplateFile, selectTemplate, rendererSpecOf, updateTemplateFile, parseTemplateRef, type TemplateFile, type NamedTemplate, type TemplateRef } from './files';
export { createPreviewer, TEMPLATE_VARIABLES, type Previewer, type PreviewRequest, type PreviewResult } from './preview';
export { resolveTemplateRef, resolveChatTemplateSource, type TemplateFileAccess } from './resolve';
