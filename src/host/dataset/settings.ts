// The dataset settings (instructStudio.dataset.*) as the core's validation options.
import * as vscode from 'vscode';
import { DEFAULT_NEAR_DUPLICATE_THRESHOLD, type ValidateOptions } from '../../core/dataset/types';

export const DATASET_SECTION = 'instructStudio.dataset';

export function datasetOptions(scope?: vscode.Uri): ValidateOptions {
  const c = vscode.workspace.getConfiguration(DATASET_SECTION, scope);
  const maxTokens = c.get<number>('maxTokens', 2048);
  const threshold = c.get<number>('nearDuplicateThreshold', DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  return {
    // Settings JSON can hold anything; out-of-range values fall back rather than fail every validation.
    maxTokens: Number.isInteger(maxTokens) && maxTokens > 0 ? maxTokens : 2048,
    nearDuplicateThreshold: Number.isFinite(threshold) && threshold > 0 && threshold <= 1 ? threshold : DEFAULT_NEAR_DUPLICATE_THRESHOLD,
    nearDuplicates: c.get<boolean>('nearDuplicates', true),
  };
}

export function affectsDatasetOptions(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(DATASET_SECTION);
}
