// What the reference gateway received from one instance, through its listing endpoint.

/** One event as the gateway lists it. */
export interface GatewayEvent {
  id: string
  receivedAt: string
  event: {
    id: string
    feature: string
    action: string
    userId: number
    parameters: {
      metadata?: Record<string, unknown>
      privateMetadata?: Record<string, unknown>
    }
  }
}

export interface GatewayClient {
  /** Every event the gateway holds from this instance (up to the listing's 10,000 newest). */
  list(): Promise<GatewayEvent[]>
}

export function gatewayClient(
  gatewayUrl: string,
  instanceId: string,
  instanceKey: string,
): GatewayClient {
  return {
    async list() {
      const response = await fetch(
        `${gatewayUrl}/v1/events?instance=${encodeURIComponent(instanceId)}&limit=10000`,
        { headers: { authorization: `Bearer ${instanceKey}`, 'x-tally-instance': instanceId } },
      )
      if (!response.ok) throw new Error(`the gateway listing answered ${response.status}`)
      const body = (await response.json()) as { events: GatewayEvent[] }
      return body.events
    },
  }
}
