import { LoanApplication } from '../../lambda-src/features';
import sampleRequestBody from '../../dataset/test-request-body.json';

/** The original AWS sample's request body (dataset/test-request-body.json), unchanged. */
export const SAMPLE_APPLICATION = sampleRequestBody as LoanApplication;
