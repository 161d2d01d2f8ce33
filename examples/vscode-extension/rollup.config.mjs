import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'

// The extension is bundled whole, as the Marketplace prefers: one CommonJS file with the
// client and its dependencies, and `vscode` left to the extension host.
// `tally-telemetry/node` comes from this repository's build, as an installed package would;
// its dependencies and the plugins resolve from the repository's node_modules.
const tallyNode = fileURLToPath(new URL('../../dist/node.js', import.meta.url))

export default {
  input: 'src/extension.ts',
  external: ['vscode', ...builtinModules, /^node:/],
  output: { file: 'dist/extension.js', format: 'cjs', exports: 'named', sourcemap: true },
  plugins: [
    {
      name: 'tally-telemetry-from-repository',
      resolveId: source => (source === 'tally-telemetry/node' ? tallyNode : null),
    },
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    typescript({ tsconfig: './tsconfig.json', noEmitOnError: true }),
    // Minified, as extensions ship; stack traces still name the functions.
    terser({ keep_fnames: true, keep_classnames: true }),
  ],
}
