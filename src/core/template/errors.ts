// Two kinds of failure, kept apart because the CLI and the editor treat them differently:
// a TemplateError is the template's fault (exit 2, a marker in the editor); a RenderError is one record's
// (exit 1, a diagnostic on that data line) even when the template's raise_exception produced it.

/** A problem in a template's source, at a 1-based line and column of that source. */
export class TemplateError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** The template's file or preset name, for messages like `chat_template.jinja:3:5`. */
    readonly templateName = 'template',
  ) {
    super(`${templateName}:${line}:${column}: ${reason}`);
    this.name = 'TemplateError';
  }
}

/** A record that cannot be rendered. `field` is the JSON path of the culprit (e.g. `messages[2].content`). */
export class RenderError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    /** Where in the template the failure surfaced (raise_exception, a failing filter), when known. */
    readonly templateError?: TemplateError,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'RenderError';
  }
}

/** A template reference (run config, `--template`) that names no preset and no usable file. */
export class TemplateRefError extends Error {
  constructor(readonly ref: string, reason: string) {
    super(`${ref}: ${reason}`);
    this.name = 'TemplateRefError';
  }
}
