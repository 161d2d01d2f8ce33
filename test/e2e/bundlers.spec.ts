import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { build as esbuild } from 'esbuild'
import { build as vite } from 'vite'
import webpack from 'webpack'
import { builtEntry } from './support/bundle.js'
import { duplicates } from './support/duplicates.js'
import { expect, sorted, test } from './support/fixtures.js'
import { senderChunkOf, serveApp, type BuiltApp, type SplitPage } from './support/split-app.js'

// The package as apps build it: one small app that imports `createTelemetry` from the built
// package, built by each bundler with its defaults (nothing about chunks or dynamic imports),
// then run in Chromium. Those that split code must put the sender in a chunk of its own,
// which the page fetches when sending is due; esbuild without `splitting` inlines it, and the
// one file must work as well. rollup's build is sender-chunk.spec.ts's.

const root = join(import.meta.dirname, '..', '..', 'test-results', 'e2e-bundlers')

/** The app's own code, in a folder of its own (Vite's root). */
async function writeApp(name: string): Promise<{ dir: string; entry: string }> {
  const dir = join(root, name, 'app')
  await rm(join(root, name), { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const entry = join(dir, 'main.js')
  await writeFile(
    entry,
    `import { createTelemetry } from ${JSON.stringify(builtEntry)}\nwindow.createTelemetry = createTelemetry\n`,
  )
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="./main.js"></script>\n',
  )
  return { dir, entry }
}

/** Every `.js` file under `dir`, by its path from `dir` with `/` separators. */
async function readOutput(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const name of await readdir(dir, { recursive: true })) {
    if (!name.endsWith('.js')) continue
    files.set(
      relative(dir, join(dir, name)).split('\\').join('/'),
      await readFile(join(dir, name), 'utf8'),
    )
  }
  return files
}

interface Bundler {
  name: string
  /** Whether the build must put the sender in a chunk of its own. */
  splits: boolean
  build(): Promise<BuiltApp>
}

const bundlers: Bundler[] = [
  {
    name: 'esbuild, one file (its default)',
    splits: false,
    async build() {
      const { entry } = await writeApp('esbuild')
      const out = join(root, 'esbuild', 'out')
      await esbuild({ entryPoints: [entry], bundle: true, outdir: out, logLevel: 'silent' })
      return { files: await readOutput(out), entry: 'main.js', kind: 'classic' }
    },
  },
  {
    name: 'esbuild with code splitting',
    splits: true,
    async build() {
      const { entry } = await writeApp('esbuild-splitting')
      const out = join(root, 'esbuild-splitting', 'out')
      await esbuild({
        entryPoints: [entry],
        bundle: true,
        splitting: true,
        format: 'esm',
        outdir: out,
        logLevel: 'silent',
      })
      return { files: await readOutput(out), entry: 'main.js', kind: 'module' }
    },
  },
  {
    name: 'Vite',
    splits: true,
    async build() {
      const { dir } = await writeApp('vite')
      const out = join(root, 'vite', 'out')
      await vite({
        root: dir,
        configFile: false,
        logLevel: 'silent',
        build: { outDir: out, emptyOutDir: true },
      })
      // Vite writes its own index.html, whose script names the hashed entry.
      const html = await readFile(join(out, 'index.html'), 'utf8')
      const entry = /<script type="module"[^>]* src="\/([^"]+)"/.exec(html)?.[1]
      if (entry === undefined) throw new Error(`no entry script in Vite's index.html: ${html}`)
      return { files: await readOutput(out), entry, kind: 'module' }
    },
  },
  {
    name: 'webpack',
    splits: true,
    async build() {
      const { dir, entry } = await writeApp('webpack')
      const out = join(root, 'webpack', 'out')
      const stats = await new Promise<webpack.Stats | undefined>((resolve, reject) => {
        webpack(
          { mode: 'production', context: dir, entry, output: { path: out } },
          (error, result) => {
            if (error) reject(error)
            else resolve(result)
          },
        )
      })
      if (stats === undefined || stats.hasErrors()) {
        throw new Error(`webpack failed: ${stats?.toString('errors-only') ?? 'no stats'}`)
      }
      return { files: await readOutput(out), entry: 'main.js', kind: 'classic' }
    },
  },
]

for (const bundler of bundlers) {
  test(`${bundler.name}: builds the app with no configuration, and what it records arrives once`, async ({
    context,
    collector,
    pageErrors,
  }) => {
    const app = await bundler.build()
    const chunk = senderChunkOf(app)
    if (bundler.splits) {
      expect(chunk, [...app.files.keys()].join(', ')).toBeDefined()
      // What a page loads before it records holds no sender (nor ky).
      expect(app.files.get(app.entry)).not.toContain('HTTPError')
    } else {
      expect([...app.files.keys()]).toEqual([app.entry])
    }

    const page = await context.newPage()
    await serveApp(page, app, collector.url)
    const ids = await page.evaluate(() => (window as unknown as SplitPage).recordSome(20))
    expect(ids).toHaveLength(20)
    await page.evaluate(() => window.telemetry.flush())
    await collector.waitForStored(20, 15_000)
    expect(sorted(collector.storedIds)).toEqual(sorted(ids))
    expect(duplicates(collector.receivedIds)).toEqual([])
    expect(pageErrors).toEqual([])
  })
}
