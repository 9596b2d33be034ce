/**
 * previewAppName is the app name a pull-request preview deploys under: `<name>-pr-<N>`, unless the name
 * already carries `pr-<N>` (e.g. written as `etl-pr-{{pr}}`). Every target finds a preview's jobs by it
 * (standalone by the Spark app name, EMR by the step name; Kubernetes also by a label), so a preview's
 * status, cancel and cleanup can never touch the environment's own jobs or another preview's.
 */
export function previewAppName(name: string, preview: number | undefined): string {
  if (preview === undefined) return name;
  return namesPreview(name, preview) ? name : `${name}-pr-${preview}`;
}

/** namesPreview tells whether a name already carries `pr-<N>` as a word of its own (not `pr-70` for 7). */
export function namesPreview(name: string, preview: number): boolean {
  return new RegExp(`(^|[^0-9a-z])pr-${preview}($|[^0-9])`, 'i').test(name);
}
