import { LoanApplication } from '../../lambda-src/features';
import sampleRequestBody from '../../dataset/test-request-body.json';

/** The original sample's request body (seed/test-request-body.json), unchanged. */
export const SAMPLE_APPLICATION = sampleRequestBody as LoanApplication;
