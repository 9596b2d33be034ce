/**
 * Workflow text as act v0.2.89 accepts it. act's schema refuses a job's `environment: { deployment: false }`
 * (nektos/act#6086: `deployment` is not in its job-environment mapping), which GitHub documents and every
 * deploying job here uses, so the harness runs a temporary copy with that one key removed. The shipped
 * workflows stay as they are; nothing else is changed (act records no GitHub deployments either way).
 */
const DEPLOYMENT_FALSE = /^[ \t]+deployment:[ \t]*false[ \t]*(#.*)?\r?\n/gm;

/** forAct removes every `deployment: false` line (only ever a job environment's key in these workflows). */
export function forAct(text: string): string {
  return text.replace(DEPLOYMENT_FALSE, '');
}
