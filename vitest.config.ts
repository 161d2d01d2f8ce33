import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Playwright specs live in test/e2e and run under `playwright test`, never here.
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    environment: 'node',
  },
})
