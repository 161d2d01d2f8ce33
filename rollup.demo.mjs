// Builds the demo app that `tally serve` shows at `/`: src/demo/app → dist/demo.
// Run after the library build (`rollup -c`): the app imports 'tally-telemetry', which this
// config resolves to the built dist/index.js, so the demo runs the artifact that ships.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const builtEntry = fileURLToPath(new URL('./dist/index.js', import.meta.url))
const copied = ['src/demo/app/index.html', 'src/demo/app/app.css']

/** 'tally-telemetry' → dist/index.js; fails the build when the library was not built first. */
function publishedEntry() {
  return {
    name: 'tally-telemetry-published-entry',
    buildStart() {
      if (!existsSync(builtEntry)) {
        this.error(`${builtEntry} does not exist: run \`rollup -c\` (npm run build) first.`)
      }
    },
    resolveId(source) {
      if (source === 'tally-telemetry') return builtEntry
      if (source.startsWith('tally-telemetry/')) {
        this.error(`The demo imports only the published entry 'tally-telemetry', not ${source}.`)
      }
      return null
    },
  }
}

/** The page and its stylesheet, copied beside app.js. */
function copyStatic() {
  return {
    name: 'copy-demo-static',
    buildStart() {
      for (const file of copied) this.addWatchFile(file)
    },
    generateBundle() {
      for (const file of copied) {
        this.emitFile({
          type: 'asset',
          fileName: file.slice(file.lastIndexOf('/') + 1),
          source: readFileSync(file),
        })
      }
    },
  }
}

export default {
  input: 'src/demo/app/main.ts',
  // No source maps: the demo serves only what the page runs.
  // The client's sender chunk keeps its plain name (`sending.js`): the demo routes serve
  // lower-case names only, and revalidate each time instead of relying on hashes.
  output: {
    dir: 'dist/demo',
    entryFileNames: 'app.js',
    chunkFileNames: '[name].js',
    format: 'es',
    sourcemap: false,
  },
  plugins: [
    publishedEntry(),
    typescript({
      tsconfig: './src/demo/app/tsconfig.json',
      outDir: 'dist/demo',
      sourceMap: false,
    }),
    // idb, nanoid, ky and superjson with their browser builds, as an app's bundler would.
    nodeResolve({ browser: true, exportConditions: ['browser'] }),
    copyStatic(),
  ],
  onwarn(warning, warn) {
    // A bare import left unresolved would fail in the browser: stop the build instead.
    if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(warning.message)
    warn(warning)
  },
}
