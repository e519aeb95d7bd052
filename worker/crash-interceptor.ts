import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * TEST ONLY, bundled into the workflows only when CRASH_AT arms fault injection (worker/crash-points.ts).
 * A continue-as-new passes through the sink first; the worker runs sink calls after the activation
 * and before it reports the completion, so a crash there loses the continue-as-new in flight.
 */
export interface CrashSinks extends Sinks {
  crashPoints: { continueAsNew(): void };
}

const { crashPoints } = proxySinks<CrashSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      continueAsNew(input, next) {
        crashPoints.continueAsNew();
        return next(input);
      },
    },
  ],
});
