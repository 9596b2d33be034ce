import type { Plan } from '../plan/plan.js';

/**
 * appNameShown is the app name for a heading: templates left unrendered (build or verify run without an
 * environment keeps `{{environment}}` as written) are dropped with the separators around them.
 */
export function appNameShown(name: string | undefined): string | undefined {
  if (!name?.includes('{{')) return name;
  const shown = name
    .replace(/[-_.]*\{\{\s*[\w.]+\s*\}\}/g, '')
    .replace(/^[-_.]+|[-_.]+$/g, '')
    .trim();
  return shown || undefined;
}

/** heading is the job summary's title: app, environment, target, and whether it is a dry run. */
export function heading(plan: Plan | undefined): string {
  if (!plan) return 'spark-deploy';
  const parts = [appNameShown(plan.config?.app.name), plan.environment, plan.target].filter(Boolean);
  return `spark-deploy${parts.length ? `: ${parts.join(' · ')}` : ''}${plan.dryRun ? ' (dry run)' : ''}`;
}
