// Size limits of the GitHub REST API that the reporters must respect (from @octokit/openapi: checks/create
// output and annotations, repos/create-deployment-status description).

/** MAX_ANNOTATIONS_PER_REQUEST is the Checks API's maxItems for output.annotations. */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
/** MAX_TITLE is the longest annotation title. */
export const MAX_TITLE = 255;
/** MAX_BLOB is the longest annotation message / raw_details and output summary / text (64 KB). */
export const MAX_BLOB = 65_535;
/** MAX_STATUS_DESCRIPTION is the longest deployment status description. */
export const MAX_STATUS_DESCRIPTION = 140;
/** MAX_COMMENT is the longest issue comment body GitHub accepts. */
export const MAX_COMMENT = 65_536;

/** truncate shortens text to at most `max` UTF-16 units and `max` UTF-8 bytes, marking the cut with "…". */
export function truncate(text: string, max: number): string {
  if (text.length <= max && Buffer.byteLength(text, 'utf8') <= max) return text;
  let s = text.slice(0, max - 1);
  while (Buffer.byteLength(s, 'utf8') > max - 3) s = s.slice(0, Math.floor(s.length * 0.9));
  // Never leave half a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  return `${s}…`;
}
