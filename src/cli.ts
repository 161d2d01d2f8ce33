// The `tally` command. The only module that reads process.env or process.argv.
const usage = `Usage: tally <command>

Commands:
  serve     the instance backend with the demo app and admin pages (not built yet)
  gateway   the reference upstream receiver (not built yet)
  export    preview what the next export would send (not built yet)
`

const [command] = process.argv.slice(2)

switch (command) {
  case 'serve':
  case 'gateway':
  case 'export':
    console.log(`tally ${command}: nothing to serve yet; the instance backend lands with issue 4.`)
    break
  case undefined:
  case '--help':
  case '-h':
    console.log(usage)
    break
  default:
    console.error(`tally: unknown command ${command}\n\n${usage}`)
    process.exitCode = 2
}
