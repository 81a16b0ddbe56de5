import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/models/**'],
          testTimeout: 60_000,
        },
      },
      {
        // Real third-party models from ../shared/models, where they lie; CI runs this beside `npm test`.
        test: {
          name: 'models',
          include: ['test/models/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
