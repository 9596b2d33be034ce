// The GitHub REST client: Octokit core with the retry and throttling plugins. This module (and octokit
// with it) is only ever loaded through dynamic import() when a token is present, so runs without one
// never pay for it.
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { redact } from '../../util/redact.js';

/** USER_AGENT names the action in every request GitHub logs. */
export const USER_AGENT = 'spark-deploy-action';

const ReportingOctokit = Octokit.plugin(retry, throttling);
/** GitHubClient is the Octokit instance the reporters use (`request` is typed by route). */
export type GitHubClient = InstanceType<typeof ReportingOctokit>;

export interface ClientOptions {
  token: string;
  /** REST API root (GITHUB_API_URL; GHES: https://host/api/v3). Default https://api.github.com. */
  baseUrl?: string;
  /** Told once per retried rate limit. */
  warn?(message: string): void;
  /** Base of the retry back-off for 5xx answers, in ms (retry n waits n² × this). Default 1000. */
  retryBaseMs?: number;
  /** Attempts after the first for 5xx and network errors. Default 3. */
  retries?: number;
  /** Throttle writes (1 s apart, 3 s for notifying ones) as GitHub asks of integrations. Default true. */
  throttle?: boolean;
  /** Longest rate-limit wait worth retrying, in seconds. Default 60. */
  maxRateLimitWaitS?: number;
  /** Per-request timeout in ms. Default 30000. */
  timeoutMs?: number;
}

// Client errors (and conflicts, which a retry cannot resolve) are answers, not faults: never retried.
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/** createGitHubClient builds the reporting client for a token and API root. */
export function createGitHubClient(opts: ClientOptions): GitHubClient {
  const maxWait = opts.maxRateLimitWaitS ?? 60;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
      const what = `${options.method ?? ''} ${options.url ?? ''}`.trim();
      if (retryCount < 1 && retryAfter <= maxWait) {
        opts.warn?.(`GitHub ${kind} rate limit hit (${what}): retrying in ${retryAfter} s`);
        return true;
      }
      opts.warn?.(`GitHub ${kind} rate limit hit (${what}): giving up (retry after ${retryAfter} s)`);
      return false;
    };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new ReportingOctokit({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: USER_AGENT,
    // Octokit's own warnings (deprecations) go where ours go; its debug chatter nowhere.
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => opts.warn?.(m),
      error: (m: string) => opts.warn?.(m),
    },
    request: {
      // A fresh signal per request: a hung API must not hang the run.
      // Every request body passes the one redactor: a failure text, a log tail or a link never carries a secret to GitHub.
      fetch: (url: string | URL, init?: RequestInit) =>
        fetch(url, {
          ...init,
          ...(typeof init?.body === 'string' ? { body: redact(init.body) } : {}),
          signal: init?.signal ?? AbortSignal.timeout(timeoutMs),
        }),
    },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      retries: opts.retries ?? 3,
      retryAfterBaseValue: opts.retryBaseMs ?? 1000,
    },
    throttle: {
      enabled: opts.throttle ?? true,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
  });
}
