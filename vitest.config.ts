import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Playwright specs live in test/e2e and run under `playwright test`, never here.
    include: ['test/**/*.test.ts'],
    // test/node/e2e and test/package load the built package: `npm run test:node-e2e`, after
    // the build.
    exclude: ['test/e2e/**', 'test/node/e2e/**', 'test/package/**', 'node_modules/**', 'dist/**'],
    environment: 'node',
  },
})
