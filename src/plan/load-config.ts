import type { Finding } from '../findings.js';
import { issuesToFindings } from './config-errors.js';
import { type ConfigFile, configSchemas } from './config-schema.js';
import { findLiteralSecrets } from './literal-secrets.js';
import { type ConfigSource, parseConfigSource } from './source.js';

/** LoadedConfig is a config file that parsed and validated, with its source for positions. */
export interface LoadedConfig {
  source: ConfigSource;
  file: ConfigFile;
}

/**
 * loadConfigText parses and validates a deploy config file. Literal credentials are checked before the
 * schema so that no error message can echo one.
 */
export function loadConfigText(
  displayPath: string,
  text: string,
): { config?: LoadedConfig; findings: Finding[] } {
  const { source, findings } = parseConfigSource(displayPath, text);
  if (!source) return { findings };
  if (source.data === null || source.data === undefined) {
    return {
      findings: [
        {
          stage: 'plan',
          severity: 'error',
          title: 'config: empty file',
          message: `${displayPath}: the config file is empty; expected a mapping with defaults and environments`,
          file: displayPath,
          rule: 'config/empty',
        },
      ],
    };
  }
  const secrets = findLiteralSecrets(source);
  if (secrets.length > 0) return { findings: secrets };
  const { configFile } = configSchemas();
  const result = configFile.safeParse(source.data);
  if (!result.success) return { findings: issuesToFindings(source, configFile, result.error.issues) };
  const file = result.data;
  return { config: { source, file }, findings: [] };
}
