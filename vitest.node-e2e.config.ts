import { defineConfig } from 'vitest/config'

// Tests of the built package that `npm test` runs after `npm run build`: they spawn Node
// processes that load dist/, as an editor's extension host would, and install the packed
// package into an empty project, as a user would.
export default defineConfig({
  test: {
    include: ['test/node/e2e/**/*.test.ts', 'test/package/**/*.test.ts'],
    environment: 'node',
  },
})
