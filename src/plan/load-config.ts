import jsonSchema from '../../schema/deploy-config.schema.json' with { type: 'json' };
import type { Finding } from '../findings.js';
import type { ConfigFile } from './config-schema.js';
import { findLiteralSecrets } from './literal-secrets.js';
import { type JsonSchema, schemaAccepts } from './schema-check.js';
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
export async function loadConfigText(
  displayPath: string,
  text: string,
): Promise<{ config?: LoadedConfig; findings: Finding[] }> {
  const { source, findings } = await parseConfigSource(displayPath, text);
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
  // The JSON Schema generated from the zod schema answers yes for a valid config without building the zod
  // schemas (start-up time, see schema-check.ts); zod has the last word and the messages.
  if (schemaAccepts(jsonSchema as JsonSchema, source.data)) {
    return { config: { source, file: structuredClone(source.data) as ConfigFile }, findings: [] };
  }
  const { checkWithZod } = await import('./zod-check.js');
  const { file, findings: problems } = checkWithZod(source);
  return file ? { config: { source, file }, findings: [] } : { findings: problems };
}
