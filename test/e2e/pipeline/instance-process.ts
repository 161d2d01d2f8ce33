// SIGKILL and restart of the `crash` instance. The config started it, so the test has no
// handle on it: it signals the pid the server's command printed, after checking that the pid
// still runs that server, then starts the same command on the same port itself (the page
// stays on that origin, its session cookie stays valid) and stops that child at the end.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import {
  gatewayUrl,
  instanceAddress,
  instanceDir,
  root,
  serveArgs,
  serveListening,
  tallyBin,
  type InstanceName,
} from './servers.js'

export interface InstanceProcess {
  /** Starts the instance if nothing answers on its port (a test repeated after `stop()`). */
  ensureRunning(): Promise<void>
  /** SIGKILL, then waits until the port refuses connections. */
  kill(): Promise<void>
  /** Starts the instance again on its port, with its folder, flags and secrets. */
  restart(): Promise<void>
  /** Stops what `restart()` started (SIGTERM, then SIGKILL); the output it printed. */
  stop(): Promise<string>
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/.api/telemetry/config`, { signal: AbortSignal.timeout(2_000) })
    return true
  } catch {
    return false
  }
}

/** Whether `pid` is still this instance's server, not a process that took the number since. */
function runsInstance(pid: number, name: InstanceName): boolean {
  try {
    const command = execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
    })
    return command.includes(tallyBin) && command.includes(`--data=${instanceDir(name)}`)
  } catch {
    return false
  }
}

export function instanceProcess(name: InstanceName): InstanceProcess {
  const { url, pid } = instanceAddress(name)
  const port = new URL(url).port
  let child: ChildProcess | undefined
  const output: string[] = []

  const start = async () => {
    output.length = 0
    const started = spawn(
      process.execPath,
      [tallyBin, ...serveArgs(name), `--port=${port}`, `--gateway-url=${gatewayUrl()}`],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = started
    started.stdout.setEncoding('utf8')
    started.stderr.setEncoding('utf8')
    started.stdout.on('data', (chunk: string) => output.push(chunk))
    started.stderr.on('data', (chunk: string) => output.push(chunk))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`tally serve did not listen within 20 s:\n${output.join('')}`))
      }, 20_000)
      started.stdout.on('data', () => {
        if (serveListening.test(output.join(''))) {
          clearTimeout(timer)
          resolve()
        }
      })
      started.once('exit', code => {
        clearTimeout(timer)
        reject(new Error(`tally serve exited with ${code ?? 'a signal'}:\n${output.join('')}`))
      })
    })
  }

  return {
    async ensureRunning() {
      if (!(await answers(url))) await start()
    },
    async kill() {
      if (child !== undefined) child.kill('SIGKILL')
      else if (runsInstance(pid, name)) process.kill(pid, 'SIGKILL')
      else throw new Error(`pid ${pid} is not the ${name} instance any more`)
      for (let waited = 0; await answers(url); waited += 100) {
        if (waited > 10_000) throw new Error(`${url} still answers after SIGKILL`)
        await sleep(100)
      }
    },
    async restart() {
      // The kernel frees the port with the process; a slow reaper may take a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await start()
          return
        } catch (error) {
          if (attempt >= 5 || !output.join('').includes('EADDRINUSE')) throw error
          await sleep(500)
        }
      }
    },
    async stop() {
      const running = child
      child = undefined
      if (running === undefined || running.exitCode !== null || running.signalCode !== null)
        return output.join('')
      await new Promise<void>(resolve => {
        const timer = setTimeout(() => running.kill('SIGKILL'), 5_000)
        running.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        running.kill('SIGTERM')
      })
      return output.join('')
    },
  }
}
