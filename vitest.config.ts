import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'],
    setupFiles: ['test/setup.unit.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
