// What the dataset worker does for each request, apart from the thread plumbing, so it is tested in plain Node.
import { validateFile, validateText, type ValidationResult } from '../../core/dataset/index';
import { contentText, type ValidationSummary, type WorkerRequest, type WorkerResponse } from '../../shared/protocol/datasetWorker';

export async function handleDatasetRequest(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.type) {
    case 'validateText': {
      const result = validateText(contentText(request.content), { ...request.options, file: request.file, maxProblems: request.maxProblems });
      return { type: 'validated', id: request.id, summary: summarize(result) };
    }
    case 'validateFile': {
      const result = await validateFile(request.path, { ...request.options, maxProblems: request.maxProblems });
      return { type: 'validated', id: request.id, summary: summarize(result) };
    }
    default:
      return { type: 'failed', id: request.id, message: `"${request.type}" is not handled by this worker` };
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
