// The model check lives in test/support/aws-model.ts (the DMS HTTP stand-in uses it too).
export { checkAgainstModel } from '../../support/aws-model.js';
