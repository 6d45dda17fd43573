import type { Step } from '../../machine/machine.js';
import { credentialStep } from './credential-step.js';
import { disconnectStep } from './disconnect-step.js';
import { importStep } from './import-step.js';
import { policyStep } from './policy-step.js';
import { sessionStep } from './session-step.js';
import type { StepRunner } from './step-context.js';

/** Each step the machine can run, by name. */
export const STEP_RUNNERS: Record<Step, StepRunner> = {
  policy: policyStep,
  credential: credentialStep,
  session: sessionStep,
  import: importStep,
  disconnect: disconnectStep,
};
