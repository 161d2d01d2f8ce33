import { existsSync, statSync, readdirSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import { rollup, type RollupLog } from 'rollup'

const root = fileURLToPath(new URL('../../../', import.meta.url))

/** The built browser entry: e2e tests load what ships, never `src/` (STYLE.md item 10). */
export const builtEntry = join(root, 'dist', 'index.js')

/** The IIFE the test pages load; under `test-results/`, which git ignores. */
export const bundleFile = join(root, 'test-results', 'e2e-bundle', 'tally.js')

/** The global the bundle defines in the page: every export of `dist/index.js`. */
export const bundleGlobal = 'Tally'

/**
 * Bundles `dist/index.js` with its dependencies (idb, nanoid, ky, superjson) resolved with
 * their browser conditions, as an IIFE that sets `window.Tally`, the way an app's bundler
 * would ship it. Fails if the package has not been built: testing a stale or missing build
 * would prove nothing about the artifact.
 */
export async function buildBrowserBundle(): Promise<string> {
  if (!existsSync(builtEntry)) {
    throw new Error(
      `The e2e tests load the built package, and ${builtEntry} does not exist: run \`npm run build\` first.`,
    )
  }
  const newer = newestSource(join(root, 'src'))
  if (newer !== undefined && newer.mtimeMs > statSync(builtEntry).mtimeMs) {
    // Not fatal: others may be editing src/ while these tests run; say which build is tested.
    process.stderr.write(
      `warning: ${newer.path} is newer than dist/index.js; the e2e tests run the older build (run \`npm run build\`).\n`,
    )
  }

  const problems: string[] = []
  const bundle = await rollup({
    input: builtEntry,
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser'] })],
    onwarn(warning: RollupLog, warn) {
      // An unresolved import would become a missing global in the page; a circular one or an
      // eval would be news about the build. Either way, stop here rather than in a test.
      if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_GLOBAL_NAME') {
        problems.push(warning.message)
        return
      }
      warn(warning)
    },
  })
  try {
    if (problems.length > 0) {
      throw new Error(`The browser bundle is incomplete:\n${problems.join('\n')}`)
    }
    await mkdir(dirname(bundleFile), { recursive: true })
    await bundle.write({
      file: bundleFile,
      format: 'iife',
      // An IIFE is one file: the sender's chunk (`import('./sending.js')`) is inlined.
      inlineDynamicImports: true,
      name: bundleGlobal,
      sourcemap: true,
    })
  } finally {
    await bundle.close()
  }
  return bundleFile
}

function newestSource(directory: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
    const path = join(entry.parentPath, entry.name)
    const { mtimeMs } = statSync(path)
    if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs }
  }
  return newest
}
