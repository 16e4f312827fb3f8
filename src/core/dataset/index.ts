// The dataset core's public surface: validation, parsing, statistics and transformations of instruction datasets.
export * from './types';
export { detectFormat, closestFormat, REQUIRED_KEYS, FORMAT_KEYS, isRecord } from './detect';
export { DatasetScanner, type ScannerOptions, type PositionOf } from './scanner';
export { validateText, validateFile } from './validate';
export { parseDataset, parseDatasetFile, loadDatasetText, loadDatasetFile, type LoadedDataset } from './parse';
export { visitContent, promptAndResponse, type ContentVisitor } from './content';
export { countTextTokens } from './tokens';
export { ROLES, suggestRole } from './checks';
export { editDistance, nearest } from './suggest';
export { locatePaths, joinPath, type Located, type Span } from './jsonLocate';
export { computeStats, computeFileStats, StatsAccumulator, percentile, histogram, lengthStats } from './stats';
export { convertRecord, convertRecords, ConversionError } from './convert';
export { splitRecords, seededRandom, type SplitOptions, type SplitResult } from './split';
export { dedupeRecords, type DedupeOptions, type RemovedRecord } from './dedupe';
export {
  convertFile, splitFile, dedupeFile, writeNewFile, loadForTransform, recordLine, defaultSplitPrefix,
  OutputExistsError, DatasetFileError, type SplitFileOptions, type WriteOptions,
} from './transformFiles';
