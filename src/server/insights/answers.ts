/*
 * The answer of every question, in one place: the API answers these as JSON, and the CLI and
 * the usage page show them, so the numbers cannot disagree between surfaces. Dates are UTC
 * days as `YYYY-MM-DD`.
 */

export interface EventsAnswer {
  /** Stored events matching the filters. */
  events: number
  /** Distinct users among them. */
  users: number
  /** What the counts were read from, and since when it holds events. */
  coverage: EventsCoverage
}

/**
 * The source of an events answer. Its days before `since` are not counted: ask for a window
 * starting on or after it for a complete answer.
 */
export interface EventsCoverage {
  /**
   * `rollups`: the daily rollups, kept 400 days by default; every question without `where`,
   * and `where` on values 0 and 1 alone without `user`. `events`: the raw events, kept 90 days
   * by default; `where` with any other value, or with `user`.
   */
  source: 'rollups' | 'events'
  /** The first UTC day the source holds events of (`YYYY-MM-DD`); null when it holds none. */
  since: string | null
}

export interface ActiveUsersAnswer {
  at: string
  dau: number
  wau: number
  mau: number
  /** Mean daily active users over the 30 days ending at `at`, divided by mau (0 when mau is 0). */
  stickiness: number
}

export interface PowerUsersAnswer {
  /** 30 entries, days 1 … 30: the users active on exactly that many of the 30 days. */
  histogram: { days: number; users: number }[]
  /** Users active on at least `minDays` of the 30 days. */
  powerUsers: number
}

export interface SessionsAnswer {
  sessions: number
  /** Sessions with events of at least two distinct features in the window. */
  multiFeature: number
}

export interface FeatureUsage {
  feature: string
  events: number
  users: number
  /** The mean, over the feature's users, of the days on which each used it. */
  activeDaysPerUser: number
}

export interface FeaturesAnswer {
  /** Distinct users active in the window. */
  activeUsers: number
  /** Stickiest first (highest activeDaysPerUser), then most events, then by name. */
  features: FeatureUsage[]
}

export interface AtRiskUser {
  userId: number
  /** Active days in the 28 days ending 14 days before `at`. */
  activeDays: number
  /** The last day the user was active. */
  lastActive: string
}

export interface AtRiskAnswer {
  /** Most active first, then by user id. */
  users: AtRiskUser[]
}

export interface LifecycleWeek {
  /** The week's first day; the week runs seven days from it. */
  start: string
  new: number
  returning: number
  resurrecting: number
  dormant: number
}

export interface LifecycleAnswer {
  /** Oldest first; the last week ends at `at`. */
  weeks: LifecycleWeek[]
}

export interface RetentionCohort {
  /** The first day of the week in which the cohort's users were first active. */
  start: string
  size: number
  /** Cohort users active in week 0 (their first), 1, … up to the week ending at `at`. */
  active: number[]
}

export interface RetentionAnswer {
  /** Oldest first. */
  cohorts: RetentionCohort[]
}

export interface UserFeatureActivity {
  feature: string
  events: number
  /** Days in the window on which the user used the feature. */
  activeDays: number
}

export interface UserActivityAnswer {
  userId: number
  /** Days in the window on which the user was active at all. */
  activeDays: number
  /** Most events first, then by name. */
  features: UserFeatureActivity[]
}

export interface MetadataFlag {
  feature: string
  action: string
  /** A numeric metadata key whose value was 1 (`regex` in `regex: 1`). */
  key: string
  /** The user's events of this feature and action with `key` at 1 in the window. */
  events: number
}

export interface MetadataFlagsAnswer {
  /** Most events first, then by feature, action and key; at most 50. */
  flags: MetadataFlag[]
}

/** Events and distinct users of one feature and action in a window. */
export interface ActionCount {
  feature: string
  action: string
  events: number
  users: number
}

/** Events and distinct users of one feature, all its actions together, in a window. */
export interface FeatureCount {
  feature: string
  events: number
  /** Each user once, however many of the feature's actions they used. */
  users: number
}

export interface FeatureActionsAnswer {
  /** By feature, then action (byte order). */
  actions: ActionCount[]
  /** By feature (byte order). */
  features: FeatureCount[]
}
