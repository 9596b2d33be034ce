import * as z from 'zod/mini';
import { configSchemas } from './config-schema.js';

/** configJsonSchema renders the deploy config's zod schema as JSON Schema (draft 2020-12) for editors. */
export function configJsonSchema(): Record<string, unknown> {
  const { configFile, layer, secretRef } = configSchemas();
  // The layer (defaults and each environment) and the credential reference appear once each, under $defs.
  for (const [s, id] of [
    [layer, 'Layer'],
    [secretRef, 'SecretRef'],
  ] as const) {
    if (z.globalRegistry.get(s)?.id !== id) z.globalRegistry.add(s, { ...z.globalRegistry.get(s), id });
  }
  const schema = z.toJSONSchema(configFile, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  return {
    ...schema,
    $id: 'https://github.com/spark-deploy-action/spark-deploy-action/schema/deploy-config.schema.json',
    title: 'spark-deploy-action deploy config',
    description:
      'The deploy config file of spark-deploy-action (.github/spark-deploy.yml): defaults deep-merged with environments.<name>.',
  };
}

/** renderConfigJsonSchema is the exact text of schema/deploy-config.schema.json. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
