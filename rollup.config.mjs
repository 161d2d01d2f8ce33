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
 * The browser entry's ESM is one file a module (`dist/index.js`, `dist/client/…`), so that an
 * app's bundler places each where it is used: validation (`client/judging.js`) and the sender
 * (`client/sending.js`, with ky and idb) stay the chunks their `import()` makes, and an error
 * class only a chunk throws goes with that chunk rather than into what loads before the first
 * event. Rollup, Vite, webpack and esbuild split or inline them without configuration. Every
 * other output is one file: CommonJS, the editor (Node) entry, the test doubles and the server.
 */
const esm = name =>
  name === 'index'
    ? {
        dir: 'dist',
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: '[name].js',
      }
    : { file: `dist/${name}.js`, inlineDynamicImports: true }

const code = libraries.map(name => ({
  input: `src/${name}.ts`,
  external,
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
