import type { Finding } from '../findings.js';
import { issuesToFindings } from './config-errors.js';
import { type ConfigFile, configSchemas } from './config-schema.js';
import type { ConfigSource } from './source.js';

// The zod side of config validation: the verdict and the messages when the JSON Schema check says no. In
// its own chunk with the schemas and the message code, loaded only then (start-up time; README, Performance).

/** checkWithZod validates a parsed config file against the zod schema. */
export function checkWithZod(source: ConfigSource): { file?: ConfigFile; findings: Finding[] } {
  const { configFile } = configSchemas();
  const result = configFile.safeParse(source.data);
  if (!result.success) return { findings: issuesToFindings(source, configFile, result.error.issues) };
  return { file: result.data, findings: [] };
}
