// What the benchmark's pages import of the floor client.
export { createFloorClient } from '../floor-client.js'
