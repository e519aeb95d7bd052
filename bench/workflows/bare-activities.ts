/** The baseline workflow's one activity: it does nothing, so what is measured is the engine alone. */
export function createBareActivities() {
  return {
    async nothing(): Promise<void> {
      return undefined;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;

/**
 * The bare expiry's activity: it records how late it ran after the instant it was due (the NOC's
 * lateness is its NocExpired event's recorded instant after its validUntil, as the append records it).
 */
export function createBareExpiryActivities(lateness: number[]) {
  return {
    async expired(until: number): Promise<void> {
      lateness.push(Date.now() - until);
    },
  };
}

export type BareExpiryActivities = ReturnType<typeof createBareExpiryActivities>;
