// The minimal app whose bundle the browser benchmark weighs: init plus one event.
import { createTelemetry } from '../../dist/index.js'

const telemetry = createTelemetry({ client: { name: 'app', version: '1.0.0' } })
telemetry.recordEvent('app', 'loaded', { version: 1 })
