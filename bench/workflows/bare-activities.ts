/** The baseline workflow's one activity: it does nothing, so what is measured is the engine alone. */
export function createBareActivities() {
  return {
    async nothing(): Promise<void> {
      return undefined;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
