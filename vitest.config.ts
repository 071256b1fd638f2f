import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // A hang guard, not a performance assertion: performance lives in `npm run bench`.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
