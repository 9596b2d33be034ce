// The documented registry credentials in the environment, REGISTRY_USERNAME / REGISTRY_PASSWORD: the Plan
// reads them the way it reads a `{ fromEnv }` reference, so the password is a secret of the Plan (masked and
// redacted) from the moment it is read, and the image stage sees only `image.registryAuth`.

export const REGISTRY_USERNAME = 'REGISTRY_USERNAME';
export const REGISTRY_PASSWORD = 'REGISTRY_PASSWORD';

export type RegistryEnvAuth = { auth?: { username: string; password: string }; problem?: string };

/**
 * registryAuthFromEnv reads the pair: both set gives credentials (the password pushed onto `secrets`),
 * neither gives none, one alone is a problem to report (naming the missing variable).
 */
export function registryAuthFromEnv(env: NodeJS.ProcessEnv, secrets: string[]): RegistryEnvAuth {
  const username = env[REGISTRY_USERNAME] || undefined;
  const password = env[REGISTRY_PASSWORD] || undefined;
  if (password) secrets.push(password);
  if (username && password) return { auth: { username, password } };
  if (!username && !password) return {};
  const [set, unset] = username
    ? [REGISTRY_USERNAME, REGISTRY_PASSWORD]
    : [REGISTRY_PASSWORD, REGISTRY_USERNAME];
  return {
    problem: `${set} is set but ${unset} is not: registry credentials need both (env: ${unset}: \${{ secrets.${unset} }}), or set image.registryAuth to { username, password: { fromEnv: NAME } } in the config`,
  };
}
