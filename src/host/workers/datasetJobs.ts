// What the dataset worker does for each request, apart from the thread plumbing, so it is tested in plain Node.
import {
  computeFileStats, computeStats, convertFile, dedupeFile, splitFile, validateFile, validateText, type ValidationResult,
} from '../../core/dataset/index';
import { contentText, type ValidationSummary, type WorkerRequest, type WorkerResponse } from '../../shared/protocol/datasetWorker';

export async function handleDatasetRequest(request: WorkerRequest): Promise<WorkerResponse> {
  const id = request.id;
  switch (request.type) {
    case 'validateText': {
      const result = validateText(contentText(request.content), { ...request.options, file: request.file, maxProblems: request.maxProblems });
      return { type: 'validated', id, summary: summarize(result) };
    }
    case 'validateFile': {
      const result = await validateFile(request.path, { ...request.options, maxProblems: request.maxProblems });
      return { type: 'validated', id, summary: summarize(result) };
    }
    case 'stats': {
      const stats = request.content
        ? computeStats(contentText(request.content), { ...request.options, file: request.file })
        : await computeFileStats(request.file, request.options);
      return { type: 'stats', id, stats };
    }
    case 'convert': {
      // All or nothing: the core refuses to write when any record cannot be converted.
      const { records } = await convertFile(request.input, request.output, request.to);
      return { type: 'written', id, outputs: [{ path: request.output, records }], dropped: 0 };
    }
    case 'split': {
      const r = await splitFile(request.input, {
        evalFraction: request.evalFraction, seed: request.seed, prefix: request.prefix,
        ...(request.stratify ? { stratify: request.stratify } : {}),
      });
      return { type: 'written', id, outputs: [{ path: r.train, records: r.trainCount }, { path: r.eval, records: r.evalCount }], dropped: 0 };
    }
    case 'dedupe': {
      const r = await dedupeFile(request.input, request.output, { near: request.near, threshold: request.options.nearDuplicateThreshold });
      return { type: 'written', id, outputs: [{ path: request.output, records: r.kept }], dropped: r.removed.length };
    }
  }
}

function summarize(r: ValidationResult): ValidationSummary {
  return {
    file: r.file,
    format: r.format,
    records: r.records,
    problems: r.problems,
    errors: r.errors,
    warnings: r.warnings,
    truncated: r.truncated === true,
  };
}
