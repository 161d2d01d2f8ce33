import { builtinModules } from 'node:module'
import { readFileSync } from 'node:fs'
import typescript from '@rollup/plugin-typescript'
import { dts } from 'rollup-plugin-dts'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))

// Dependencies stay imports: the app's bundler resolves them once for everything it bundles.
// The storage drivers are optional peers of the server entry, installed by those who use them.
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'better-sqlite3',
  'pg',
  ...builtinModules,
].map(name => new RegExp(`^(node:)?${name.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')}(/.*)?$`))

/** Library entry points: ESM and CJS, each with bundled types. */
const libraries = ['index', 'node', 'testing', 'server']

/**
 * The browser entry's ESM keeps `import('./sending.js')` as a chunk of its own (the sender, ky,
 * superjson), which every bundler splits or inlines without configuration. Every other output
 * is one file: CommonJS, the editor (Node) entry, the test doubles and the server.
 */
const esm = name =>
  name === 'index'
    ? {
        dir: 'dist',
        entryFileNames: '[name].js',
        chunkFileNames: '[name].js',
        hoistTransitiveImports: false,
      }
    : { file: `dist/${name}.js`, inlineDynamicImports: true }

const code = libraries.map(name => ({
  input: `src/${name}.ts`,
  external,
  // The browser entry's lazy chunks import what they share with it (limits, helpers) from the
  // entry itself, under short names, rather than through a facade file of re-exports.
  preserveEntrySignatures: 'allow-extension',
  // A dependency imported only by code that was shaken out (the Node build inlines the sender's
  // chunk and drops the IndexedDB read side, idb's one user) is no import left behind.
  treeshake: { moduleSideEffects: 'no-external' },
  output: [
    { ...esm(name), format: 'es', sourcemap: true },
    {
      file: `dist/${name}.cjs`,
      format: 'cjs',
      sourcemap: true,
      exports: 'named',
      inlineDynamicImports: true,
    },
  ],
  plugins: [
    typescript({ tsconfig: './tsconfig.build.json', sourceMap: true, inlineSources: false }),
  ],
}))

const types = libraries.map(name => ({
  input: `src/${name}.ts`,
  external,
  output: [
    { file: `dist/${name}.d.ts`, format: 'es' },
    { file: `dist/${name}.d.cts`, format: 'es' },
  ],
  plugins: [dts({ tsconfig: './tsconfig.build.json' })],
}))

const cli = {
  input: 'src/cli.ts',
  external,
  output: { file: 'dist/cli.js', format: 'es', sourcemap: true },
  plugins: [
    typescript({ tsconfig: './tsconfig.build.json', sourceMap: true, inlineSources: false }),
  ],
}

export default [...code, ...types, cli]
