// The floor's minimal app, built as Tally's is: init plus one event.
import { createFloorClient } from '../floor-client.js'

const telemetry = createFloorClient({ url: '/floor/events' })
telemetry.recordEvent('app', 'loaded', { version: 1 })
