// Private markers threaded through a rendering to find where the response and the `{% generation %}` blocks land.
// They are Unicode noncharacters (U+FDD0…), which are never meant to appear in interchanged text; a record or
// template that contains one is refused rather than silently mis-masked.

export const CONTENT_START = '\uFDD0';
export const CONTENT_END = '\uFDD1';
export const GENERATION_START = '\uFDD2';
export const GENERATION_END = '\uFDD3';

export const SENTINEL_RE = /[\uFDD0-\uFDD3]/;

export function hasSentinel(s: string): boolean {
  return SENTINEL_RE.test(s);
}

/** Wraps a response so its place in the rendering can be recovered. */
export function markContent(s: string): string {
  return CONTENT_START + s + CONTENT_END;
}
