import type { Acknowledgement, Rejection } from '../../protocol/answers.js'

export interface SortedAcknowledgements {
  accepted: string[]
  rejected: Rejection[]
  /** Sent ids the gateway named in neither list: they go again. */
  unanswered: string[]
}

/**
 * Reads a gateway's answer against the ids actually sent: ids it names that were not sent are
 * ignored, each id counts once, and an id both accepted and rejected counts as accepted (it
 * was stored, so sending it again could only be absorbed as a duplicate).
 */
export function sortAcknowledgements(
  sentIds: ReadonlySet<string>,
  answer: Readonly<Acknowledgement>,
): SortedAcknowledgements {
  const accepted = new Set(answer.accepted.filter(id => sentIds.has(id)))
  const rejected = new Map<string, Rejection>()
  for (const entry of answer.rejected) {
    if (sentIds.has(entry.id) && !accepted.has(entry.id) && !rejected.has(entry.id)) {
      rejected.set(entry.id, entry)
    }
  }
  return {
    accepted: [...accepted],
    rejected: [...rejected.values()],
    unanswered: [...sentIds].filter(id => !accepted.has(id) && !rejected.has(id)),
  }
}
